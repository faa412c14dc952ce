package tracker

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/log"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/testclock"
)

// env is a store with one program "acme" (USD, 20%, auto-approve), its
// merchant, one approved partner, and a tracker over them.
type env struct {
	t        testing.TB
	clock    *testclock.Clock
	st       *store.Store
	srv      *Server
	admin    store.Actor
	apiKey   string
	prog     *store.Program
	partner  *store.Partner
	partnerA store.Actor
}

func newEnv(t testing.TB, cfg Config) *env {
	t.Helper()
	clock := testclock.New(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	// Reads wait for every click acknowledged before them: the default
	// bound (store.DefaultClickReadWait) can pass while a loaded machine
	// stalls a commit, and a test that reads what it just clicked would
	// see less.
	st, err := store.Open(t.TempDir(), store.Options{Now: clock.Now, ClickReadWait: time.Minute})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		// Every scenario ends with the ledger's invariants holding.
		vs, err := st.Check()
		if err != nil {
			t.Errorf("check: %v", err)
		}
		for _, v := range vs {
			t.Errorf("ledger invariant: %s", v.What)
		}
		st.Close()
	})
	u, err := st.CreateUser("Ann", "ann@x.test", "SHA256:fake1", "ssh-ed25519 AAAAfake1")
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	admin := store.Actor{UserID: u.ID, Admin: true}
	prog, key, err := st.CreateProgram(admin, store.ProgramInput{Slug: "acme", Name: "Acme",
		URL: "https://acme.test", Currency: "USD", Commission: "20%", AutoApprove: true}, false)
	if err != nil {
		t.Fatalf("create program: %v", err)
	}
	pu, err := st.CreateUser("Pat", "pat@x.test", "SHA256:fake2", "ssh-ed25519 AAAAfake2")
	if err != nil {
		t.Fatalf("create partner user: %v", err)
	}
	pa := store.Actor{UserID: pu.ID}
	partner, err := st.Join(pa, "acme", "")
	if err != nil {
		t.Fatalf("join: %v", err)
	}
	if partner.Status != store.PartnerApproved {
		t.Fatalf("partner status %q, want approved", partner.Status)
	}
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://localhost:8080"
	}
	if cfg.Logger == nil {
		cfg.Logger = log.New(io.Discard)
	}
	return &env{t: t, clock: clock, st: st, srv: New(st, cfg), admin: admin, apiKey: key,
		prog: prog, partner: partner, partnerA: pa}
}

// set changes a program setting as its merchant.
func (e *env) set(slug, k, v string) {
	e.t.Helper()
	if _, err := e.st.SetProgram(e.admin, slug, k, v); err != nil {
		e.t.Fatalf("program set %s %s %s: %v", slug, k, v, err)
	}
}

// request serves one request in process. hdr is name, value pairs.
func (e *env) request(method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "RemoteAddr" {
			req.RemoteAddr = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rr := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rr, req)
	return rr
}

// api POSTs a JSON body with the program's API key.
func (e *env) api(path, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.request(http.MethodPost, path, body, "Authorization", "Bearer "+e.apiKey,
		"Content-Type", "application/json")
}

// click follows the partner's link once and returns the click id.
func (e *env) click(code string) string {
	e.t.Helper()
	rr := e.request(http.MethodGet, "/r/"+code, "", "User-Agent", "curl/8.5.0")
	if rr.Code != http.StatusFound {
		e.t.Fatalf("click %s: status %d: %s", code, rr.Code, rr.Body)
	}
	loc, err := url.Parse(rr.Header().Get("Location"))
	if err != nil {
		e.t.Fatalf("click %s: location: %v", code, err)
	}
	id := loc.Query().Get("aff_click")
	if id == "" {
		e.t.Fatalf("click %s was not recorded: %s", code, loc)
	}
	return id
}

// conversion finds a recorded conversion by order id through the store.
func (e *env) conversion(slug, orderID string) *store.ConversionResult {
	e.t.Helper()
	list, err := e.st.ListConversions(e.admin, slug, 1000)
	if err != nil {
		e.t.Fatalf("list conversions: %v", err)
	}
	for i := range list {
		if list[i].Conversion.OrderID == orderID {
			return &list[i]
		}
	}
	return nil
}

func (e *env) conversionCount(slug string) int {
	e.t.Helper()
	list, err := e.st.ListConversions(e.admin, slug, 1000)
	if err != nil {
		e.t.Fatalf("list conversions: %v", err)
	}
	return len(list)
}

// metric returns the value of one sample line of /metrics ("name{labels}").
func (e *env) metric(sample string) float64 {
	e.t.Helper()
	rr := e.request(http.MethodGet, "/metrics", "")
	for _, line := range strings.Split(rr.Body.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, sample+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				e.t.Fatalf("metric %s: %v", sample, err)
			}
			return v
		}
	}
	return 0
}

// jsonBody decodes a JSON response into a map.
func jsonBody(t testing.TB, rr *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rr.Body.Bytes(), &m); err != nil {
		t.Fatalf("response is not a JSON object (%d): %q", rr.Code, rr.Body)
	}
	return m
}

// errorCode returns the error code of a JSON error response.
func errorCode(t testing.TB, rr *httptest.ResponseRecorder) string {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(rr.Body.Bytes(), &b); err != nil || b.Error.Code == "" {
		t.Fatalf("not a JSON error body (%d): %q", rr.Code, rr.Body)
	}
	return b.Error.Code
}

// stripeSign returns a Stripe-Signature header for body at ts with each secret.
func stripeSign(ts int64, body string, secrets ...string) string {
	parts := []string{"t=" + strconv.FormatInt(ts, 10)}
	for _, s := range secrets {
		mac := hmac.New(sha256.New, []byte(s))
		fmt.Fprintf(mac, "%d.%s", ts, body)
		parts = append(parts, "v1="+hex.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(parts, ",")
}
