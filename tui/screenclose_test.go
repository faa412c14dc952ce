package tui_test

import (
	"testing"
	"time"

	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// A screen whose client closes the channel (not the connection) ends on
// the server: its session slot is freed, so closed screens cannot pile up
// against the caps.
func TestClosedScreenFreesItsSlot(t *testing.T) {
	admin := newGoKey(t)
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.line} })
	c, err := dial(ts, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 3 {
		s, _ := openScreen(t, c)
		s.Close()
	}
	waitSessions(t, ts, 0)

	// Only the client's sending half closed (ssh -tt < /dev/null): the
	// screen stays.
	s, in := openScreen(t, c)
	in.Close()
	time.Sleep(time.Second)
	if n := tui.SessionCount(ts.Srv); n != 1 {
		t.Fatalf("%d sessions after the client's input ended, want the screen kept", n)
	}
	s.Close()
	waitSessions(t, ts, 0)
}

func waitSessions(t *testing.T, ts *sshtest.Server, want int64) {
	t.Helper()
	deadline := time.Now().Add(sshtest.ScreenWait)
	for tui.SessionCount(ts.Srv) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions still counted %s after their channels closed", tui.SessionCount(ts.Srv), sshtest.ScreenWait)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
