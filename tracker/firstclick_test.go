package tracker

import (
	"net/http"
	"testing"

	"github.com/affogato-sh/affogato/store"
)

// TestRedirectFirstClickKeepsTheTrackerCookie: under first-click a later
// link of another partner is still counted, but the tracker's aff_ref
// cookie keeps the first referral; under last-click, or when the cookie is
// another program's, it is replaced.
func TestRedirectFirstClickKeepsTheTrackerCookie(t *testing.T) {
	e := newEnv(t, Config{})
	u, err := e.st.CreateUser("Sam", "sam@x.test", "SHA256:fake3", "ssh-ed25519 AAAAfake3")
	if err != nil {
		t.Fatal(err)
	}
	sam, err := e.st.Join(store.Actor{UserID: u.ID}, "acme", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.st.CreateProgram(e.admin, store.ProgramInput{Slug: "other", Name: "Other",
		URL: "https://other.test", Currency: "USD", Commission: "10%", AutoApprove: true}, false); err != nil {
		t.Fatal(err)
	}
	elsewhere, err := e.st.Join(e.partnerA, "other", "")
	if err != nil {
		t.Fatal(err)
	}
	pat := e.partner.Code + "." + e.click(e.partner.Code)

	// follow sam's link holding cookie; it returns the aff_ref set, or "".
	follow := func(cookie string) (set string, recorded bool) {
		t.Helper()
		rr := e.request(http.MethodGet, "/r/"+sam.Code, "", "User-Agent", browserUA, "Cookie", "aff_ref="+cookie)
		for _, c := range rr.Result().Cookies() {
			if c.Name == "aff_ref" {
				set = c.Value
			}
		}
		return set, location(t, rr).Query().Get("aff_click") != ""
	}
	if set, recorded := follow(pat); set == "" || set == pat || !recorded {
		t.Errorf("last-click: aff_ref set %q (click recorded %v), want sam's referral replacing %s", set, recorded, pat)
	}
	e.set("acme", "attribution", "first-click")
	if set, recorded := follow(pat); set != "" || !recorded {
		t.Errorf("first-click: aff_ref set %q (click recorded %v), want pat's kept and sam's click counted", set, recorded)
	}
	for _, cookie := range []string{elsewhere.Code + ".7", "junk", e.partner.Code + ".x1", "no-such-code.5"} {
		if set, _ := follow(cookie); set == "" {
			t.Errorf("first-click with aff_ref=%s (not this program's referral): no aff_ref set, want sam's", cookie)
		}
	}
}
