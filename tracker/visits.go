package tracker

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/affogato-sh/affogato/store"
)

// maxVisitBody is the largest POST /api/v1/visits body accepted.
const maxVisitBody = 1 << 10

// visitOut is the answer to POST /api/v1/visits: the referral t.js keeps.
// ClickID is null when the visit was not recorded (a bot, over the flood
// limit, or no referral); Ref and Expires are null when the visit carries
// no referral at all (an unknown code, or a partner not approved).
type visitOut struct {
	ClickID     *string `json:"click_id"`
	Ref         *string `json:"ref"`
	Expires     *string `json:"expires"`     // RFC 3339: when the referral stops attributing
	Attribution string  `json:"attribution"` // last-click | first-click
}

// visits serves POST /api/v1/visits {"code","sub"?,"paid_ads"?}: t.js
// registers a visit that came through a direct link to the merchant's site
// (https://shop.example/?via=CODE&sub=CAMPAIGN), so that it counts as a
// click under the redirector's rules (bots, flood limit, approval) and
// attributes by click id. Its sub is the redirector's ?sub=: cleaned the
// same way (cleanSub: no control characters, at most maxSub characters),
// and the link's own campaign when it is empty. It is a CORS endpoint without credentials: any site may call it, as
// any visitor may follow a referral link. An unknown code, or a code of a
// program whose site the page is not on (onProgramSite), changes nothing
// and is answered 200 with nulls, not 404: a merchant's own ?ref=campaign
// must not put an error in the visitor's console.
func (s *Server) visits(w http.ResponseWriter, r *http.Request) {
	corsHeaders(w)
	w.Header().Set("Cache-Control", "no-store")
	body, rerr := readBody(w, r, maxVisitBody)
	if rerr != nil {
		rerr.write(w)
		return
	}
	f, rerr := jsonObject(body)
	if rerr != nil {
		rerr.write(w)
		return
	}
	code, rerr := f.str("code", false)
	if rerr != nil {
		rerr.write(w)
		return
	}
	code = strings.TrimSpace(code)
	sub, rerr := f.str("sub", false)
	if rerr != nil {
		rerr.write(w)
		return
	}
	paidAds := strings.TrimSpace(string(f["paid_ads"])) == "true"
	out := visitOut{Attribution: store.LastClick}
	if !validCode(code) {
		writeJSON(w, http.StatusOK, out)
		return
	}
	t, err := s.st.ResolveCode(code)
	if err != nil {
		if isClientError(err) {
			writeJSON(w, http.StatusOK, out)
			return
		}
		s.storeError(w, "resolve referral code", err)
		return
	}
	if !onProgramSite(r.Header.Get("Origin"), &t.Program) {
		// Another program's code: on this page it is the merchant's own
		// ?ref=, as unknown here as any.
		s.metrics.clicksSkipped.WithLabelValues(skipSite).Inc()
		writeJSON(w, http.StatusOK, out)
		return
	}
	if t.Program.Attribution != "" {
		out.Attribution = t.Program.Attribution
	}
	if t.Partner.Status != store.PartnerApproved {
		s.metrics.clicksSkipped.WithLabelValues(skipUnapproved).Inc()
		writeJSON(w, http.StatusOK, out)
		return
	}
	out.Ref = &t.Link.Code
	click := s.recordVisit(r, t, linkSub(sub, t.Link.Sub), paidAds)
	at := s.now()
	status := http.StatusOK
	if click != nil {
		id := strconv.FormatUint(click.ID, 10)
		out.ClickID, at, status = &id, click.At, http.StatusCreated
	}
	exp := t.Program.ReferralExpires(at).UTC().Format(time.RFC3339)
	out.Expires = &exp
	writeJSON(w, status, out)
}

// visitsPreflight answers a CORS preflight for POST /api/v1/visits (t.js
// sends a simple request that needs none, but a page may wrap fetch).
func (s *Server) visitsPreflight(w http.ResponseWriter, r *http.Request) {
	corsHeaders(w)
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Content-Type")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// corsHeaders lets any origin read the answer (no credentials are used).
func corsHeaders(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
}
