package tui_test

import (
	"net"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// A connection counts as opening (it paces the screens' live reloads)
// from its accept until its first session starts or it closes: a screen,
// a command, and a connection that never finishes its handshake all leave
// the count at zero.
func TestOpeningConnectionsAreCountedOut(t *testing.T) {
	ts := sshtest.Start(t, nil)
	k := newGoKey(t)
	waitZero := func(what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for tui.OpeningCount(ts.Srv) != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("after %s %d connections still count as opening", what, tui.OpeningCount(ts.Srv))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	raw, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", ts.Port))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for tui.OpeningCount(ts.Srv) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("a connection in its handshake is not counted (%d)", tui.OpeningCount(ts.Srv))
		}
		time.Sleep(10 * time.Millisecond)
	}
	raw.Close()
	waitZero("a connection closed before its handshake")

	c, err := dial(ts, k)
	if err != nil {
		t.Fatal(err)
	}
	s, in := openScreen(t, c)
	waitZero("a screen opened")
	_, _ = in.Write([]byte("q"))
	_ = s.Wait()
	if _, err := run(t, c, "whoami"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	waitZero("a screen and a command")
}
