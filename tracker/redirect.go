package tracker

import (
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// maxSub is the longest campaign sub-id kept, in characters; longer ones
// are truncated.
const maxSub = 64

// paidAdParams are the click ids ad networks append to paid traffic.
var paidAdParams = [...]string{"gclid", "fbclid", "msclkid", "ttclid", "twclid", "li_fat_id"}

// redirect serves GET and HEAD /r/{code}: it records the click (unless it is
// a bot, a HEAD, a flood or the partner is not approved) and sends the
// visitor on with 302. It never refuses a visitor with a known code.
//
//   - recorded: ref={code}, aff_click={id} and aff_exp={expiry, Unix seconds}
//     added (and aff_first=1 for a first-click program), HttpOnly cookie
//     aff_ref={code}.{id} until the expiry (a first-click program keeps an
//     aff_ref of its own already there).
//   - not recorded (bot, HEAD, flood, store failure): ref={code} only, no cookie.
//   - partner not approved: the destination as is, no ref, no cookie.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if !validCode(code) {
		s.linkNotFound(w, r)
		return
	}
	t, err := s.st.ResolveCode(code)
	if err != nil {
		if isClientError(err) {
			s.linkNotFound(w, r)
			return
		}
		s.metrics.errors.WithLabelValues("store").Inc()
		s.log.Error("resolve referral code", "code", code, "err", err)
		writeError(w, http.StatusInternalServerError, codeInternal, "internal error")
		return
	}
	var q url.Values // nil, and free to read, when the link has no query
	if r.URL.RawQuery != "" {
		q = r.URL.Query()
	}
	d, ok := s.destFor(t, q.Get("to"))
	if !ok {
		s.log.Error("program website is not a usable URL", "program", t.Program.Slug, "url", t.Program.URL)
		s.linkNotFound(w, r)
		return
	}

	h := w.Header() // canonical names set directly: this is the hot path
	h["Cache-Control"] = s.hdr.noStore
	h["X-Robots-Tag"] = s.hdr.noIndex
	h["Referrer-Policy"] = s.hdr.referrer

	if t.Partner.Status != store.PartnerApproved {
		s.metrics.clicksSkipped.WithLabelValues(skipUnapproved).Inc()
		s.found(w, d.plain)
		return
	}
	click := s.recordVisit(r, t, linkSub(q.Get("sub"), t.Link.Sub), hasPaidAds(q))
	if click == nil {
		s.found(w, d.refOnly(code))
		return
	}
	expires := t.Program.ReferralExpires(click.At)
	if !s.keepsFirstReferral(r, t) {
		h["Set-Cookie"] = append(h["Set-Cookie"], refCookie(code, click.ID,
			int(t.Program.CookieLifetime()/time.Second), s.secureCookie))
	}
	// t.js on the landing page keeps the referral in its own first-party
	// cookie until aff_exp (Unix seconds), and keeps an earlier referral
	// over this one when the program attributes to the first click.
	s.found(w, d.location(code, click.ID, expires.Unix(), t.Program.Attribution == store.FirstClick))
}

// destFor is where t's visitors go (destination), split for the
// tracker's parameters; links without a to= override are split once and
// cached. ok is false when the program's website is not a usable URL.
func (s *Server) destFor(t *store.Target, to string) (destParts, bool) {
	if to == "" {
		if d, ok := s.dests.get(t); ok {
			return d, true
		}
	}
	dest := destination(&t.Program, &t.Link, to)
	if dest == nil {
		return destParts{}, false
	}
	d := splitDest(dest)
	if to == "" {
		s.dests.put(t, d)
	}
	return d, true
}

// recordVisit records a visitor's click on t's link, unless it is a HEAD,
// a bot or over the IP's flood limit, or the store fails: then it counts
// why and returns nil. The partner must be approved.
func (s *Server) recordVisit(r *http.Request, t *store.Target, sub string, paidAds bool) *store.Click {
	ip := clientIP(r, s.cfg.TrustedProxies)
	var reason string
	switch {
	case r.Method == http.MethodHead:
		reason = skipHead
	case isBot(r.UserAgent()):
		reason = skipBot
	case !s.flood.allow(ip, s.now()):
		reason = skipFlood
	}
	if reason != "" {
		s.metrics.clicksSkipped.WithLabelValues(reason).Inc()
		return nil
	}
	click, err := s.st.RecordClick(r.Context(), store.ClickInput{
		Program:   t.Program.Slug,
		PartnerID: t.Partner.ID,
		Code:      t.Link.Code,
		Sub:       sub,
		IP:        ip,
		PaidAds:   paidAds,
	})
	if err != nil {
		s.metrics.clicksSkipped.WithLabelValues(skipError).Inc()
		s.metrics.errors.WithLabelValues("click").Inc()
		s.log.Error("record click", "code", t.Link.Code, "err", err)
		return nil
	}
	s.metrics.clicks.Inc()
	return click
}

// found answers 302 to location.
func (s *Server) found(w http.ResponseWriter, location string) {
	w.Header()["Location"] = []string{location}
	w.WriteHeader(http.StatusFound)
}

// linkNotFound answers 404 with the HTML page for unknown codes.
func (s *Server) linkNotFound(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(s.notFound)))
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		_, _ = w.Write(s.notFound)
	}
}

// validCode says whether code can be a referral code at all (letters,
// digits, '-' and '_'), so junk never reaches the store or a header.
func validCode(code string) bool {
	if code == "" || len(code) > 64 {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// clientIP is the visitor's address: the connection's peer, or, when the
// peer is a trusted proxy, the rightmost X-Forwarded-For address that is not
// a trusted proxy. Forwarding headers from anyone else are ignored: anyone
// can send them.
func clientIP(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := netip.Addr{}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		peer = ap.Addr().Unmap()
	} else if a, err := netip.ParseAddr(r.RemoteAddr); err == nil {
		peer = a.Unmap()
	}
	if len(trusted) == 0 || !isTrusted(peer, trusted) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer // a malformed chain: fall back to what we know
		}
		a = a.Unmap()
		if !isTrusted(a, trusted) {
			return a
		}
	}
	return peer
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// hasPaidAds says whether the landing URL carries an ad network's click id.
func hasPaidAds(q map[string][]string) bool {
	for _, p := range paidAdParams {
		for _, v := range q[p] {
			if v != "" {
				return true
			}
		}
	}
	return false
}

// linkSub is the click's campaign: the visitor's ?sub=, else the one the
// link was created with.
func linkSub(fromQuery, fromLink string) string {
	if sub := cleanSub(fromQuery); sub != "" {
		return sub
	}
	return fromLink
}

// cleanSub makes a campaign sub-id safe (store/sanitize), trims it and
// truncates it to maxSub characters.
func cleanSub(sub string) string {
	if sub == "" {
		return ""
	}
	sub = strings.TrimSpace(sanitize.Line(sub))
	if r := []rune(sub); len(r) > maxSub {
		sub = string(r[:maxSub])
	}
	return strings.TrimSpace(sub)
}
