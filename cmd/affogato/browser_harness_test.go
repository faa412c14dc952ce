package main

// The browser harness: a real headless Chromium (Debian's chromium package)
// driven with chromedp against the real binary and two merchant sites served
// on loopback. Everything the browser loads is on 127.0.0.0/8.

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromiumNames are the executables tried, in order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// chromiumPath finds the browser or fails the test: the browser tests never
// skip (CI installs chromium).
func chromiumPath(t *testing.T) string {
	t.Helper()
	p, err := findChromium(os.Getenv, exec.LookPath)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// findChromium is AFFOGATO_TEST_CHROMIUM, else the first of chromiumNames
// on the PATH, else an error that says how to install it.
func findChromium(getenv func(string) string, lookPath func(string) (string, error)) (string, error) {
	if p := getenv("AFFOGATO_TEST_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range chromiumNames {
		if p, err := lookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("Chromium is not installed, and the browser tests need it (they never skip): "+
		"apt-get install chromium (.ci/run installs it), or point AFFOGATO_TEST_CHROMIUM at a Chrome binary; tried %v",
		chromiumNames)
}

// browser is one headless Chromium with a fresh user-data dir. Every tab it
// opens collects its console; failOnConsoleErrors checks them all.
type browser struct {
	t      *testing.T
	ctx    context.Context
	mu     sync.Mutex
	msgs   []string // "type: text" of every console message of every tab
	logged sync.WaitGroup
}

// newBrowser starts Chromium with the flags the issue names. With
// blockCookies the profile blocks every cookie (the user setting "Block all
// cookies", written into the fresh profile's Preferences before start).
func newBrowser(t *testing.T, blockCookies bool) *browser {
	t.Helper()
	exe := chromiumPath(t)
	dir := t.TempDir()
	if blockCookies {
		prefs := `{"profile":{"default_content_setting_values":{"cookies":2},"block_third_party_cookies":true}}`
		if err := os.MkdirAll(filepath.Join(dir, "Default"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Default", "Preferences"), []byte(prefs), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := &lockedBuffer{}
	// However Chromium misbehaves, the browser ends (and every action
	// fails) after four minutes instead of hanging the suite (the whole
	// test takes about 10 s; a loaded machine may need several times that).
	limit, cancelLimit := context.WithTimeout(context.Background(), 4*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(limit,
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(dir),
		// The flags, exactly; chromedp adds only the fresh
		// --user-data-dir and its control channel, --remote-debugging-pipe.
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Two more: containers often give /dev/shm 64 MB, too little
		// for Chromium's renderers (they crash mid-test) ...
		chromedp.Flag("disable-dev-shm-usage", true),
		// ... and tests reach loopback only: nothing resolves but localhost and
		// the 127.0.0.x addresses the tracker and the shops listen on.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE 127.0.0.2, EXCLUDE 127.0.0.3"),
		chromedp.CombinedOutput(out),
	)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	b := &browser{t: t, ctx: bctx}
	// Start the browser now, so a start failure reads as one.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		cancelBrowser()
		cancelAlloc()
		cancelLimit()
		t.Fatalf("start Chromium (%s): %v\n%s", exe, err, out.String())
	}
	b.watch(bctx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelLimit()
		b.logged.Wait()
	})
	return b
}

// tab opens a tab in a new browser context: its own cookie jar, as a new
// visitor has.
func (b *browser) tab() context.Context {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	b.watch(ctx)
	return ctx
}

// watch collects the console messages, uncaught exceptions and browser log
// entries of ctx's tab until the tab closes.
func (b *browser) watch(ctx context.Context) {
	msgs := chromedp.Console(ctx)
	b.logged.Add(1)
	go func() {
		defer b.logged.Done()
		for m, err := range msgs {
			if err != nil {
				return
			}
			line := m.String()
			if m.URL != "" {
				line += " (" + m.URL + ")"
			}
			b.mu.Lock()
			b.msgs = append(b.msgs, line)
			b.mu.Unlock()
		}
	}()
}

// consoleErrors returns the errors and exceptions seen so far.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var bad []string
	for _, m := range b.msgs {
		if strings.HasPrefix(m, string(chromedp.ConsoleError)+":") || strings.HasPrefix(m, string(chromedp.ConsoleException)+":") {
			bad = append(bad, m)
		}
	}
	return bad
}

// visit navigates ctx's tab to url and returns where it ended up.
func visit(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate to %s: %v", url, err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("location after %s: %v", url, err)
	}
	return loc
}

// referral is what t.js exposes on window.affogato.
type referral struct {
	Type     string  `json:"type"` // typeof window.affogato
	Referral *string `json:"referral"`
	Ref      *string `json:"ref"`
	Expires  *string `json:"expires"`
	Merchant *string `json:"merchant"`
	HasKey   bool    `json:"has_referral_key"` // "referral" in window.affogato
	// Errors are the page's uncaught errors (window "error" events): a
	// sandboxed frame runs in a process of its own, out of the console's
	// reach, so each page records its own.
	Errors []string `json:"errors"`
}

const readAffogato = `(function (a) {
  var errs = window.pageErrors || [];
  if (!a) return {type: typeof a, referral: null, ref: null, expires: null, merchant: null, has_referral_key: false, errors: errs};
  return {type: typeof a, referral: a.referral, ref: a.ref, expires: a.expires,
          merchant: typeof a.merchant === "string" ? a.merchant : null, has_referral_key: "referral" in a, errors: errs};
})(window.affogato)`

// pageReferral reads window.affogato once t.js is done (after a direct
// link's registration with the tracker, when there was one).
func pageReferral(t *testing.T, ctx context.Context) referral {
	t.Helper()
	expr := `(window.affogato && window.affogato.ready ? window.affogato.ready : Promise.resolve()).then(function () { return ` + readAffogato + `; })`
	r, err := chromedp.Run(ctx, chromedp.Evaluate[referral](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read window.affogato: %v", err)
	}
	if len(r.Errors) > 0 {
		t.Errorf("uncaught errors on the page: %q", r.Errors)
	}
	return r
}

// cookies returns the browser's cookies for url by name.
func cookies(t *testing.T, ctx context.Context, url string) map[string]*network.Cookie {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		t.Fatalf("get cookies of %s: %v", url, err)
	}
	out := map[string]*network.Cookie{}
	for _, c := range res.Cookies {
		out[c.Name] = c
	}
	return out
}

// shop is a merchant's website on loopback that includes t.js from the
// tracker on every page.
type shop struct {
	base string // http://HOST:PORT
	srv  *http.Server
}

// shopPage is every page of a test shop. Merge, Frozen and Locked set a
// merchant's own window.affogato before t.js (a plain object, a frozen one,
// a frozen one on a read-only window property); Twice includes t.js a
// second time; Frame embeds a sandboxed iframe (scripts only, no
// same origin) that reports window.affogato to the page; SPA (paths under
// /spa) keeps history.pushState as it was before t.js, as a router that
// took it first does (window.rawPush).
var shopPage = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>{{.Title}}</title>
<script>window.pageErrors = []; window.addEventListener("error", function (e) { window.pageErrors.push(String(e.message)); });</script>
{{if .SPA}}<script>window.rawPush = history.pushState.bind(history);</script>{{end}}
{{if .Merge}}<script>window.affogato = {merchant: "kept", referral: "stale"};</script>{{end}}
{{if .Frozen}}<script>window.affogato = Object.freeze({merchant: "kept", referral: "stale"});</script>{{end}}
{{if .Locked}}<script>Object.defineProperty(window, "affogato", {value: Object.freeze({merchant: "kept"}), writable: false, configurable: false});</script>{{end}}
<script src="{{.Tracker}}/t.js"></script>
{{if .Twice}}<script src="{{.Tracker}}/t.js"></script>{{end}}
{{if .Frame}}<script>window.frameReport = new Promise(function (resolve) {
  window.addEventListener("message", function (e) { resolve(e.data); });
});</script>{{end}}
{{if .InFrame}}<script>(window.affogato && window.affogato.ready || Promise.resolve()).then(function () {
  parent.postMessage(` + readAffogato + `, "*");
});</script>{{end}}
</head><body><h1>{{.Title}}</h1>
{{if .Frame}}<iframe sandbox="allow-scripts" src="/frame{{.Query}}"></iframe>{{end}}
</body></html>`))

// startShop serves a shop on host (a 127.0.0.0/8 address) at a free port.
func startShop(t *testing.T, host, trackerURL string) *shop {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("shop listener on %s: %v", host, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/favicon.ico" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		q := ""
		if r.URL.RawQuery != "" {
			q = "?" + r.URL.RawQuery
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = shopPage.Execute(w, map[string]any{
			"Title": "shop " + host + r.URL.Path, "Tracker": template.URL(trackerURL),
			"Merge": r.URL.Path == "/merge" || strings.HasPrefix(r.URL.Path, "/spa/merge"), "SPA": strings.HasPrefix(r.URL.Path, "/spa"), "Frozen": r.URL.Path == "/frozen", "Twice": r.URL.Path == "/twice", "Locked": r.URL.Path == "/locked", "Frame": r.URL.Path == "/sandbox", "InFrame": r.URL.Path == "/frame",
			"Query": template.URL(q),
		})
	})
	s := &shop{base: "http://" + l.Addr().String(), srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(ctx)
	})
	return s
}

// convert posts a sale for clickID to the tracker's conversion API and
// returns the answer, which must be 201.
func (s *server) convert(t *testing.T, apiKey, order, amount, clickID string) conversionOut {
	t.Helper()
	body := fmt.Sprintf(`{"order_id":%q,"customer_id":%q,"amount":%q,"currency":"USD","kind":"sale","click_id":%q}`,
		order, "cust-"+order, amount, clickID)
	status, resp := s.postJSON("/api/v1/conversions", apiKey, body)
	if status != http.StatusCreated {
		t.Fatalf("POST /api/v1/conversions %s = %d %s, want 201", body, status, resp)
	}
	var c conversionOut
	if err := json.Unmarshal(resp, &c); err != nil {
		t.Fatalf("conversion answer %s: %v", resp, err)
	}
	return c
}

func str(p *string) string {
	if p == nil {
		return "<null>"
	}
	return *p
}

// metric reads one sample ("name{labels}") of the server's /metrics; 0
// when absent.
func (s *server) metric(sample string) float64 {
	s.t.Helper()
	resp, err := http.Get(s.url("/metrics"))
	if err != nil {
		s.t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("read /metrics: %v", err)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if rest, ok := strings.CutPrefix(line, sample+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				s.t.Fatalf("metric %s: %v", sample, err)
			}
			return v
		}
	}
	return 0
}
