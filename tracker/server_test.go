package tracker

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/charmbracelet/log"

	"github.com/affogato-sh/affogato/assets"
)

func TestTrackingScriptServed(t *testing.T) {
	e := newEnv(t, Config{})
	rr := e.request(http.MethodGet, "/t.js", "")
	if rr.Code != http.StatusOK {
		t.Fatalf("status %d", rr.Code)
	}
	if ct := rr.Header().Get("Content-Type"); ct != "application/javascript; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := rr.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
		t.Errorf("Cache-Control %q, want a max-age", cc)
	}
	if !bytes.Equal(rr.Body.Bytes(), assets.TrackingScript()) {
		t.Error("body is not assets.TrackingScript()")
	}
	head := e.request(http.MethodHead, "/t.js", "")
	if head.Code != http.StatusOK || head.Body.Len() != 0 {
		t.Errorf("HEAD /t.js: %d with %d bytes", head.Code, head.Body.Len())
	}
}

func TestHealthz(t *testing.T) {
	e := newEnv(t, Config{})
	rr := e.request(http.MethodGet, "/healthz", "")
	if rr.Code != http.StatusOK || jsonBody(t, rr)["status"] != "ok" {
		t.Errorf("healthz: %d %s", rr.Code, rr.Body)
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, Config{})
	e.click(e.partner.Code)
	e.request(http.MethodHead, "/r/"+e.partner.Code, "")
	e.api("/api/v1/conversions", `{"order_id":"m1","customer_id":"c","amount":"5.00"}`)
	rr := e.request(http.MethodGet, "/metrics", "")
	if rr.Code != http.StatusOK || !strings.HasPrefix(rr.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", rr.Code, rr.Header().Get("Content-Type"))
	}
	text := rr.Body.String()
	for _, want := range []string{
		`affogato_http_requests_total{code="302",route="redirect"} 2`,
		`affogato_http_requests_total{code="201",route="conversions"} 1`,
		`affogato_http_request_duration_seconds_bucket{route="redirect",le="+Inf"} 2`,
		`affogato_clicks_recorded_total 1`,
		`affogato_clicks_not_recorded_total{reason="head"} 1`,
		`affogato_clicks_not_recorded_total{reason="bot"} 0`,
		`affogato_clicks_not_recorded_total{reason="flood"} 0`,
		`affogato_clicks_not_recorded_total{reason="unapproved"} 0`,
		`affogato_conversions_total{result="created",source="api"} 1`,
		"affogato_refunds_total",
		"affogato_errors_total",
		"affogato_stripe_events_total",
		"affogato_api_rate_limited_total 0",
		"go_goroutines",
		"process_",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// Each server has its own registry: a second one starts from zero.
	other := New(e.st, Config{})
	rr = httptest.NewRecorder()
	other.Handler().ServeHTTP(rr, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if strings.Contains(rr.Body.String(), "affogato_clicks_recorded_total 1") {
		t.Error("servers share a metrics registry")
	}
}

func TestRouting(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		method, path string
		status       int
		code         string
		allow        string
	}{
		{http.MethodGet, "/nope", 404, codeNotFound, ""},
		{http.MethodGet, "/api/v1/conversions", 405, codeMethodNotAllowed, "POST"},
		{http.MethodPut, "/api/v1/refunds", 405, codeMethodNotAllowed, "POST"},
		{http.MethodGet, "/webhooks/stripe/acme", 405, codeMethodNotAllowed, "POST"},
		{http.MethodPost, "/healthz", 405, codeMethodNotAllowed, "GET, HEAD"},
		{http.MethodDelete, "/t.js", 405, codeMethodNotAllowed, "GET, HEAD"},
		{http.MethodPost, "/metrics", 405, codeMethodNotAllowed, "GET, HEAD"},
	}
	for _, tt := range tests {
		rr := e.request(tt.method, tt.path, "")
		if rr.Code != tt.status || errorCode(t, rr) != tt.code {
			t.Errorf("%s %s: %d %s, want %d %s", tt.method, tt.path, rr.Code, rr.Body, tt.status, tt.code)
		}
		if ct := rr.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type %q, want JSON", tt.method, tt.path, ct)
		}
		if rr.Header().Get("Allow") != tt.allow {
			t.Errorf("%s %s: Allow %q, want %q", tt.method, tt.path, rr.Header().Get("Allow"), tt.allow)
		}
	}
}

func TestPanicRecovered(t *testing.T) {
	var logs bytes.Buffer
	s := New(nil, Config{Logger: log.New(&logs)})
	h := s.instrument("boom", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("kaboom") }))
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rr.Code != http.StatusInternalServerError || errorCode(t, rr) != codeInternal {
		t.Fatalf("panic: %d %s, want 500 internal", rr.Code, rr.Body)
	}
	if !strings.Contains(logs.String(), "kaboom") {
		t.Errorf("the panic was not logged: %q", logs.String())
	}
	mr := httptest.NewRecorder()
	s.Handler().ServeHTTP(mr, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(mr.Body)
	if !strings.Contains(string(body), `affogato_errors_total{kind="panic"} 1`) ||
		!strings.Contains(string(body), `affogato_http_requests_total{code="500",route="boom"} 1`) {
		t.Errorf("panic not counted:\n%s", body)
	}
}
