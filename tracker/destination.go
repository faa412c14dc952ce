package tracker

import (
	"net"
	"net/url"
	"strings"

	"github.com/affogato-sh/affogato/store"
)

// destination picks where a referral visitor goes: the link's own target
// or the program website, or the to= override when it is a path on the
// website or an absolute http(s) URL on an allowed host. Anything else falls
// back to the website, so the redirector is never an open redirect. It
// returns nil only when the program URL itself is unusable.
func destination(p *store.Program, link *store.Link, to string) *url.URL {
	site, err := url.Parse(p.URL)
	if err != nil || !webURL(site) {
		return nil
	}
	if to != "" {
		if u := allowedTarget(p, site, to); u != nil {
			return u
		}
		return site
	}
	if link != nil && link.To != "" {
		if u := allowedTarget(p, site, link.To); u != nil {
			return u
		}
	}
	return site
}

// allowedTarget resolves a requested target against the program website:
// a path joins the website's origin, an absolute URL must be http(s) on the
// website's host or one of the program's domains. It returns nil when the
// target is refused.
func allowedTarget(p *store.Program, site *url.URL, to string) *url.URL {
	// Browsers drop tabs and newlines and read a backslash as a slash, so
	// "/\evil.com" or "/\t/evil.com" would leave the site: refuse them all.
	for i := 0; i < len(to); i++ {
		if c := to[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return nil
		}
	}
	if strings.HasPrefix(to, "/") {
		if strings.HasPrefix(to, "//") {
			return nil
		}
		ref, err := url.Parse(to)
		if err != nil || ref.Scheme != "" || ref.Host != "" || ref.User != nil || ref.Opaque != "" {
			return nil
		}
		return &url.URL{Scheme: site.Scheme, Host: site.Host, Path: ref.Path, RawPath: ref.RawPath,
			RawQuery: ref.RawQuery, Fragment: ref.Fragment, RawFragment: ref.RawFragment}
	}
	u, err := url.Parse(to)
	if err != nil || !webURL(u) || u.User != nil {
		return nil
	}
	if !hostAllowed(p, site, u.Hostname()) {
		return nil
	}
	return u
}

// webURL says whether u is an absolute http(s) URL with a host.
func webURL(u *url.URL) bool {
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Opaque == ""
}

// hostAllowed says whether host (port already stripped) is the website's
// host or one of the program's extra domains; exact match, case-insensitive.
func hostAllowed(p *store.Program, site *url.URL, host string) bool {
	host = normHost(host)
	if host == "" {
		return false
	}
	if host == normHost(site.Hostname()) {
		return true
	}
	for _, d := range p.Domains {
		if host == normHost(stripPort(d)) {
			return true
		}
	}
	return false
}

func normHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

// stripPort removes a ":port" from a configured domain, if any.
func stripPort(d string) string {
	if h, _, err := net.SplitHostPort(d); err == nil {
		return h
	}
	return strings.Trim(d, "[]")
}

// withParams returns u with the given query parameters set, keeping the rest
// of its query as it was (in order and encoding) and dropping any earlier
// value of those names.
func withParams(u *url.URL, kv ...string) string {
	out := *u
	var parts []string
	if out.RawQuery != "" {
		for _, part := range strings.Split(out.RawQuery, "&") {
			name, _, _ := strings.Cut(part, "=")
			if n, err := url.QueryUnescape(name); err == nil {
				name = n
			}
			if part == "" || isOneOf(name, kv) {
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
