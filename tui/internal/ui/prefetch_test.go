package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// A session's first frame is its first tab with its figures, not the
// "Loading…" placeholder followed by the figures a moment later: the
// tab's reads are waited for in Init (prefetch).
func TestFirstFrameShowsTheFirstTabsFigures(t *testing.T) {
	f := newDashFixture(t, true, true)
	app := f.app(120, 40)
	_ = app.Init()
	first := app.View()
	if !strings.Contains(first, "Last 30 days") || strings.Contains(first, "Loading") {
		t.Fatalf("the first frame is not the Overview with its figures:\n%s", first)
	}
}

// loadTab is a tab whose view is the answers it got.
type loadTab struct{ got []string }

type loadMsg string

func (l *loadTab) Title() string   { return "Load" }
func (l *loadTab) Init() tea.Cmd   { return nil }
func (l *loadTab) Reload() tea.Cmd { return nil }
func (l *loadTab) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	if m, ok := msg.(loadMsg); ok {
		l.got = append(l.got, string(m))
	}
	return l, nil
}
func (l *loadTab) View() string {
	if len(l.got) == 0 {
		return "Loading…"
	}
	return strings.Join(l.got, ",")
}
func (l *loadTab) SetSize(int, int)          {}
func (l *loadTab) ShortHelp() []key.Binding  { return nil }
func (l *loadTab) FullHelp() [][]key.Binding { return nil }
func (l *loadTab) Capturing() bool           { return false }

// prefetch hands the answers that come within its wait to Update (a
// batch's commands too), and returns the ones still to come as commands
// that deliver them: a slow read shows the placeholder first, as before,
// and its answer when it comes; Bubble Tea's own messages are left to it.
func TestPrefetchWaitsOnlySoLong(t *testing.T) {
	f := newDashFixture(t, true, false)
	app := f.app(80, 24)
	tab := &loadTab{}
	app.mode, app.tabs = modeConsole, []common.Tab{tab}
	answer := func(s string, after time.Duration) tea.Cmd {
		return func() tea.Msg { time.Sleep(after); return loadMsg(s) }
	}
	began := time.Now()
	rest := app.prefetch(tea.Batch(answer("fast", 0), tea.Batch(answer("nested", 0), answer("slow", 2*time.Second)),
		func() tea.Msg { return tea.QuitMsg{} }), 300*time.Millisecond)
	if took := time.Since(began); took > 1500*time.Millisecond {
		t.Fatalf("prefetch waited %s for a read past its wait", took)
	}
	if got := strings.Join(tab.got, ","); got != "fast,nested" && got != "nested,fast" {
		t.Fatalf("answers handed over in the wait: %q, want fast and nested", got)
	}
	if rest == nil {
		t.Fatal("the slow answer and the quit are lost")
	}
	var msgs []tea.Msg
	if b, ok := rest().(tea.BatchMsg); ok {
		for _, c := range b {
			msgs = append(msgs, c())
		}
	} else {
		t.Fatalf("the rest is not a batch of the slow read and the quit")
	}
	var slow, quit bool
	for _, m := range msgs {
		switch m.(type) {
		case loadMsg:
			slow = m == loadMsg("slow")
		case tea.QuitMsg:
			quit = true
		}
	}
	if !slow || !quit {
		t.Fatalf("the commands returned deliver %v, want the slow answer and Bubble Tea's quit", msgs)
	}
}
