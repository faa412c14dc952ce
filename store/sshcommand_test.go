package store

import "testing"

func TestSSHCommand(t *testing.T) {
	for _, tt := range []struct{ hostport, user, want string }{
		{"join.example.com:2222", "acme", "ssh -p 2222 acme@join.example.com"},
		{"join.example.com:22", "acme", "ssh acme@join.example.com"},
		{"join.example.com:2222", "", "ssh -p 2222 join.example.com"},
		{"join.example.com", "", "ssh join.example.com"},
		{"[2001:db8::1]:2222", "acme", "ssh -p 2222 acme@[2001:db8::1]"},
		{"[::1]:22", "", "ssh [::1]"},
		{"aff.test:", "", "ssh aff.test"},
	} {
		if got := SSHCommand(tt.hostport, tt.user); got != tt.want {
			t.Errorf("SSHCommand(%q, %q) = %q, want %q", tt.hostport, tt.user, got, tt.want)
		}
	}
}
