package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// navigate runs a single-page shop's navigation (js: history.pushState,
// replaceState, back …) in tab and returns window.affogato once t.js is
// done with it.
func navigate(t *testing.T, tab context.Context, js string) referral {
	t.Helper()
	if _, err := chromedp.Run(tab, chromedp.Evaluate[any](js+`; undefined`)); err != nil {
		t.Fatalf("navigate %s: %v", js, err)
	}
	return pageReferral(t, tab)
}

// traverse runs a history traversal (history.back() …), which is
// asynchronous: it waits for its popstate, then for t.js, and returns
// window.affogato.
func traverse(t *testing.T, tab context.Context, js string) referral {
	t.Helper()
	if _, err := chromedp.Run(tab, chromedp.Evaluate[any](`new Promise(function (res) {
  addEventListener("popstate", function () { setTimeout(res, 0); }, {once: true});
  `+js+`;
})`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return pageReferral(t, tab)
}

// push is a history.pushState of path in the shop's own origin.
func push(path string) string { return `history.pushState({}, "", ` + strconv.Quote(path) + `)` }

// clicksBySub is the program's clicks per campaign in stats --json (the
// merchant's view: every partner's).
func clicksBySub(t *testing.T, s *server, slug string) (total int64, bySub map[string]int64) {
	t.Helper()
	var st browserStats
	s.sshJSON(s.adminKey, &st, "stats", slug)
	bySub = map[string]int64{}
	for _, sub := range st.Subs {
		bySub[sub.Sub] += sub.Clicks
	}
	return st.Clicks, bySub
}

// testSinglePageShop: a shop that navigates with history.pushState /
// replaceState (and the back button) instead of page loads gets the same
// attribution as one that loads pages: a direct link registers, with its
// campaign; the merchant's own ?ref= changes nothing; a later tracked
// referral replaces the first only under last-click; a URL already read is
// not counted again; window.affogato keeps the merchant's keys; nothing
// throws (the console is checked at the end of TestBrowser).
func testSinglePageShop(t *testing.T, s *server, b *browser, shopA, shopB *shop, acme, firstco browserProgram) {
	// Last-click (acme, shop A), on a page whose own window.affogato t.js
	// merges into.
	t.Run("last-click", func(t *testing.T) {
		clicks0, subs0 := clicksBySub(t, s, "acme")
		tab := b.tab()
		visit(t, tab, shopA.base+"/spa/merge")
		if r := pageReferral(t, tab); r.Referral != nil || str(r.Merchant) != "kept" {
			t.Fatalf("SPA landing without a referral: %+v", r)
		}
		r := navigate(t, tab, push("/spa/product?via="+acme.patCode+"&sub=spa-spring"))
		if r.Referral == nil || str(r.Ref) != acme.patCode || r.Expires == nil || str(r.Merchant) != "kept" {
			t.Fatalf("after pushState to pat's direct link: %+v, want pat's click, the merchant's key kept", r)
		}
		patClick := *r.Referral
		// The router replacing its state with the same URL, again and
		// again, counts nothing more.
		for range 3 {
			navigate(t, tab, `history.replaceState({n: 1}, "")`)
		}
		navigate(t, tab, `history.replaceState({}, "", location.href)`)
		if clicks, subs := clicksBySub(t, s, "acme"); clicks != clicks0+1 || subs["spa-spring"] != subs0["spa-spring"]+1 {
			t.Errorf("clicks %d → %d, spa-spring %d → %d, want one more of each", clicks0, clicks, subs0["spa-spring"], subs["spa-spring"])
		}
		// The merchant's own ?ref= and an unknown ?via= keep the referral.
		for _, path := range []string{"/spa/about?ref=producthunt", "/spa/blog?via=nosuchcode"} {
			if r := navigate(t, tab, push(path)); str(r.Referral) != patClick || str(r.Ref) != acme.patCode {
				t.Errorf("after pushState to %s: referral %s ref %s, want pat's %s kept", path, str(r.Referral), str(r.Ref), patClick)
			}
		}
		// Another partner's direct link, by replaceState: last-click
		// takes it.
		r = navigate(t, tab, `history.replaceState(null, "", "/spa/deal?via=`+acme.samCode+`")`)
		if r.Referral == nil || *r.Referral == patClick || str(r.Ref) != acme.samCode {
			t.Fatalf("after replaceState to sam's direct link: referral %s ref %s, want a new click of sam", str(r.Referral), str(r.Ref))
		}
		samClick := *r.Referral
		// The cookie keeps it: a page load on the shop reads sam's click.
		visit(t, tab, shopA.base+"/checkout")
		if r := pageReferral(t, tab); str(r.Referral) != samClick {
			t.Errorf("page load after the SPA navigations: referral %s, want sam's %s", str(r.Referral), samClick)
		}
		// pushState itself behaves as without t.js: it returns undefined
		// and a cross-origin URL throws the browser's SecurityError.
		got, err := chromedp.Run(tab, chromedp.Evaluate[string](`(function () {
  var r = history.pushState({}, "", "/spa/same-origin");
  try { history.pushState({}, "", "http://127.0.0.3:9/elsewhere"); return "no error, returned " + String(r); }
  catch (e) { return e.name + ", returned " + String(r); }
})()`))
		if err != nil || got != "SecurityError, returned undefined" {
			t.Errorf("pushState under t.js: %q %v, want SecurityError, returned undefined", got, err)
		}
	})

	// The back button (popstate) to an entry t.js never read: the router
	// pushed it with the pushState it took before t.js was loaded.
	t.Run("popstate", func(t *testing.T) {
		tab := b.tab()
		visit(t, tab, shopA.base+"/spa/")
		navigate(t, tab, `rawPush({}, "", "/spa/from-router?via=`+acme.patCode+`&sub=spa-back"); rawPush({}, "", "/spa/next")`)
		if r := pageReferral(t, tab); r.Referral != nil {
			t.Fatalf("before the back button: %+v, want no referral yet", r)
		}
		_, subs0 := clicksBySub(t, s, "acme")
		r := traverse(t, tab, "history.back()")
		if r.Referral == nil || str(r.Ref) != acme.patCode {
			t.Fatalf("after the back button to pat's direct link: %+v, want pat's click", r)
		}
		if _, subs := clicksBySub(t, s, "acme"); subs["spa-back"] != subs0["spa-back"]+1 {
			t.Errorf("spa-back clicks %d → %d, want one more", subs0["spa-back"], subs["spa-back"])
		}
		// Forward and back again: those URLs were read, nothing changes.
		click := *r.Referral
		for _, js := range []string{"history.forward()", "history.back()"} {
			if r := traverse(t, tab, js); str(r.Referral) != click {
				t.Errorf("after %s: referral %s, want %s kept", js, str(r.Referral), click)
			}
		}
		if _, subs := clicksBySub(t, s, "acme"); subs["spa-back"] != subs0["spa-back"]+1 {
			t.Errorf("spa-back clicks after forward and back: %d → %d, want still one more", subs0["spa-back"], subs["spa-back"])
		}
	})

	// First-click (firstco, shop B): the first tracked referral stays,
	// whatever later navigations carry.
	t.Run("first-click", func(t *testing.T) {
		tab := b.tab()
		visit(t, tab, shopB.base+"/spa/?via="+firstco.patCode)
		first := pageReferral(t, tab)
		if first.Referral == nil || str(first.Ref) != firstco.patCode {
			t.Fatalf("SPA landing on pat's direct link: %+v, want pat's click", first)
		}
		clicks0, _ := clicksBySub(t, s, "firstco")
		exp := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
		for _, path := range []string{
			"/spa/p?via=" + firstco.samCode,
			"/spa/q?ref=" + firstco.samCode + "&aff_click=4242&aff_exp=" + exp + "&aff_first=1",
			"/spa/r?ref=producthunt",
		} {
			if r := navigate(t, tab, push(path)); str(r.Referral) != *first.Referral || str(r.Ref) != firstco.patCode {
				t.Errorf("first-click, after pushState to %s: referral %s ref %s, want pat's first %s", path, str(r.Referral), str(r.Ref), *first.Referral)
			}
		}
		// Sam's direct link was still a visit: counted as a click.
		if clicks, _ := clicksBySub(t, s, "firstco"); clicks != clicks0+1 {
			t.Errorf("firstco clicks %d → %d, want one more for sam's direct link", clicks0, clicks)
		}
	})

	// A direct link with a campaign, by page load: the sub reaches the
	// per-sub stats as a referral link's ?sub= does.
	t.Run("direct link sub", func(t *testing.T) {
		_, subs0 := clicksBySub(t, s, "firstco")
		tab := b.tab()
		visit(t, tab, shopB.base+"/landing?via="+firstco.samCode+"&sub="+strings.Repeat("x", 70))
		if r := pageReferral(t, tab); r.Referral == nil || str(r.Ref) != firstco.samCode {
			t.Fatalf("direct link with a sub: %+v, want sam's click", r)
		}
		long := strings.Repeat("x", 64) // cut to the 64 characters the tracker keeps
		if _, subs := clicksBySub(t, s, "firstco"); subs[long] != subs0[long]+1 {
			t.Errorf("clicks of the sub %q: %d → %d, want one more", long, subs0[long], subs[long])
		}
		// Beside the merchant's own ?ref=, a partner's ?via= is still the
		// direct link.
		both := b.tab()
		visit(t, both, shopB.base+"/?ref=producthunt&via="+firstco.patCode+"&sub=beside-ref")
		if r := pageReferral(t, both); r.Referral == nil || str(r.Ref) != firstco.patCode {
			t.Errorf("?ref=producthunt&via=%s: %+v, want pat's click", firstco.patCode, r)
		}
		if _, subs := clicksBySub(t, s, "firstco"); subs["beside-ref"] != subs0["beside-ref"]+1 {
			t.Errorf("clicks of the sub beside-ref: %d → %d, want one more", subs0["beside-ref"], subs["beside-ref"])
		}
	})
}
