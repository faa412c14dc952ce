package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// browserProgram is a program the browser test sets up, with two approved
// partners (pat and sam) and their codes in it.
type browserProgram struct {
	slug, apiKey     string
	patCode, samCode string
	patID, samID     uint64
}

// setupBrowserPrograms makes the two programs of TestBrowser: acme
// (last-click, 20%, 7-day cookie) on shop A, a site on the tracker's own
// host at another port, which also allows 127.0.0.2 as a destination; and
// firstco (first-click, 10%, 30 days) on shop B at 127.0.0.2.
func setupBrowserPrograms(t *testing.T, s *server, shopA, shopB *shop, pat, sam string) (acme, firstco browserProgram) {
	t.Helper()
	mk := func(slug, site, commission string, extra ...string) browserProgram {
		var prog programOut
		s.sshJSON(s.adminKey, &prog, append([]string{"program", "create", slug, "--name", slug, "--url", site + "/",
			"--commission", commission, "--hold-days", "0", "--auto-approve"}, extra...)...)
		bp := browserProgram{slug: slug, apiKey: prog.APIKey}
		var j joinOut
		s.sshJSON(pat, &j, "join", slug, "--name", "Pat", "--email", "pat@partners.test")
		bp.patCode, bp.patID = j.Code, j.PartnerID
		s.sshJSON(sam, &j, "join", slug, "--name", "Sam", "--email", "sam@partners.test")
		bp.samCode, bp.samID = j.Code, j.PartnerID
		if j.Status != "approved" {
			t.Fatalf("join %s: status %s, want approved", slug, j.Status)
		}
		return bp
	}
	acme = mk("acme", shopA.base, "20%", "--cookie-days", "7")
	s.mustSSH(s.adminKey, "program", "set", "acme", "domains", "127.0.0.2")
	firstco = mk("firstco", shopB.base, "10%")
	s.mustSSH(s.adminKey, "program", "set", "firstco", "attribution", "first-click")
	return acme, firstco
}

// browserStats is stats --json with the campaign breakdown.
type browserStats struct {
	statsOut
	Subs []struct {
		PartnerID   uint64 `json:"partner_id"`
		Code        string `json:"code"`
		Sub         string `json:"sub"`
		Clicks      int64  `json:"clicks"`
		Conversions int64  `json:"conversions"`
		Revenue     string `json:"revenue"`
		Commission  string `json:"commission"`
	} `json:"subs"`
}

