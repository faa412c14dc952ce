package payouts

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/payouts/outbound"
)

// loopbackGuard is the guard tests use: the fakes listen on loopback, which
// only --allow-private-targets lets calls reach.
func loopbackGuard(timeout time.Duration) *outbound.Guard {
	return outbound.New(outbound.Options{AllowPrivate: true, Timeout: timeout})
}

// Without --allow-private-targets the provider clients never reach an
// internal address, whatever paypal-base-url / wise-base-url say.
func TestProviderClientsRefuseInternalTargets(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	pp, err := NewPayPalClient(srv.URL, "id", "secret", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pp.CreatePayout(context.Background(), ppRequest("b-1", 1))
	if !errors.Is(err, outbound.ErrForbiddenTarget) {
		t.Errorf("PayPal call to %s: %v, want a refused target", srv.URL, err)
	}
	w, err := NewWiseClient(srv.URL, "tok", "12", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Transfer(context.Background(), 1); !errors.Is(err, outbound.ErrForbiddenTarget) {
		t.Errorf("Wise call to %s: %v, want a refused target", srv.URL, err)
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback server was reached %d times", hits.Load())
	}
}

// A redirect from a provider URL is not followed: the credentials never
// travel to where it points, and the call fails as a provider error.
func TestProviderRedirectNotFollowed(t *testing.T) {
	var stolen atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/internal") {
			stolen.Add(1)
			w.Write([]byte(`{"access_token":"x","expires_in":3600}`))
			return
		}
		http.Redirect(w, r, "/internal"+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	pp, err := NewPayPalClient(srv.URL, "id", "secret", loopbackGuard(0).Client())
	if err != nil {
		t.Fatal(err)
	}
	_, err = pp.CreatePayout(context.Background(), ppRequest("b-1", 1))
	var pe *ProviderError
	if !errors.As(err, &pe) || pe.Status != http.StatusTemporaryRedirect {
		t.Fatalf("err = %v, want a provider error with HTTP 307", err)
	}
	if stolen.Load() != 0 {
		t.Fatalf("redirect followed %d times", stolen.Load())
	}
}

// Error text comes only from the documented JSON fields, sanitised and
// capped; a raw body (an internal page's answer) is never echoed.
func TestProviderErrorTextFromJSONFieldsOnly(t *testing.T) {
	secret := "INTERNAL-SECRET-admin-password-123"
	long := strings.Repeat("x", 5000)
	cases := []struct {
		name, ctype, body string
		wantIn            []string
		wantOut           []string
	}{
		{"html page", "text/html", "<html><body>" + secret + "</body></html>", nil, []string{secret}},
		{"plain text", "text/plain", secret, nil, []string{secret}},
		{"json unknown fields", "application/json", `{"secret":"` + secret + `"}`, nil, []string{secret}},
		{"escape sequences", "application/json",
			`{"name":"VALIDATION_ERROR\u001b]0;pwned\u0007","message":"bad\u001b[2J amount\u009b6n\u202etxt.exe","debug_id":"abc\u001bc"}`,
			[]string{"VALIDATION_ERROR", "bad", "amount"}, []string{"\x1b", "\u009b", "\u202e", "\a"}},
		{"long message", "application/json", `{"name":"X","message":"` + long + `"}`, []string{"xxx…"}, []string{long}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", c.ctype)
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(c.body))
			}))
			defer srv.Close()
			pp, err := NewPayPalClient(srv.URL, "id", "secret", loopbackGuard(0).Client())
			if err != nil {
				t.Fatal(err)
			}
			_, err = pp.CreatePayout(context.Background(), ppRequest("b-1", 1))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, s := range c.wantIn {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q lacks %q", msg, s)
				}
			}
			for _, s := range c.wantOut {
				if strings.Contains(msg, s) {
					t.Errorf("message %q holds %q", msg, s)
				}
			}
			if len(msg) > 1200 {
				t.Errorf("message is %d bytes", len(msg))
			}
		})
	}
}
