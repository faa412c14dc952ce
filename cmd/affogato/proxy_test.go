package main

import (
	"io"
	"net/http"
	"net/url"
	"testing"
)

// TestTrustedProxyFloodLimit runs the binary behind a "proxy" (loopback,
// trusted with --trusted-proxy): the flood limit counts each visitor's
// X-Forwarded-For address, not the proxy's.
func TestTrustedProxyFloodLimit(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{extra: []string{"--trusted-proxy", "127.0.0.1/32,::1", "--click-flood-limit", "2"}})
	sc := seedScenario(t, s)
	visit := func(ip string) bool {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, sc.link, nil)
		req.Header.Set("X-Forwarded-For", "6.6.6.6, "+ip)
		resp, err := noRedirect().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("ref") != sc.code {
			t.Fatalf("visit from %s: %d %s", ip, resp.StatusCode, resp.Header.Get("Location"))
		}
		return loc.Query().Get("aff_click") != ""
	}
	for i := range 2 {
		if !visit("198.51.100.1") {
			t.Fatalf("click %d of a visitor was not recorded", i+1)
		}
	}
	if visit("198.51.100.1") {
		t.Fatal("a third click in a minute from the same visitor was recorded")
	}
	if !visit("198.51.100.2") {
		t.Fatal("another visitor behind the same proxy was cut off by the flood limit")
	}
}
