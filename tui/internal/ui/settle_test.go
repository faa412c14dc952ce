package ui

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// Screen tests wait on what the screen shows, not on the renderer's byte
// stream: the renderer writes only the lines that changed, and a text drawn
// by an earlier frame (the Overview's "Alice" before 2 opens Partners) is
// still unread there, so a wait on the bytes can pass before the key it
// follows took effect. They wait with generous deadlines: a loaded 2-core
// machine running the whole suite can stall a load for seconds, and a
// passing run never waits them out.

// screenWait bounds each wait for a screen.
const screenWait = 30 * time.Second

// settleQuiet is how long a frame must stay the same, with nothing
// loading, before a test takes it as the last one.
const settleQuiet = 200 * time.Millisecond

// frameRec runs an App under teatest and records the frame it drew last,
// with the number of keys it had handled by then.
type frameRec struct {
	app *App

	mu      sync.Mutex
	keys    int       // key messages handled by Update
	last    string    // the newest frame View drew
	lastKey int       // keys handled when last was drawn
	changed time.Time // when last last changed
}

func (r *frameRec) Init() tea.Cmd { return r.app.Init() }

func (r *frameRec) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := r.app.Update(msg)
	if _, ok := msg.(tea.KeyMsg); ok {
		r.mu.Lock()
		r.keys++
		r.mu.Unlock()
	}
	return r, cmd
}

func (r *frameRec) View() string {
	v := r.app.View()
	r.mu.Lock()
	defer r.mu.Unlock()
	if v != r.last {
		r.last, r.changed = v, time.Now()
	}
	r.lastKey = r.keys
	return v
}

// state is the newest frame, the keys handled when it was drawn, and how
// long it has stayed the same.
func (r *frameRec) state() (string, int, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last, r.lastKey, time.Since(r.changed)
}

// waitFor waits until a frame drawn after the first keys keys were handled
// shows want ("" waits only for the keys).
func (r *frameRec) waitFor(t *testing.T, keys int, want string) {
	t.Helper()
	deadline := time.Now().Add(screenWait)
	for {
		frame, handled, _ := r.state()
		if handled >= keys && strings.Contains(frame, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %d keys (%d handled) the screen never showed %q; the last frame:\n%s", keys, handled, want, frame)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settle waits until every key was handled and the frame has stayed the
// same for settleQuiet with nothing "Loading…" on it: the loads the last
// key started have landed. A frame that never settles is left to the
// test's own checks.
func (r *frameRec) settle(keys int) {
	deadline := time.Now().Add(screenWait)
	for time.Now().Before(deadline) {
		frame, handled, quiet := r.state()
		if handled >= keys && quiet >= settleQuiet && !strings.Contains(frame, "Loading…") {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runSteps drives app at w x h through steps (each rune a key, mapped by
// keyOf), waits for it to settle, quits, and returns the last frame.
func runSteps(t *testing.T, app *App, w, h int, keyOf func(rune) tea.KeyMsg, steps ...step) string {
	t.Helper()
	rec := &frameRec{app: app}
	tm := teatest.NewTestModel(t, rec, teatest.WithInitialTermSize(w, h))
	sent := 0
	for _, s := range steps {
		for _, r := range s.keys {
			tm.Send(keyOf(r))
			sent++
		}
		rec.waitFor(t, sent, s.want)
	}
	rec.settle(sent)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(screenWait))
	return app.frame()
}
