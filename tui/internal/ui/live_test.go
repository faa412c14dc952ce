package ui

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/affogato-sh/affogato/tui/internal/identity"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// viewCounter is a tab that counts how often it is drawn.
type viewCounter struct{ views int }

func (v *viewCounter) Title() string                        { return "Count" }
func (v *viewCounter) Init() tea.Cmd                        { return nil }
func (v *viewCounter) Reload() tea.Cmd                      { return nil }
func (v *viewCounter) Update(tea.Msg) (common.Tab, tea.Cmd) { return v, nil }
func (v *viewCounter) View() string                         { v.views++; return "drawn" }
func (v *viewCounter) SetSize(int, int)                     {}
func (v *viewCounter) ShortHelp() []key.Binding             { return nil }
func (v *viewCounter) FullHelp() [][]key.Binding            { return nil }
func (v *viewCounter) Capturing() bool                      { return false }

// The frame is drawn after every message; the live updates' re-arming
// message and the change signal (whose reload is drawn when it lands)
// change nothing shown, and their frame is the last one, not drawn again.
// Any other message draws it.
func TestLiveRearmDoesNotRedraw(t *testing.T) {
	f := newDashFixture(t, false, false)
	a := New(context.Background(), Options{Store: f.st, Identity: &identity.Identity{}, Renderer: lipgloss.NewRenderer(io.Discard),
		Width: 80, Height: 24, Hint: func(string) string { return "ssh" }})
	tab := &viewCounter{}
	a.mode, a.tabs, a.subGen = modeConsole, []common.Tab{tab}, 1
	first := a.View()
	if tab.views != 1 {
		t.Fatalf("drawn %d times, want 1", tab.views)
	}
	a.Update(rearmMsg{gen: 1})
	if again := a.View(); again != first || tab.views != 1 {
		t.Fatalf("a re-arm drew the frame again (%d draws)", tab.views)
	}
	a.Update(common.StatusMsg{Text: "saved"})
	if next := a.View(); next == first || tab.views != 2 {
		t.Fatalf("a status message was not drawn (%d draws)", tab.views)
	}
	a.waitCh = make(chan struct{})
	a.Update(changedMsg{gen: 1})
	if again := a.View(); tab.views != 2 {
		t.Fatalf("a change signal drew the frame again (%d draws): %q", tab.views, again)
	}
	a.Update(rearmMsg{gen: 1})
	a.View()
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if a.View(); tab.views != 3 {
		t.Fatalf("a resize after a re-arm was not drawn (%d draws)", tab.views)
	}
}

// The time between live reloads is liveInterval unless the server asks
// for more (many open screens), never less.
func TestLiveEvery(t *testing.T) {
	a := &App{}
	if d := a.liveEvery(); d != liveInterval {
		t.Fatalf("default %s", d)
	}
	for _, c := range []struct{ asked, want time.Duration }{
		{time.Millisecond, liveInterval}, {time.Second, time.Second},
	} {
		a.o.LiveEvery = func() time.Duration { return c.asked }
		if d := a.liveEvery(); d != c.want {
			t.Errorf("asked %s: %s, want %s", c.asked, d, c.want)
		}
	}
}
