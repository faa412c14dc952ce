package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// httpGet fetches a path of the server's public URL.
func (s *server) httpGet(path string) (*http.Response, string) {
	s.t.Helper()
	resp, err := noRedirect().Get(s.url(path))
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("GET %s: read: %v", path, err)
	}
	return resp, string(body)
}

// TestSignupPage: PUBLIC_URL/p/SLUG through the binary, for a program that
// is not listed, with the join commands from --ssh-public-addr (and from
// the public URL's host and the SSH port without it).
func TestSignupPage(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{extra: []string{"--ssh-public-addr", "join.example.test:2222"}})
	s.mustSSH(s.adminKey, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test", "--commission", "25%")
	s.mustSSH(s.adminKey, "program", "set", "acme", "terms", "Be nice.")
	s.mustSSH(s.adminKey, "program", "set", "acme", "accent", "#00aa55")
	resp, body := s.httpGet("/p/acme")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("GET /p/acme: %d %v", resp.StatusCode, resp.Header)
	}
	for _, want := range []string{"Acme", "25% of each payment", "Be nice.", "#00aa55", "ssh-keygen", "ssh -p 2222 acme@join.example.test"} {
		if !strings.Contains(body, want) {
			t.Errorf("signup page lacks %q", want)
		}
	}
	if resp, _ := s.httpGet("/p/nosuch"); resp.StatusCode != 404 {
		t.Errorf("GET /p/nosuch: %d", resp.StatusCode)
	}
	// The command side prints the same address.
	if out := s.mustSSH(s.adminKey, "help"); !strings.Contains(out, "ssh -p 2222 join.example.test") {
		t.Errorf("help does not print --ssh-public-addr:\n%s", out)
	}
}
