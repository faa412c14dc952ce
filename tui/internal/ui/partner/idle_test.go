package partner

import (
	"io"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/charmbracelet/x/exp/teatest"
)

// TestPortalIdleSendsNothing: once drawn, a live portal with nothing
// changing writes no bytes (no blinking cursor, no polling); a change to
// the program redraws it by itself.
func TestPortalIdleSendsNothing(t *testing.T) {
	f := NewFixture(t)
	p := New(Config{Data: NewData(f.St, f.Eve, "acme", publicURL, hint), Styles: AsciiStyles("#FF5F87"), Keys: keymap.Default(),
		Width: 80, Height: 24, Live: true})
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "Clicks per day")
	tm.Send(keyMsg("2")) // Links, which has no chart to settle
	waitFor(t, tm, "spring-sale")
	time.Sleep(300 * time.Millisecond) // the last frame flushes
	_, _ = io.ReadAll(tm.Output())
	time.Sleep(1500 * time.Millisecond)
	if b, _ := io.ReadAll(tm.Output()); len(b) != 0 {
		t.Errorf("an idle portal wrote %d bytes: %q", len(b), b)
	}
	// A new link of this partner (another session) shows without a key press.
	if _, err := f.St.CreateCampaignLink(f.Eve, "acme", "live-link", "", ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tm, "live-link")
	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
