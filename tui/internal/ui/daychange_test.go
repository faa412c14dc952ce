package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/tui/internal/identity"
)

// A portal left open overnight rolls its window: with nothing written,
// when the store's clock enters a new day the open screen is signalled
// and its reload shows the new window (the oldest day of the 30 leaves
// it). Without a day-change signal a quiet partner's portal is signalled
// only by its own partner's clicks and keeps yesterday's window.
func TestPortalRollsItsWindowAtMidnight(t *testing.T) {
	f := newDashFixture(t, true, true)
	st := f.st
	alice, err := st.UserByFingerprint("SHA256:p0")
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's first clicks are on 2025-03-14: at the last second of
	// 2025-04-12 they are the first day of the 30.
	f.clock.Set(time.Date(2025, 4, 12, 23, 59, 59, 500_000_000, time.UTC))
	a := f.appAs(&identity.Identity{Fingerprint: "SHA256:p0", User: alice}, 120, 40)
	a.Init()
	defer a.Close()
	if a.mode != modeConsole || a.cur.Role != "partner" || a.waitCh == nil {
		t.Fatalf("the portal did not open (mode %d, role %q)", a.mode, a.cur.Role)
	}
	tab := settle(a.tabs[a.active], a.tabs[a.active].Init())
	before := tab.View()
	if !strings.Contains(before, "Clicks 20 ") {
		t.Fatalf("before midnight the 30 days hold 20 clicks:\n%s", before)
	}
	f.clock.Add(time.Second)
	select {
	case <-a.waitCh:
		a.c.Data.Saw() // as the app's wait does: the reload holds the signal
	case <-time.After(10 * time.Second):
		t.Fatal("the open portal was not signalled when the day changed")
	}
	tab = settle(tab, tab.Reload())
	after := tab.View()
	if !strings.Contains(after, "Clicks 19 ") {
		t.Errorf("after midnight the window still holds March 14's click:\n%s", after)
	}
}
