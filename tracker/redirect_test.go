package tracker

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store"
)

func location(t *testing.T, rr interface{ Header() http.Header }) *url.URL {
	t.Helper()
	u, err := url.Parse(rr.Header().Get("Location"))
	if err != nil || u.Scheme == "" || u.Host == "" {
		t.Fatalf("Location %q is not an absolute URL: %v", rr.Header().Get("Location"), err)
	}
	return u
}

func TestRedirectRecordsClick(t *testing.T) {
	e := newEnv(t, Config{ClickFloodLimit: 120})
	code := e.partner.Code
	rr := e.request(http.MethodGet, "/r/"+code+"?sub=spring", "", "User-Agent", "curl/8.5.0")
	if rr.Code != http.StatusFound {
		t.Fatalf("status %d, want 302: %s", rr.Code, rr.Body)
	}
	if got := rr.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
	loc := location(t, rr)
	if loc.Scheme != "https" || loc.Host != "acme.test" || loc.Path != "/" {
		t.Errorf("Location %s, want https://acme.test/", loc)
	}
	q := loc.Query()
	clickID := q.Get("aff_click")
	if q.Get("ref") != code || clickID == "" {
		t.Fatalf("Location %s lacks ref=%s and aff_click", loc, code)
	}
	cookies := rr.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("%d cookies, want 1: %v", len(cookies), rr.Header()["Set-Cookie"])
	}
	c := cookies[0]
	if c.Name != "aff_ref" || c.Value != code+"."+clickID || c.Path != "/" ||
		c.MaxAge != 30*86400 || c.SameSite != http.SameSiteLaxMode || !c.HttpOnly {
		t.Errorf("cookie %+v, want aff_ref=%s.%s Path=/ Max-Age=2592000 SameSite=Lax HttpOnly", c, code, clickID)
	}
	if c.Secure {
		t.Errorf("cookie is Secure under an http public URL")
	}
	if got := e.metric("affogato_clicks_recorded_total"); got != 1 {
		t.Errorf("clicks recorded metric %v, want 1", got)
	}

	// The click is in the ledger: a conversion naming it is attributed.
	e.clock.Add(time.Minute)
	rr = e.api("/api/v1/conversions", `{"order_id":"o1","customer_id":"c1","amount":"50.00","currency":"USD","click_id":"`+clickID+`"}`)
	if rr.Code != http.StatusCreated {
		t.Fatalf("conversion: %d %s", rr.Code, rr.Body)
	}
	m := jsonBody(t, rr)
	if m["attributed"] != true || m["partner_id"] != float64(e.partner.ID) {
		t.Errorf("conversion after click not attributed to partner %d: %s", e.partner.ID, rr.Body)
	}
}

func TestRedirectSecureCookieUnderHTTPS(t *testing.T) {
	e := newEnv(t, Config{PublicURL: "https://go.acme.test"})
	rr := e.request(http.MethodGet, "/r/"+e.partner.Code, "")
	cs := rr.Result().Cookies()
	if len(cs) != 1 || !cs[0].Secure {
		t.Fatalf("want one Secure cookie under an https public URL, got %v", rr.Header()["Set-Cookie"])
	}
}

func TestRedirectLinkTargetKeepsQuery(t *testing.T) {
	e := newEnv(t, Config{})
	if _, err := e.st.CreateLink(e.partnerA, "acme", "pat-pricing", "/pricing?plan=pro&x=a%20b#top"); err != nil {
		t.Fatalf("create link: %v", err)
	}
	rr := e.request(http.MethodGet, "/r/pat-pricing", "")
	loc := location(t, rr)
	if loc.Host != "acme.test" || loc.Path != "/pricing" || loc.Fragment != "top" {
		t.Fatalf("Location %s, want https://acme.test/pricing…#top", loc)
	}
	raw := loc.RawQuery
	if !strings.HasPrefix(raw, "plan=pro&x=a%20b&ref=pat-pricing&aff_click=") {
		t.Errorf("query %q: existing query must be kept first, as it was", raw)
	}
}

