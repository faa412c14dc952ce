package partner_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/identity"
	"github.com/affogato-sh/affogato/tui/internal/ui"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/partner"
)

// Golden screens of the partner portal in the dashboard frame (the one
// frame every console uses). Regenerate testdata/ with:
//
//	go test ./tui/internal/ui/partner/ -run Golden -update

// portal is the dashboard of `ssh SLUG@host` for partner a, as the SSH
// session runs it, in colourless styles (goldens hold no SGR sequences);
// out receives the OSC 52 copies.
func portal(t *testing.T, f *partner.Fixture, a store.Actor, slug string, w, h int, out io.Writer) *ui.App {
	t.Helper()
	u, err := f.St.UserByID(a.UserID)
	if err != nil {
		t.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	app := ui.New(context.Background(), ui.Options{
		Store: f.St, Identity: &identity.Identity{User: u}, Username: slug, Renderer: r, Width: w, Height: h, Now: f.Now,
		Hint: partner.Hint,
		Link: func(code string) string { return partner.PublicURL + "/r/" + code },
		PartnerTabs: func(c *common.Common, slug string) []common.Tab {
			return partner.Tabs(c, slug, partner.Env{Store: f.St, PublicURL: partner.PublicURL, Out: out})
		},
	})
	t.Cleanup(app.Close)
	return app
}

func keyMsg(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

func waitFor(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

// settle reads the portal's output until it has written nothing for quiet
// (the loads the last key started have landed and been drawn; a fixed
// sleep is too short on a loaded machine), or 30 s have passed.
func settle(tm *teatest.TestModel, quiet time.Duration) {
	buf := make([]byte, 4096)
	last, deadline := time.Now(), time.Now().Add(30*time.Second)
	for time.Since(last) < quiet && time.Now().Before(deadline) {
		if n, _ := tm.Output().Read(buf); n > 0 {
			last = time.Now()
			continue
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// screen ends the session with an empty goodbye, so the final view is
// the last frame.
func screen(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	settle(tm, 200*time.Millisecond) // the last loads land
	tm.Send(ui.GoodbyeMsg{})
	return tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).View()
}

// runTab opens the portal of actor in slug at w x h, switches to tab n,
// waits for want, and returns the final screen.
func runTab(t *testing.T, f *partner.Fixture, a store.Actor, slug string, w, h, tab int, want ...string) string {
	t.Helper()
	tm := teatest.NewTestModel(t, portal(t, f, a, slug, w, h, nil), teatest.WithInitialTermSize(w, h))
	if tab == 1 {
		waitFor(t, tm, append(want, "1 Dashboard")...)
	} else {
		waitFor(t, tm, "1 Dashboard")
		tm.Send(keyMsg(strconv.Itoa(tab)))
		waitFor(t, tm, want...)
	}
	return screen(t, tm)
}

var tabMarkers = map[int][2][]string{ // seeded, empty
	1: {{"Clicks per day", "Your link"}, {"Waiting for approval"}},
	2: {{"spring-sale", "URL"}, {"URL"}},
	3: {{"Banner 728x90", "Tweet"}, {"once you are approved"}},
	4: {{"under review", "reversed"}, {"No commissions yet"}},
	5: {{"eve-pay@partner.test"}, {"No payouts yet"}},
	6: {{"Eve Partner", "paypal eve-pay@partner.test"}, {"Nia New", "none yet"}},
}

func TestPortalGolden(t *testing.T) {
	f := partner.NewFixture(t)
	names := map[int]string{1: "dashboard", 2: "links", 3: "assets", 4: "earnings", 5: "payouts", 6: "profile"}
	for tab := 1; tab <= 6; tab++ {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			for _, seeded := range []bool{true, false} {
				kind, a, slug, want := "seeded", f.Eve, "acme", tabMarkers[tab][0]
				if !seeded {
					kind, a, slug, want = "empty", f.Nia, "bare", tabMarkers[tab][1]
				}
				name := names[tab] + "-" + kind + "-" + strconv.Itoa(size[0]) + "x" + strconv.Itoa(size[1])
				t.Run(name, func(t *testing.T) {
					v := strings.TrimSuffix(runTab(t, f, a, slug, size[0], size[1], tab, want...), "\n")
					if strings.ContainsRune(v, 0x1b) {
						t.Errorf("the screen holds escape bytes:\n%q", v)
					}
					lines := strings.Split(v, "\n")
					if len(lines) != size[1] {
						t.Errorf("%d lines, want %d", len(lines), size[1])
					}
					for i, l := range lines {
						if lipgloss.Width(l) > size[0] {
							t.Errorf("line %d is %d columns wide: %q", i+1, lipgloss.Width(l), l)
						}
					}
					golden.RequireEqual(t, []byte(f.Scrub(v)))
				})
			}
		}
	}
}

// TestPortalIdleSendsNothing: once drawn, a live portal with nothing
// changing writes no bytes (no blinking cursor, no polling); a change to
// the program redraws it by itself.
func TestPortalIdleSendsNothing(t *testing.T) {
	f := partner.NewFixture(t)
	tm := teatest.NewTestModel(t, portal(t, f, f.Eve, "acme", 80, 24, nil), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "Clicks per day")
	tm.Send(keyMsg("2")) // Links, which has no chart to settle
	waitFor(t, tm, "spring-sale")
	settle(tm, time.Second) // the last frame flushes
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
	tm.WaitFinished(t, teatest.WithFinalTimeout(30*time.Second))
}

// lockedBuf collects what the portal writes to the session besides frames.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCopyOSC52: c on the Links tab puts the selected link on the
// client's clipboard (OSC 52) and shows it in full; on the Assets tab it
// copies the text with the partner's link filled in.
func TestCopyOSC52(t *testing.T) {
	f := partner.NewFixture(t)
	out := &lockedBuf{}
	tm := teatest.NewTestModel(t, portal(t, f, f.Eve, "acme", 100, 30, out), teatest.WithInitialTermSize(100, 30))
	waitFor(t, tm, "1 Dashboard", "Your link")
	tm.Send(keyMsg("2"))
	waitFor(t, tm, "spring-sale")
	tm.Send(keyMsg("c"))
	link := partner.PublicURL + "/r/" + f.EveP.Code
	waitFor(t, tm, "Copied "+link)
	tm.Send(keyMsg("3"))
	waitFor(t, tm, "Tweet")
	tm.Send(keyMsg("c"))
	waitFor(t, tm, "Copied Tweet")
	tm.Send(keyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(30*time.Second))

	got := out.String()
	for _, want := range []string{link, "Widgets that work: " + link + " (use code " + f.EveP.Code + " at checkout)"} {
		seq := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(want)) + "\x07"
		if !strings.Contains(got, seq) {
			t.Errorf("no OSC 52 copy of %q in %q", want, got)
		}
	}
}
