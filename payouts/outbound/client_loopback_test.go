package outbound

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
)

// The only tests of this package that connect: each to an httptest server
// on loopback, checked before any request is made.

// loopbackServer starts an httptest server and fails the test unless it
// listens on a loopback address.
func loopbackServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	host, _, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if a, err := netip.ParseAddr(host); err != nil || !a.IsLoopback() {
		t.Fatalf("test server on %s, not loopback", host)
	}
	return srv
}

// A client from a guard without AllowPrivate never reaches a loopback
// server; with it, it does. (Loopback is the only address tests may use.)
func TestClientDialGuard(t *testing.T) {
	var hits atomic.Int32
	srv := loopbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	})

	_, err := New(Options{}).Client().Get(srv.URL)
	if !errors.Is(err, ErrForbiddenTarget) {
		t.Fatalf("guarded client reached %s: err = %v", srv.URL, err)
	}
	if hits.Load() != 0 {
		t.Fatalf("server saw %d requests through the guard", hits.Load())
	}
	resp, err := New(Options{AllowPrivate: true}).Client().Get(srv.URL)
	if err != nil {
		t.Fatalf("AllowPrivate client: %v", err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Fatalf("hits = %d, want 1", hits.Load())
	}
}

// Redirects are handed back, never followed, so a 30x cannot send the call
// (and its credentials) somewhere else.
func TestClientDoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Int32
	srv := loopbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/target" {
			followed.Add(1)
			return
		}
		http.Redirect(w, r, "/target", http.StatusTemporaryRedirect)
	})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/start", nil)
	req.SetBasicAuth("id", "secret")
	resp, err := New(Options{AllowPrivate: true}).Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || followed.Load() != 0 {
		t.Fatalf("status %d, followed %d times", resp.StatusCode, followed.Load())
	}
}
