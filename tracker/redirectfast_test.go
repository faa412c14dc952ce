package tracker

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// The redirector's prebuilt Location and Set-Cookie values must be what
// withParams and http.SetCookie make.
func TestSplitDestMatchesWithParams(t *testing.T) {
	dests := []string{
		"https://shop.example",
		"https://shop.example/",
		"https://shop.example/p/a%20b?x=1",
		"https://shop.example/?",
		"https://shop.example/?ref=old&aff_click=9&keep=1",
		"https://shop.example/?a=1&&b=2&aff%5Fexp=3&aff_first=1",
		"https://shop.example/landing#top",
		"https://shop.example/landing?x=%20y#frag%20ment",
		"https://shop.example/landing?ref=x#",
		"http://shop.example:8080/a/b/?utm_source=news&ref",
		"https://shop.example/%E2%82%AC?q=%E2%82%AC",
	}
	codes := []string{"pat", "A-b_9"}
	for _, raw := range dests {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("parse %q: %v", raw, err)
		}
		d := splitDest(u)
		if d.plain != u.String() {
			t.Errorf("%s: plain %q, want %q", raw, d.plain, u.String())
		}
		for _, code := range codes {
			for _, first := range []bool{false, true} {
				id, exp := uint64(18446744073709551615), int64(1893456000)
				kv := []string{"ref", code, "aff_click", strconv.FormatUint(id, 10), "aff_exp", strconv.FormatInt(exp, 10)}
				if first {
					kv = append(kv, "aff_first", "1")
				}
				if got, want := d.location(code, id, exp, first), withParams(u, kv...); got != want {
					t.Errorf("%s first=%v: location %q, want %q", raw, first, got, want)
				}
			}
			if got, want := d.refOnly(code), withParams(u, "ref", code); got != want {
				t.Errorf("%s: ref only %q, want %q", raw, got, want)
			}
		}
	}
}

func TestRefCookieMatchesSetCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		for _, maxAge := range []int{-1, 0, 1, 7 * 86400, 30 * 86400} {
			for _, id := range []uint64{1, 42, 18446744073709551615} {
				code := "Pat_doe-7"
				want := (&http.Cookie{Name: "aff_ref", Value: code + "." + strconv.FormatUint(id, 10), Path: "/",
					MaxAge: maxAge, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}).String()
				if got := refCookie(code, id, maxAge, secure); got != want {
					t.Errorf("refCookie(%q, %d, %d, %v) = %q, want %q", code, id, maxAge, secure, got, want)
				}
			}
		}
	}
}

// A resolved target's split destination is cached; a new target (what
// the store returns after a change to the program, partner or link) is
// split afresh, and a to= override is never cached.
func TestDestCacheFollowsTarget(t *testing.T) {
	e := newEnv(t, Config{})
	t1, err := e.st.ResolveCode(e.partner.Code)
	if err != nil {
		t.Fatal(err)
	}
	d1, ok := e.srv.destFor(t1, "")
	if !ok || d1.plain != "https://acme.test" {
		t.Fatalf("destFor = %+v, %v; want the website %s", d1, ok, t1.Program.URL)
	}
	if _, ok := e.srv.dests.get(t1); !ok {
		t.Fatal("destination without to= not cached")
	}
	t2 := *t1
	t2.Program.URL = "https://other.example/x"
	if d2, ok := e.srv.destFor(&t2, ""); !ok || d2.plain != "https://other.example/x" {
		t.Fatalf("destFor(changed target) = %+v, %v; want the new website", d2, ok)
	}
	t3 := *t1
	if _, ok := e.srv.destFor(&t3, "/deep"); !ok {
		t.Fatal("destFor with to= failed")
	}
	if _, ok := e.srv.dests.get(&t3); ok {
		t.Fatal("destination with to= cached")
	}
}
