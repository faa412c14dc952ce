package tracker

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/affogato-sh/affogato/store"
)

// The redirector's response, built with as little work per click as the
// HTTP server allows: the destination of a link is parsed and split once
// (destCache) and the Location and Set-Cookie values are appended into
// one buffer, byte for byte what withParams and http.SetCookie make
// (tested against them).

// destParts is a redirect destination ready for the tracker's parameters:
// the Location is head, the parameters (name=value joined by '&'), tail.
type destParts struct {
	plain string // the destination as is (an unapproved partner's visitor)
	head  string // up to and with the '?' or '&' before the parameters
	tail  string // the fragment, with its '#', or ""
}

// splitDest splits u around the query parameters withParams would add:
// the query keeps its parts but the tracker's own (trackerParams).
func splitDest(u *url.URL) destParts {
	out := *u
	var kept []string
	if out.RawQuery != "" {
		for _, part := range strings.Split(out.RawQuery, "&") {
			name, _, _ := strings.Cut(part, "=")
			if n, err := url.QueryUnescape(name); err == nil {
				name = n
			}
			if part == "" || slices.Contains(trackerParams[:], name) {
				continue
			}
			kept = append(kept, part)
		}
	}
	out.RawQuery = strings.Join(kept, "&")
	out.ForceQuery = false
	out.Fragment, out.RawFragment = "", ""
	if out.Path == "" && out.RawPath == "" {
		out.Path = "/"
	}
	d := destParts{plain: u.String(), head: out.String()}
	if len(kept) == 0 {
		d.head += "?"
	} else {
		d.head += "&"
	}
	if u.Fragment != "" {
		d.tail = "#" + u.EscapedFragment()
	}
	return d
}

// location is the Location of a recorded click: withParams(dest, "ref",
// code, "aff_click", id, "aff_exp", exp[, "aff_first", "1"]).
func (d *destParts) location(code string, id uint64, exp int64, first bool) string {
	b := make([]byte, 0, len(d.head)+len(code)+len(d.tail)+64)
	b = append(b, d.head...)
	b = append(b, "ref="...)
	b = append(b, url.QueryEscape(code)...)
	b = append(b, "&aff_click="...)
	b = strconv.AppendUint(b, id, 10)
	b = append(b, "&aff_exp="...)
	b = strconv.AppendInt(b, exp, 10)
	if first {
		b = append(b, "&aff_first=1"...)
	}
	b = append(b, d.tail...)
	return string(b)
}

// refOnly is the Location of a visit not recorded: withParams(dest,
// "ref", code).
func (d *destParts) refOnly(code string) string {
	return d.head + "ref=" + url.QueryEscape(code) + d.tail
}

// refCookie is the Set-Cookie value of the tracker's aff_ref cookie for
// click id by code: what http.SetCookie writes for
// http.Cookie{Name: "aff_ref", Value: code.id, Path: "/", MaxAge: maxAge,
// HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}. code is
// a valid code (letters, digits, '-', '_'), so the value needs no quoting.
func refCookie(code string, id uint64, maxAge int, secure bool) string {
	b := make([]byte, 0, 96+len(code))
	b = append(b, "aff_ref="...)
	b = append(b, code...)
	b = append(b, '.')
	b = strconv.AppendUint(b, id, 10)
	b = append(b, "; Path=/"...)
	switch {
	case maxAge > 0:
		b = append(b, "; Max-Age="...)
		b = strconv.AppendInt(b, int64(maxAge), 10)
	case maxAge < 0:
		b = append(b, "; Max-Age=0"...)
	}
	b = append(b, "; HttpOnly"...)
	if secure {
		b = append(b, "; Secure"...)
	}
	b = append(b, "; SameSite=Lax"...)
	return string(b)
}

// destCacheMax bounds the destinations cached; when full it starts over.
const destCacheMax = 1 << 14

// destCache holds the split destination of resolved codes without a to=
// override. It is keyed by the store's resolved target, which the store
// replaces (a new pointer) whenever a program, partner or link may have
// changed, so an entry never outlives what it was made from.
type destCache struct {
	mu sync.RWMutex
	m  map[*store.Target]destParts
}

func (c *destCache) get(t *store.Target) (destParts, bool) {
	c.mu.RLock()
	d, ok := c.m[t]
	c.mu.RUnlock()
	return d, ok
}

func (c *destCache) put(t *store.Target, d destParts) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= destCacheMax {
		c.m = make(map[*store.Target]destParts)
	}
	c.m[t] = d
	c.mu.Unlock()
}

// redirectHeaders are the values every redirect sets, shared by the
// requests (net/http copies a handler's header map when it writes it, and
// nothing changes a value slice in place).
type redirectHeaders struct {
	noStore, noIndex, referrer []string
}

func newRedirectHeaders() redirectHeaders {
	return redirectHeaders{
		noStore:  []string{"no-store"},
		noIndex:  []string{"noindex"},
		referrer: []string{"no-referrer-when-downgrade"},
	}
}