func TestRedirectTo(t *testing.T) {
	e := newEnv(t, Config{})
	e.set("acme", "domains", "shop.acme.test, docs.acme.test")
	code := e.partner.Code
	tests := []struct {
		to       string
		wantHost string
		wantPath string
		wantQ    string // a query param that must be kept, "k=v"
	}{
		{"/blog/post-1", "acme.test", "/blog/post-1", ""},
		{"/search?q=go", "acme.test", "/search", "q=go"},
		{"https://shop.acme.test/cart?item=7", "shop.acme.test", "/cart", "item=7"},
		{"https://SHOP.acme.test:8443/x", "shop.acme.test:8443", "/x", ""},
		{"http://acme.test/plain", "acme.test", "/plain", ""},
		{"https://docs.acme.test", "docs.acme.test", "/", ""},
	}
	for _, tt := range tests {
		t.Run(tt.to, func(t *testing.T) {
			rr := e.request(http.MethodGet, "/r/"+code+"?to="+url.QueryEscape(tt.to), "")
			if rr.Code != http.StatusFound {
				t.Fatalf("status %d", rr.Code)
			}
			loc := location(t, rr)
			if strings.ToLower(loc.Host) != tt.wantHost || loc.Path != tt.wantPath {
				t.Errorf("to=%s → %s, want host %s path %s", tt.to, loc, tt.wantHost, tt.wantPath)
			}
			if loc.Query().Get("ref") != code || loc.Query().Get("aff_click") == "" {
				t.Errorf("to=%s → %s lacks ref/aff_click", tt.to, loc)
			}
			if tt.wantQ != "" {
				k, v, _ := strings.Cut(tt.wantQ, "=")
				if loc.Query().Get(k) != v {
					t.Errorf("to=%s → %s lost %s", tt.to, loc, tt.wantQ)
				}
			}
		})
	}
}

