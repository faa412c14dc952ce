package tracker

import (
	"net/url"
	"strings"

	"github.com/affogato-sh/affogato/store"
)

// skipSite counts direct-link visits refused because the page that sent
// them is not on the code's program's site.
const skipSite = "site"

// onProgramSite says whether a visit's Origin header names a page of p's
// site: the host of p's website or of one of its allowed domains (the
// hosts a deep link may land on), without a leading "www.", or a subdomain
// or a parent domain of one (www.shop.example, shop.example and
// checkout.shop.example are one site); ports are not compared. A code of another program on a multi-program tracker (another
// merchant's partner who took the code "producthunt") is then not
// registered from a page of this shop, where it is a merchant's own
// ?ref=. An absent Origin (not a browser) or "null" (a sandboxed frame)
// tells nothing and is let through.
func onProgramSite(origin string, p *store.Program) bool {
	if origin == "" || origin == "null" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Hostname() == "" {
		return false
	}
	page := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	sites := make([]string, 0, 1+len(p.Domains))
	if site, err := url.Parse(p.URL); err == nil && site.Hostname() != "" {
		sites = append(sites, site.Hostname())
	}
	sites = append(sites, p.Domains...)
	for _, s := range sites {
		s = strings.TrimPrefix(strings.ToLower(strings.TrimSuffix(s, ".")), "www.")
		if s == "" {
			continue
		}
		if page == s || strings.HasSuffix(page, "."+s) || strings.HasSuffix(s, "."+page) && strings.Contains(page, ".") {
			return true
		}
	}
	return false
}
