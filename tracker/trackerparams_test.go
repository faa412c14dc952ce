package tracker

import (
	"net/http"
	"net/url"
	"testing"
)

// TestRedirectDropsForgedTrackerParams: a deep link cannot carry the
// tracker's own parameters to the landing page (aff_first=1 on a
// last-click program, an aff_click or aff_exp of its choosing), whether
// the click is recorded or not.
func TestRedirectDropsForgedTrackerParams(t *testing.T) {
	e := newEnv(t, Config{})
	to := url.QueryEscape("/pricing?plan=pro&aff_first=1&aff_click=5&aff_exp=9999999999&ref=other")
	for _, tt := range []struct{ name, ua string }{
		{"recorded", browserUA},
		{"bot, not recorded", "Googlebot/2.1 (+http://www.google.com/bot.html)"},
	} {
		rr := e.request(http.MethodGet, "/r/"+e.partner.Code+"?to="+to, "", "User-Agent", tt.ua)
		loc := location(t, rr)
		q := loc.Query()
		if loc.Path != "/pricing" || q.Get("plan") != "pro" || q.Get("ref") != e.partner.Code || len(q["ref"]) != 1 {
			t.Errorf("%s: Location %s, want /pricing?plan=pro with ref %s once", tt.name, loc, e.partner.Code)
		}
		if q.Has("aff_first") || q.Get("aff_click") == "5" || q.Get("aff_exp") == "9999999999" {
			t.Errorf("%s: Location %s keeps a forged tracker parameter", tt.name, loc)
		}
	}
}
