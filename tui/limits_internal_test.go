package tui

import "testing"

func TestLimitDefaults(t *testing.T) {
	l := Limits{}.withDefaults(64)
	if l.MaxConns != 256 || l.ConnsPerIP != 32 || l.SessionsPerIP != 16 || l.SessionsPerKey != 8 ||
		l.SessionsPerUnknownKey != 2 || l.UnknownSessions != 16 {
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
