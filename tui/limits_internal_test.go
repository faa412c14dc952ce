package tui

import (
	"net"
	"testing"
)

func TestLimitDefaults(t *testing.T) {
	l := Limits{}.withDefaults(64)
	if l.MaxConns != 256 || l.ConnsPerIP != 32 || l.SessionsPerIP != 16 || l.SessionsPerKey != 8 ||
		l.SessionsPerUnknownKey != 2 || l.UnknownSessions != 16 || l.ConnsPerKey != 16 || l.ConnsPerUnknownKey != 4 {
		t.Errorf("defaults for 64 sessions: %+v", l)
	}
	// Every share is below the global cap, unknown keys get the smallest.
	for _, n := range []int{1, 2, 5, 64, 1000} {
		l := Limits{}.withDefaults(n)
		if l.SessionsPerKey > n || l.SessionsPerIP > n || l.UnknownSessions > n || l.SessionsPerUnknownKey > l.SessionsPerKey ||
			l.SessionsPerUnknownKey < 1 || l.ConnsPerIP > l.MaxConns {
			t.Errorf("defaults for %d sessions: %+v", n, l)
		}
	}
	if l := (Limits{SessionsPerUnknownKey: 50, SessionsPerKey: 4}).withDefaults(64); l.SessionsPerUnknownKey != 4 {
		t.Errorf("an unknown key's share above a known key's: %+v", l)
	}
}

func TestAddrOfGroupsIPv6By64(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7:22":                 "203.0.113.7",
		"[::ffff:203.0.113.7]:22":        "203.0.113.7",
		"[2001:db8:1:2:aaaa::1]:22":      "2001:db8:1:2::",
		"[2001:db8:1:2:ffff:1:2:3]:4000": "2001:db8:1:2::",
		"[fe80::1%eth0]:22":              "fe80::",
	} {
		a, err := net.ResolveTCPAddr("tcp", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := addrOf(a).String(); got != want {
			t.Errorf("addrOf(%s) = %s, want %s", in, got, want)
		}
	}
}