// TestBrowser drives a real headless Chromium through what merchants and
// their visitors do (issue 12): referral links through the binary's
// redirector onto two merchant sites, t.js on their pages, conversions by
// the click id the page exposes, and the figures in stats --json.
func TestBrowser(t *testing.T) {
	s := startServer(t, serverOpts{})
	shopA := startShop(t, "127.0.0.1", s.publicURL) // the tracker's host, another port
	shopB := startShop(t, "127.0.0.2", s.publicURL) // another host name
	pat, sam := newKey(t, "pat"), newKey(t, "sam")
	acme, firstco := setupBrowserPrograms(t, s, shopA, shopB, pat, sam)
	b := newBrowser(t, false)
	link := func(code string, query ...string) string {
		u := s.url("/r/" + code)
		if len(query) > 0 {
			u += "?" + strings.Join(query, "&")
		}
		return u
	}

	// The main path on a shop that shares the tracker's host name: link →
	// 302 → landing → a second page without parameters → a conversion with
	// the page's click id → attributed, with the right commission, in stats.
	t.Run("link to attributed conversion", func(t *testing.T) {
		tab := b.tab()
		landed := visit(t, tab, link(acme.patCode, "sub=spring"))
		lu, _ := url.Parse(landed)
		if lu.Host != strings.TrimPrefix(shopA.base, "http://") || lu.Query().Get("ref") != acme.patCode || lu.Query().Get("aff_click") == "" {
			t.Fatalf("landed on %s, want shop A with ref and aff_click", landed)
		}
		click := lu.Query().Get("aff_click")
		if r := pageReferral(t, tab); str(r.Referral) != click || str(r.Ref) != acme.patCode {
			t.Fatalf("landing page window.affogato = referral %s ref %s, want %s %s", str(r.Referral), str(r.Ref), click, acme.patCode)
		}
		// Both cookies live side by side on the shared host: the tracker's
		// HttpOnly aff_ref and t.js's own, which lasts the program's 7 days.
		jar := cookies(t, tab, shopA.base+"/")
		weekAhead := float64(time.Now().Add(7 * 24 * time.Hour).Unix())
		if c := jar["aff_ref"]; c == nil || !c.HTTPOnly || c.Value != acme.patCode+"."+click || c.Expires < weekAhead-120 || c.Expires > weekAhead+120 {
			t.Errorf("tracker cookie aff_ref = %+v, want HttpOnly %s.%s for 7 days", c, acme.patCode, click)
		}
		own := jar["affogato_ref"]
		if own == nil || own.HTTPOnly || !strings.HasPrefix(own.Value, acme.patCode+"."+click+".") {
			t.Fatalf("t.js cookie affogato_ref = %+v, want %s.%s.EXPIRY", own, acme.patCode, click)
		}
		if own.Expires < weekAhead-120 || own.Expires > weekAhead+120 {
			t.Errorf("affogato_ref expires %v, want about %v (the program's 7 days, taught by the tracker)", own.Expires, weekAhead)
		}

		visit(t, tab, shopA.base+"/pricing")
		if r := pageReferral(t, tab); str(r.Referral) != click {
			t.Fatalf("second page referral = %s, want %s from the cookie", str(r.Referral), click)
		}
		// The merchant's own ?ref=, an unknown ?via= and a later direct
		// link of the same partner change nothing: the click id stays, and
		// no second click is counted (stats below: 1 click).
		// So does another program's code (the merchant's own ?ref= that a
		// partner of another shop on this tracker took as a code): it is
		// not even counted as a click.
		otherSite := s.metric(`affogato_clicks_not_recorded_total{reason="site"}`)
		for _, path := range []string{"/?ref=producthunt", "/blog?via=nosuchcode", "/?utm_source=x&ref=" + url.QueryEscape("a b"),
			"/?via=" + acme.patCode, "/?ref=" + acme.patCode, "/?ref=" + firstco.samCode} {
			visit(t, tab, shopA.base+path)
			if r := pageReferral(t, tab); str(r.Referral) != click || str(r.Ref) != acme.patCode {
				t.Errorf("after %s: referral %s ref %s, want %s %s kept", path, str(r.Referral), str(r.Ref), click, acme.patCode)
			}
		}
		if got := s.metric(`affogato_clicks_not_recorded_total{reason="site"}`); got != otherSite+1 {
			t.Errorf("visits refused for another program's site: +%v, want +1", got-otherSite)
		}
		visit(t, tab, shopA.base+"/checkout")
		referral := pageReferral(t, tab)
		conv := s.convert(t, acme.apiKey, "a-1", "49.90", str(referral.Referral))
		if !conv.Attributed || conv.PartnerID == nil || *conv.PartnerID != acme.patID || conv.Commission == nil || conv.Commission.Amount != "9.98" {
			t.Fatalf("conversion = %+v, want pat's with 9.98", conv)
		}
		// The conversion API refuses a payment dated far ahead (422) and
		// never gives a payment to a click that came after it.
		ahead := fmt.Sprintf(`{"order_id":"a-future","customer_id":"c","amount":"10.00","click_id":%q,"occurred_at":"2099-01-01T00:00:00Z"}`, click)
		if status, resp := s.postJSON("/api/v1/conversions", acme.apiKey, ahead); status != 422 {
			t.Errorf("a conversion in 2099 = %d %s, want 422", status, resp)
		}
		before := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		for _, field := range []string{`"click_id":"` + click + `"`, `"ref":"` + acme.patCode + `"`} {
			early := fmt.Sprintf(`{"order_id":"a-early-%d","customer_id":"c","amount":"10.00",%s,"occurred_at":%q}`, len(field), field, before)
			status, resp := s.postJSON("/api/v1/conversions", acme.apiKey, early)
			var c conversionOut
			if status != 201 || json.Unmarshal(resp, &c) != nil || c.Attributed {
				t.Errorf("a payment an hour before its click (%s) = %d %s, want 201 unattributed", field, status, resp)
			}
		}
		var st browserStats
		s.sshJSON(s.adminKey, &st, "stats", "acme")
		if st.Clicks != 1 || st.Conversions != 3 || st.Revenue != "69.90" || st.Commission != "9.98" {
			t.Errorf("stats acme --json = %+v, want 1 click, 3 conversions (2 unattributed), 69.90, 9.98", st.statsOut)
		}
		if len(st.Subs) != 1 || st.Subs[0].Sub != "spring" || st.Subs[0].Clicks != 1 ||
			st.Subs[0].Conversions != 1 || st.Subs[0].Revenue != "49.90" || st.Subs[0].Commission != "9.98" {
			t.Errorf("stats acme --json subs = %+v, want spring: 1 click, 1 conversion, 49.90, 9.98", st.Subs)
		}
		var mine browserStats
		s.sshJSON(pat, &mine, "stats", "acme")
		if mine.Commission != "9.98" || len(mine.Subs) != 1 || mine.Subs[0].Sub != "spring" || mine.Subs[0].Code != acme.patCode {
			t.Errorf("pat's stats acme --json = %+v", mine)
		}
		var links []struct {
			Code        string `json:"code"`
			Clicks      int64  `json:"clicks"`
			Conversions int64  `json:"conversions"`
		}
		s.sshJSON(pat, &links, "link", "list", "acme")
		if len(links) != 1 || links[0].Code != acme.patCode || links[0].Clicks != 1 || links[0].Conversions != 1 {
			t.Errorf("pat's link list acme --json = %+v, want 1 click and 1 conversion", links)
		}
		// The text table too: CLICKS and CONVERSIONS end each link's row.
		text := s.mustSSH(pat, "link", "list", "acme")
		var row []string
		for _, line := range strings.Split(text, "\n") {
			if f := strings.Fields(line); len(f) > 0 && slices.Contains(f, acme.patCode) {
				row = f
			}
		}
		if !strings.Contains(text, "CLICKS") || !strings.Contains(text, "CONVERSIONS") || len(row) < 2 ||
			row[len(row)-2] != "1" || row[len(row)-1] != "1" {
			t.Errorf("pat's link list acme, text: want CLICKS 1 and CONVERSIONS 1 on %s's row:\n%s", acme.patCode, text)
		}
		// The merchant's campaign rows name no partner or code.
		var subsMerchant browserStats
		s.sshJSON(s.adminKey, &subsMerchant, "stats", "acme")
		for _, sub := range subsMerchant.Subs {
			if sub.Code != "" || sub.PartnerID != 0 {
				t.Errorf("merchant's campaign row %+v names a partner or code", sub)
			}
		}
	})

	// The README's own setup: the tracker on localhost:PORT and the shop
	// on localhost at another port. Cookies ignore ports, so both cookies
	// share one jar; the page still gets the referral, on the landing page
	// and on the next one.
	t.Run("localhost shop beside the tracker", func(t *testing.T) {
		tracker := "http://localhost:" + strconv.Itoa(s.httpPort)
		shopL := startShop(t, "127.0.0.1", tracker)
		local := "http://localhost:" + shopL.base[strings.LastIndexByte(shopL.base, ':')+1:]
		var prog programOut
		s.sshJSON(s.adminKey, &prog, "program", "create", "localco", "--name", "localco", "--url", local+"/",
			"--commission", "10%", "--hold-days", "0", "--auto-approve")
		var j joinOut
		s.sshJSON(pat, &j, "join", "localco", "--name", "Pat", "--email", "pat@partners.test")
		tab := b.tab()
		landed := visit(t, tab, tracker+"/r/"+j.Code)
		if !strings.HasPrefix(landed, local+"/?") {
			t.Fatalf("landed on %s, want %s/", landed, local)
		}
		click := mustQuery(t, landed, "aff_click")
		if r := pageReferral(t, tab); str(r.Referral) != click {
			t.Fatalf("landing on localhost: referral %s, want %s", str(r.Referral), click)
		}
		jar := cookies(t, tab, local+"/")
		if jar["aff_ref"] == nil || !jar["aff_ref"].HTTPOnly || jar["affogato_ref"] == nil {
			t.Errorf("cookies on localhost = %v, want the tracker's aff_ref and t.js's affogato_ref side by side", jar)
		}
		visit(t, tab, local+"/next")
		if r := pageReferral(t, tab); str(r.Referral) != click {
			t.Errorf("next page on localhost: referral %s, want %s", str(r.Referral), click)
		}
	})

	// Last-click: a later tracked referral (another partner's link, or a
	// direct link) replaces the earlier one.
	t.Run("last-click", func(t *testing.T) {
		tab := b.tab()
		visit(t, tab, link(acme.patCode))
		landed := visit(t, tab, link(acme.samCode, "sub=fall"))
		samClick := mustQuery(t, landed, "aff_click")
		visit(t, tab, shopA.base+"/cart")
		if r := pageReferral(t, tab); str(r.Referral) != samClick {
			t.Fatalf("referral = %s, want sam's later click %s", str(r.Referral), samClick)
		}
		conv := s.convert(t, acme.apiKey, "a-2", "10.00", samClick)
		if conv.PartnerID == nil || *conv.PartnerID != acme.samID {
			t.Errorf("conversion went to %v, want sam %d", conv.PartnerID, acme.samID)
		}
		// Each partner's campaign breakdown has their own links only.
		var samStats, patStats browserStats
		s.sshJSON(sam, &samStats, "stats", "acme")
		if len(samStats.Subs) != 1 || samStats.Subs[0].Code != acme.samCode || samStats.Subs[0].Sub != "fall" ||
			samStats.Subs[0].Clicks != 1 || samStats.Subs[0].Conversions != 1 || samStats.Subs[0].Commission != "2.00" {
			t.Errorf("sam's stats subs = %+v, want fall on %s: 1 click, 1 conversion, 2.00", samStats.Subs, acme.samCode)
		}
		s.sshJSON(pat, &patStats, "stats", "acme")
		for _, sub := range patStats.Subs {
			if sub.Code != acme.patCode || sub.Sub == "fall" {
				t.Errorf("pat's stats subs show %+v, not pat's", sub)
			}
		}
		visit(t, tab, shopA.base+"/?via="+acme.patCode)
		r := pageReferral(t, tab)
		if r.Referral == nil || *r.Referral == samClick || str(r.Ref) != acme.patCode {
			t.Errorf("after pat's direct link: referral %s ref %s, want a new click of pat", str(r.Referral), str(r.Ref))
		}
	})

	// First-click: the first tracked referral stays, whatever comes later.
	t.Run("first-click", func(t *testing.T) {
		tab := b.tab()
		landed := visit(t, tab, link(firstco.patCode))
		if !strings.HasPrefix(landed, shopB.base+"/") || mustQuery(t, landed, "aff_first") != "1" {
			t.Fatalf("landed on %s, want shop B with aff_first=1", landed)
		}
		patClick := mustQuery(t, landed, "aff_click")
		visit(t, tab, link(firstco.samCode))
		// The tracker's own cookie keeps the first referral too.
		if c := cookies(t, tab, s.url("/"))["aff_ref"]; c == nil || c.Value != firstco.patCode+"."+patClick {
			t.Errorf("tracker cookie after sam's link = %+v, want pat's first %s.%s", c, firstco.patCode, patClick)
		}
		visit(t, tab, shopB.base+"/?via="+firstco.samCode)
		visit(t, tab, shopB.base+"/checkout")
		if r := pageReferral(t, tab); str(r.Referral) != patClick || str(r.Ref) != firstco.patCode {
			t.Fatalf("referral = %s (%s), want pat's first click %s", str(r.Referral), str(r.Ref), patClick)
		}
		conv := s.convert(t, firstco.apiKey, "f-1", "49.90", patClick)
		if conv.PartnerID == nil || *conv.PartnerID != firstco.patID || conv.Commission == nil || conv.Commission.Amount != "4.99" {
			t.Errorf("conversion = %+v, want pat's with 4.99", conv)
		}
	})

	// A direct link to the shop (?via=CODE) is registered as a click and
	// attributes by its click id.
	t.Run("direct link", func(t *testing.T) {
		var before browserStats
		s.sshJSON(s.adminKey, &before, "stats", "firstco")
		tab := b.tab()
		visit(t, tab, shopB.base+"/landing?via="+firstco.samCode)
		r := pageReferral(t, tab)
		if r.Referral == nil || str(r.Ref) != firstco.samCode || r.Expires == nil {
			t.Fatalf("after a direct link: %+v, want a click id, ref and expiry", r)
		}
		exp, err := time.Parse(time.RFC3339, *r.Expires)
		if err != nil || exp.Sub(time.Now().Add(30*24*time.Hour)).Abs() > 2*time.Minute {
			t.Errorf("expires = %s, want about 30 days ahead", *r.Expires)
		}
		visit(t, tab, shopB.base+"/pay")
		if again := pageReferral(t, tab); str(again.Referral) != *r.Referral {
			t.Errorf("second page referral = %s, want %s", str(again.Referral), *r.Referral)
		}
		var after browserStats
		s.sshJSON(s.adminKey, &after, "stats", "firstco")
		if after.Clicks != before.Clicks+1 {
			t.Errorf("clicks %d → %d, want one more for the direct link", before.Clicks, after.Clicks)
		}
		conv := s.convert(t, firstco.apiKey, "f-2", "20.00", *r.Referral)
		if conv.PartnerID == nil || *conv.PartnerID != firstco.samID {
			t.Errorf("conversion = %+v, want sam's", conv)
		}
		// A page that includes t.js twice registers the visit once.
		twice := b.tab()
		visit(t, twice, shopB.base+"/twice?via="+firstco.patCode)
		if r := pageReferral(t, twice); r.Referral == nil || str(r.Ref) != firstco.patCode {
			t.Errorf("t.js twice on a direct link's page: %+v, want pat's click", r)
		}
		var counted browserStats
		s.sshJSON(s.adminKey, &counted, "stats", "firstco")
		if counted.Clicks != after.Clicks+1 {
			t.Errorf("t.js twice on a page: clicks %d → %d, want one more", after.Clicks, counted.Clicks)
		}
		after = counted
		// An unknown code changes nothing and counts nothing.
		fresh := b.tab()
		visit(t, fresh, shopB.base+"/?via=nobody-here")
		if r := pageReferral(t, fresh); r.Referral != nil || r.Ref != nil {
			t.Errorf("unknown direct code: %+v, want no referral", r)
		}
		s.sshJSON(s.adminKey, &before, "stats", "firstco")
		if before.Clicks != after.Clicks {
			t.Errorf("an unknown code counted a click: %d → %d", after.Clicks, before.Clicks)
		}
	})

	// A single-page shop: navigations by history.pushState, replaceState
	// and the back button (browser_spa_test.go).
	t.Run("single-page shop", func(t *testing.T) {
		testSinglePageShop(t, s, b, shopA, shopB, acme, firstco)
	})

	// Deep links: to= on an allowed host lands there with the referral; on
	// any other host the visitor goes to the website (never an open
	// redirect). 127.0.0.3 is loopback and serves nothing.
	t.Run("deep links", func(t *testing.T) {
		tab := b.tab()
		landed := visit(t, tab, link(acme.patCode, "to="+url.QueryEscape(shopB.base+"/deep/page?x=1")))
		if !strings.HasPrefix(landed, shopB.base+"/deep/page?x=1&") {
			t.Fatalf("allowed deep link landed on %s, want %s/deep/page?x=1&…", landed, shopB.base)
		}
		if r := pageReferral(t, tab); str(r.Referral) != mustQuery(t, landed, "aff_click") {
			t.Errorf("deep link landing referral = %s", str(r.Referral))
		}
		landed = visit(t, tab, link(acme.patCode, "to="+url.QueryEscape("http://127.0.0.3:9/steal")))
		if !strings.HasPrefix(landed, shopA.base+"/?") {
			t.Errorf("disallowed deep link landed on %s, want the website %s/", landed, shopA.base)
		}
		landed = visit(t, tab, link(acme.patCode, "to=/docs/start"))
		if !strings.HasPrefix(landed, shopA.base+"/docs/start?") {
			t.Errorf("path deep link landed on %s", landed)
		}
	})

	// t.js merges into the merchant's window.affogato, never throws in a
	// sandboxed frame (no allow-same-origin: cookies throw SecurityError),
	// and always defines referral (null when unknown).
	t.Run("merge and sandbox", func(t *testing.T) {
		tab := b.tab()
		visit(t, tab, shopA.base+"/merge")
		if r := pageReferral(t, tab); r.Type != "object" || str(r.Merchant) != "kept" || !r.HasKey || r.Referral != nil {
			t.Errorf("merged window.affogato = %+v, want the merchant's key kept and referral null", r)
		}
		exp := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
		visit(t, tab, shopA.base+"/merge?ref="+acme.patCode+"&aff_click=123&aff_exp="+exp)
		if r := pageReferral(t, tab); str(r.Merchant) != "kept" || str(r.Referral) != "123" {
			t.Errorf("merged window.affogato = %+v, want merchant kept and referral 123", r)
		}
		clicksBefore := s.metric("affogato_clicks_recorded_total")
		for _, tt := range []struct{ query, want string }{
			{"", "<null>"},
			{"?ref=" + acme.patCode + "&aff_click=77&aff_exp=" + exp, "77"}, // from the URL: no cookie there
			// A direct link, registered from an opaque origin (Origin:
			// null): the tracker's next click id.
			{"?via=" + acme.patCode, "next"},
		} {
			visit(t, tab, shopA.base+"/sandbox"+tt.query)
			r, err := chromedp.Run(tab, chromedp.Evaluate[referral](`window.frameReport`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("sandboxed frame report: %v", err)
			}
			if tt.want == "next" {
				// Counted as one click, and the frame holds its id.
				if after := s.metric("affogato_clicks_recorded_total"); after == clicksBefore+1 && r.Referral != nil &&
					*r.Referral != "77" && *r.Referral != "123" && str(r.Ref) == acme.patCode {
					tt.want = *r.Referral
				}
			}
			if r.Type != "object" || !r.HasKey || str(r.Referral) != tt.want || len(r.Errors) > 0 {
				t.Errorf("sandboxed frame%s: window.affogato = %+v, want an object with referral %s", tt.query, r, tt.want)
			}
		}
		// A frozen window.affogato is copied (its keys kept) instead of
		// written into; a read-only one is left alone; neither throws.
		visit(t, tab, shopA.base+"/frozen?ref="+acme.patCode+"&aff_click=124&aff_exp="+exp)
		if r := pageReferral(t, tab); r.Type != "object" || str(r.Merchant) != "kept" || str(r.Referral) != "124" {
			t.Errorf("frozen window.affogato = %+v, want a copy with merchant kept and referral 124", r)
		}
		visit(t, tab, shopA.base+"/locked?ref="+acme.patCode+"&aff_click=125&aff_exp="+exp)
		if r := pageReferral(t, tab); r.Type != "object" || str(r.Merchant) != "kept" {
			t.Errorf("read-only window.affogato = %+v, want the merchant's object untouched", r)
		}
		// A referral past its expiry is not taken.
		old := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
		fresh := b.tab()
		visit(t, fresh, shopA.base+"/?ref="+acme.patCode+"&aff_click=99&aff_exp="+old)
		if r := pageReferral(t, fresh); r.Referral != nil {
			t.Errorf("an expired referral was taken: %+v", r)
		}
	})

	// t.js comes gzipped with an ETag, and a revalidation by the browser
	// gets 304 (counted by the tracker's own metrics).
	t.Run("t.js caching", func(t *testing.T) {
		tab := b.tab()
		evctx, cancel := context.WithTimeout(tab, 30*time.Second)
		defer cancel()
		responses := chromedp.Events(evctx, network.ResponseReceived)
		before := s.metric(`affogato_http_requests_total{code="304",route="script"}`)
		visit(t, tab, shopA.base+"/")
		for ev, err := range responses {
			if err != nil {
				t.Fatalf("no t.js response seen within 30s: %v", err)
			}
			if ev.Response.URL != s.url("/t.js") {
				continue
			}
			h := map[string]string{}
			for k, v := range ev.Response.Headers {
				h[strings.ToLower(k)] = fmt.Sprint(v)
			}
			if ev.Response.Status != 200 || h["content-encoding"] != "gzip" || h["etag"] == "" {
				t.Errorf("t.js answered %d with headers %v, want 200 gzip with an ETag", ev.Response.Status, h)
			}
			break
		}
		status, err := chromedp.Run(tab, chromedp.Evaluate[int](
			`fetch(`+strconv.Quote(s.url("/t.js"))+`, {cache: "no-cache"}).then(function (r) { return r.status; })`,
			chromedp.EvalAwaitPromise))
		if err != nil || status != 200 {
			t.Fatalf("revalidate t.js: %d %v", status, err)
		}
		if after := s.metric(`affogato_http_requests_total{code="304",route="script"}`); after != before+1 {
			t.Errorf("t.js 304 answers %v → %v, want one for the browser's revalidation", before, after)
		}
	})

	// Cookies blocked: the referral still comes from the landing URL (and
	// from the tracker for a direct link), and nothing is stored.
	t.Run("cookies blocked", func(t *testing.T) {
		nb := newBrowser(t, true)
		tab := nb.tab()
		landed := visit(t, tab, link(acme.samCode))
		click := mustQuery(t, landed, "aff_click")
		if r := pageReferral(t, tab); str(r.Referral) != click {
			t.Fatalf("landing without cookies: referral %s, want %s from the URL", str(r.Referral), click)
		}
		if jar := cookies(t, tab, shopA.base+"/"); len(jar) != 0 {
			t.Errorf("cookies were stored although blocked: %v", jar)
		}
		conv := s.convert(t, acme.apiKey, "a-3", "10.00", click)
		if conv.PartnerID == nil || *conv.PartnerID != acme.samID {
			t.Errorf("conversion = %+v, want sam's", conv)
		}
		visit(t, tab, shopB.base+"/?via="+firstco.patCode)
		if r := pageReferral(t, tab); r.Referral == nil || str(r.Ref) != firstco.patCode {
			t.Errorf("direct link without cookies: %+v, want the tracker's click id", r)
		}
		if bad := nb.consoleErrors(); len(bad) > 0 {
			t.Errorf("console errors with cookies blocked:\n%s", strings.Join(bad, "\n"))
		}
	})

	// No console errors anywhere, and the console is really watched: a
	// deliberate error is seen.
	if bad := b.consoleErrors(); len(bad) > 0 {
		t.Errorf("console errors or exceptions:\n%s", strings.Join(bad, "\n"))
	}
	tab := b.tab()
	visit(t, tab, shopA.base+"/probe")
	if _, err := chromedp.Run(tab, chromedp.Evaluate[any](`console.error("affogato-probe")`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second) // generous for a loaded machine
	for len(b.consoleErrors()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if bad := b.consoleErrors(); len(bad) != 1 || !strings.Contains(bad[0], "affogato-probe") {
		t.Errorf("the console watch missed a deliberate error: %v", bad)
	}
	// A request answered with an error status is red in the console too:
	// the watch sees it, so "no console errors" above also means no
	// failed request (t.js's visit registrations included).
	visit(t, tab, s.url("/healthz"))
	if status, err := chromedp.Run(tab, chromedp.Evaluate[int](`fetch("/api/v1/no-such", {method: "POST", body: "{}"})`+
		`.then(function (r) { return r.status; })`, chromedp.EvalAwaitPromise)); err != nil || status != 404 {
		t.Fatalf("probe request: %d %v", status, err)
	}
	seen := func() bool {
		for _, m := range b.consoleErrors() {
			if strings.Contains(m, "404") && strings.Contains(m, "/api/v1/no-such") {
				return true
			}
		}
		return false
	}
	deadline = time.Now().Add(30 * time.Second)
	for !seen() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !seen() {
		t.Errorf("the console watch missed a failed request: %v", b.consoleErrors())
	}
}

// mustQuery returns a query parameter of a URL the browser landed on.
func mustQuery(t *testing.T, raw, name string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Query().Get(name) == "" {
		t.Fatalf("%s has no %s", raw, name)
	}
	return u.Query().Get(name)
}
