package tracker

import (
	"net/url"
	"slices"
	"strings"

	"github.com/affogato-sh/affogato/store"
)

// destination picks where a referral visitor goes: the to= override when
// the program accepts it (store.Program.Destination: a path on the website,
// or an absolute http(s) URL on an allowed host), else the link's own
// target, else the website. A refused to= falls back to the website, so the
// redirector is never an open redirect. It returns nil only when the
// program URL itself is unusable.
func destination(p *store.Program, link *store.Link, to string) *url.URL {
	site, err := url.Parse(p.URL)
	if err != nil || !webURL(site) {
		return nil
	}
	target := to
	if target == "" && link != nil {
		target = link.To
	}
	if target == "" {
		return site
	}
	d, err := p.Destination(target)
	if err != nil {
		return site
	}
	u, err := url.Parse(d)
	if err != nil || !webURL(u) || u.User != nil {
		return site
	}
	return u
}

// webURL says whether u is an absolute http(s) URL with a host.
func webURL(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Opaque == ""
}

// trackerParams are the query parameters the redirect hands to t.js. A
// destination never keeps its own: a deep link such as to=/?aff_first=1 or
// ?aff_click=… must not pass for the tracker's word on the landing page.
var trackerParams = [...]string{"ref", "aff_click", "aff_exp", "aff_first"}

// withParams returns u with the given query parameters set, keeping the rest
// of its query as it was (in order and encoding) and dropping any earlier
// value of those names and of the tracker's own (trackerParams).
func withParams(u *url.URL, kv ...string) string {
	out := *u
	var parts []string
	if out.RawQuery != "" {
		for _, part := range strings.Split(out.RawQuery, "&") {
			name, _, _ := strings.Cut(part, "=")
			if n, err := url.QueryUnescape(name); err == nil {
				name = n
			}
			if part == "" || isOneOf(name, kv) || slices.Contains(trackerParams[:], name) {
				continue
			}
			parts = append(parts, part)
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, url.QueryEscape(kv[i])+"="+url.QueryEscape(kv[i+1]))
	}
	out.RawQuery = strings.Join(parts, "&")
	out.ForceQuery = false
	if out.Path == "" && out.RawPath == "" {
		out.Path = "/"
	}
	return out.String()
}

// isOneOf says whether name is one of the keys (even positions) of kv.
func isOneOf(name string, kv []string) bool {
	for i := 0; i < len(kv); i += 2 {
		if kv[i] == name {
			return true
		}
	}
	return false
}