func TestRedirectNeverOpen(t *testing.T) {
	e := newEnv(t, Config{})
	code := e.partner.Code
	attempts := []string{
		"https://evil.com",
		"https://evil.com/acme.test",
		"//evil.com",
		"//evil.com/path",
		"///evil.com",
		`/\evil.com`,
		`\\evil.com`,
		`/\/evil.com`,
		"https://acme.test.evil.com",
		"https://evil.com@acme.test",
		"https://acme.test@evil.com",
		"https://acme.test:443@evil.com",
		`https://evil.com\@acme.test`,
		"https://evil.com#@acme.test",
		"https://evil.com?.acme.test",
		"javascript:alert(1)",
		"JavaScript://acme.test/%0aalert(1)",
		"data:text/html,<script>alert(1)</script>",
		"ftp://acme.test/file",
		"https:evil.com",
		"https:/evil.com",
		"/\t/evil.com",
		"\n//evil.com",
		" //evil.com",
		"evil.com",
		"https://evilacme.test",
		"https://acme.test%2F@evil.com",
		"https://[::1]/",
		"https://127.0.0.1/",
	}
	for _, to := range attempts {
		rr := e.request(http.MethodGet, "/r/"+code+"?to="+url.QueryEscape(to), "")
		if rr.Code != http.StatusFound {
			t.Errorf("to=%q: status %d, want 302 to the website", to, rr.Code)
			continue
		}
		raw := rr.Header().Get("Location")
		loc := location(t, rr)
		// Read the Location as a browser would: backslashes are slashes.
		browser, err := url.Parse(strings.ReplaceAll(raw, `\`, "/"))
		if err != nil || loc.Host != "acme.test" || loc.User != nil || browser.Host != "acme.test" ||
			!strings.HasPrefix(raw, "https://acme.test/") {
			t.Errorf("to=%q → Location %q: an open redirect (want the website https://acme.test/)", to, raw)
		}
	}
}

func TestRedirectUnknownCode(t *testing.T) {
	e := newEnv(t, Config{})
	for _, path := range []string{"/r/nosuchcode", "/r/bad%20code", "/r/" + strings.Repeat("x", 100), "/r/%3Cscript%3E"} {
		rr := e.request(http.MethodGet, path, "")
		if rr.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, rr.Code)
			continue
		}
		if ct := rr.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q, want the HTML page", path, ct)
		}
		if !strings.Contains(rr.Body.String(), "does not exist") || rr.Header().Get("Location") != "" {
			t.Errorf("%s: want the 404 page without a redirect, got %q", path, rr.Body)
		}
	}
}

func TestRedirectNotCounted(t *testing.T) {
	e := newEnv(t, Config{ClickFloodLimit: 120})
	code := e.partner.Code
	tests := []struct {
		name, method, ua, reason string
	}{
		{"head", http.MethodHead, "Mozilla/5.0", "head"},
		{"googlebot", http.MethodGet, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot"},
		{"slack", http.MethodGet, "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "bot"},
		{"facebook", http.MethodGet, "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "bot"},
		{"generic crawler", http.MethodGet, "SomeCrawler/3.0 (+https://example.org)", "bot"},
		{"gptbot", http.MethodGet, "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.2", "bot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.metric(`affogato_clicks_not_recorded_total{reason="` + tt.reason + `"}`)
			rr := e.request(tt.method, "/r/"+code, "", "User-Agent", tt.ua)
			if rr.Code != http.StatusFound {
				t.Fatalf("status %d, want 302", rr.Code)
			}
			loc := location(t, rr)
			if loc.Query().Get("ref") != code || loc.Query().Has("aff_click") {
				t.Errorf("Location %s: want ref without aff_click", loc)
			}
			if len(rr.Result().Cookies()) != 0 {
				t.Errorf("a cookie was set for an uncounted visit")
			}
			if got := e.metric(`affogato_clicks_not_recorded_total{reason="` + tt.reason + `"}`); got != before+1 {
				t.Errorf("not-recorded metric for %s: %v, want %v", tt.reason, got, before+1)
			}
		})
	}
	if got := e.metric("affogato_clicks_recorded_total"); got != 0 {
		t.Errorf("clicks recorded %v, want 0", got)
	}
	// Humans (and curl, and an empty agent) count.
	for _, ua := range []string{"curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", ""} {
		rr := e.request(http.MethodGet, "/r/"+code, "", "User-Agent", ua)
		if !location(t, rr).Query().Has("aff_click") {
			t.Errorf("user agent %q was not counted", ua)
		}
	}
}

func TestRedirectUnapprovedPartner(t *testing.T) {
	e := newEnv(t, Config{})
	if _, err := e.st.SetPartnerStatus(e.admin, "acme", e.partner.ID, store.PartnerSuspended); err != nil {
		t.Fatalf("suspend: %v", err)
	}
	rr := e.request(http.MethodGet, "/r/"+e.partner.Code+"?to=/pricing", "")
	if rr.Code != http.StatusFound {
		t.Fatalf("status %d, want 302 (never refuse a visitor)", rr.Code)
	}
	if got := rr.Header().Get("Location"); got != "https://acme.test/pricing" {
		t.Errorf("Location %q, want https://acme.test/pricing without attribution", got)
	}
	if len(rr.Result().Cookies()) != 0 {
		t.Error("cookie set for a suspended partner")
	}
	if got := e.metric(`affogato_clicks_not_recorded_total{reason="unapproved"}`); got != 1 {
		t.Errorf("unapproved metric %v, want 1", got)
	}
}

func TestRedirectFloodLimit(t *testing.T) {
	e := newEnv(t, Config{ClickFloodLimit: 3})
	code := e.partner.Code
	visit := func(addr string) bool {
		rr := e.request(http.MethodGet, "/r/"+code, "", "RemoteAddr", addr)
		if rr.Code != http.StatusFound {
			t.Fatalf("status %d: the redirector must never refuse a visitor", rr.Code)
		}
		loc := location(t, rr)
		if loc.Query().Get("ref") != code {
			t.Fatalf("Location %s lost ref", loc)
		}
		return loc.Query().Has("aff_click")
	}
	for i := range 3 {
		if !visit("198.51.100.7:5000") {
			t.Fatalf("click %d within the limit not recorded", i+1)
		}
	}
	if visit("198.51.100.7:5001") {
		t.Error("4th click in a minute from one IP was recorded")
	}
	if !visit("198.51.100.8:5000") {
		t.Error("another IP was held back by the first one's flood")
	}
	// IPv6 clients are counted per /64.
	for i := range 3 {
		visit("[2001:db8:1:2::" + string(rune('a'+i)) + "]:443")
	}
	if visit("[2001:db8:1:2::ff]:443") {
		t.Error("4th click from one IPv6 /64 was recorded")
	}
	if got := e.metric(`affogato_clicks_not_recorded_total{reason="flood"}`); got != 2 {
		t.Errorf("flood metric %v, want 2", got)
	}
	e.clock.Add(time.Minute)
	if !visit("198.51.100.7:5000") {
		t.Error("the IP is still held back in the next minute")
	}
}

func TestRedirectPaidAdsFlag(t *testing.T) {
	e := newEnv(t, Config{})
	e.set("acme", "paid-ads", "forbid")
	code := e.partner.Code
	paid := e.click(code + "?gclid=abc123")
	organic := e.click(code + "?utm_source=news")
	e.clock.Add(time.Hour)
	for _, c := range []struct {
		order, click string
		flagged      bool
	}{{"paid-1", paid, true}, {"organic-1", organic, false}} {
		rr := e.api("/api/v1/conversions", `{"order_id":"`+c.order+`","customer_id":"`+c.order+`","amount":"10.00","click_id":"`+c.click+`"}`)
		if rr.Code != http.StatusCreated {
			t.Fatalf("%s: %d %s", c.order, rr.Code, rr.Body)
		}
		has := strings.Contains(rr.Body.String(), `"`+store.FlagPaidAds+`"`)
		if has != c.flagged {
			t.Errorf("%s: paid_ads flag %v, want %v: %s", c.order, has, c.flagged, rr.Body)
		}
	}
}

func TestRedirectMethodNotAllowed(t *testing.T) {
	e := newEnv(t, Config{})
	rr := e.request(http.MethodPost, "/r/"+e.partner.Code, "")
	if rr.Code != http.StatusMethodNotAllowed || errorCode(t, rr) != codeMethodNotAllowed {
		t.Fatalf("POST /r/: %d %s, want 405 JSON", rr.Code, rr.Body)
	}
	if allow := rr.Header().Get("Allow"); allow != "GET, HEAD" {
		t.Errorf("Allow %q", allow)
	}
}

func TestCleanSub(t *testing.T) {
	long := strings.Repeat("é", 70)
	tests := []struct{ in, want string }{
		{"", ""},
		{"spring-sale", "spring-sale"},
		{"  spaced  ", "spaced"},
		{"a\x1b[31mred\x07", "ared"},
		{long, strings.Repeat("é", 64)},
		{"bad\xffutf8", "badutf8"},
	}
	for _, tt := range tests {
		if got := cleanSub(tt.in); got != tt.want {
			t.Errorf("cleanSub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWithParams(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://a.test", "https://a.test/?ref=c&aff_click=1"},
		{"https://a.test/p?x=1&ref=old&y=%20#frag", "https://a.test/p?x=1&y=%20&ref=c&aff_click=1#frag"},
		{"https://a.test/p?aff_click=9", "https://a.test/p?ref=c&aff_click=1"},
		{"https://a.test/p?aff_first=1&aff_exp=9999999999&a=b", "https://a.test/p?a=b&ref=c&aff_click=1"},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.in)
		if got := withParams(u, "ref", "c", "aff_click", "1"); got != tt.want {
			t.Errorf("withParams(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestIsBot(t *testing.T) {
	for _, ua := range []string{"Googlebot/2.1", "Mozilla/5.0 (compatible; bingbot/2.0)", "Twitterbot/1.0",
		"Mozilla/5.0 (compatible; AhrefsBot/7.0)", "WhatsApp/2.23", "TelegramBot (like TwitterBot)",
		"Mozilla/5.0 (compatible; YandexBot/3.0)", "Baiduspider+(+http://www.baidu.com)", "CCBot/2.0",
		"ClaudeBot/1.0", "Discordbot/2.0", "LinkedInBot/1.0", "Applebot/0.1", "PetalBot", "MJ12bot/v1.4.8"} {
		if !isBot(ua) {
			t.Errorf("isBot(%q) = false", ua)
		}
	}
	for _, ua := range []string{"", "curl/8.5.0", "Wget/1.21", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)",
		"python-requests/2.31", "Go-http-client/1.1"} {
		if isBot(ua) {
			t.Errorf("isBot(%q) = true", ua)
		}
	}
}
