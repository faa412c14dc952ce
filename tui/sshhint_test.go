package tui

import (
	"testing"

	"github.com/affogato-sh/affogato/store"
)

func TestSSHHintPublicAddr(t *testing.T) {
	st, err := store.Open(t.TempDir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for addr, want := range map[string]string{
		"join.example.com:2222": "ssh -p 2222 acme@join.example.com",
		"join.example.com:22":   "ssh acme@join.example.com",
		"[2001:db8::1]:2222":    "ssh -p 2222 acme@[2001:db8::1]",
		"":                      "ssh -p 23234 acme@aff.test", // public URL's host, the listen port
	} {
		srv, err := New(st, Config{Addr: ":23234", DataDir: t.TempDir(), PublicURL: "http://aff.test:8080", SSHPublicAddr: addr})
		if err != nil {
			t.Fatal(err)
		}
		if got := srv.sshHintAs("acme"); got != want {
			t.Errorf("SSHPublicAddr %q: hint %q, want %q", addr, got, want)
		}
	}
}
