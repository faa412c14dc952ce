package tracker

import (
	"net/http"
	"testing"

	"github.com/affogato-sh/affogato/store"
)

func TestOnProgramSite(t *testing.T) {
	p := &store.Program{URL: "https://www.shop.example/", Domains: []string{"help.example.org"}}
	for origin, want := range map[string]bool{
		"":                              true, // not a browser
		"null":                          true, // a sandboxed frame
		"https://www.shop.example":      true,
		"https://WWW.Shop.Example:8443": true, // ports and case aside
		"https://shop.example":          true, // the parent domain
		"https://checkout.shop.example": true, // www. aside, a subdomain
		"https://a.www.shop.example":    true, // a subdomain
		"https://help.example.org":      true, // an allowed domain
		"https://docs.help.example.org": true,
		"https://example.org":           true, // parent of an allowed domain
		"https://other-shop.example":    false,
		"https://evilshop.example":      false,
		"https://www.shop.example.evil": false,
		"http://localhost:3000":         false,
		"not a url at all\x7f":          false,
		"https://":                      false,
	} {
		if got := onProgramSite(origin, p); got != want {
			t.Errorf("onProgramSite(%q) = %v, want %v", origin, got, want)
		}
	}
	local := &store.Program{URL: "http://localhost:3000/"}
	if !onProgramSite("http://localhost:4000", local) || onProgramSite("http://127.0.0.1:3000", local) {
		t.Errorf("localhost: ports are not compared, hosts are")
	}
}

// TestVisitsOfAnotherProgramsSite: on a tracker with several programs, a
// page of one shop that carries another program's code (the merchant's own
// ?ref=producthunt, which another merchant's partner took as a code) is
// answered as an unknown code, and no click is counted.
func TestVisitsOfAnotherProgramsSite(t *testing.T) {
	e := newEnv(t, Config{})
	before := e.metric("affogato_clicks_recorded_total")
	v, status := e.visit(`{"code":"`+e.partner.Code+`"}`, "Origin", "https://other-shop.test")
	if status != http.StatusOK || v.ClickID != nil || v.Ref != nil || v.Expires != nil {
		t.Errorf("visit from another site = %d %+v, want 200 with nulls", status, v)
	}
	if got := e.metric("affogato_clicks_recorded_total"); got != before {
		t.Errorf("clicks recorded +%v, want none", got-before)
	}
	if got := e.metric(`affogato_clicks_not_recorded_total{reason="site"}`); got != 1 {
		t.Errorf("not recorded for the site: %v, want 1", got)
	}
	// Its own site, a sandboxed frame there, and a client that is no
	// browser all register.
	for _, origin := range []string{"https://acme.test", "null", ""} {
		if v, status := e.visit(`{"code":"`+e.partner.Code+`"}`, "Origin", origin); status != http.StatusCreated || v.ClickID == nil {
			t.Errorf("visit with Origin %q = %d %+v, want 201 with a click", origin, status, v)
		}
	}
}
