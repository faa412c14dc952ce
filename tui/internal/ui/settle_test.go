package ui

import (
	"fmt"
	"reflect"
	"runtime"
	"sort"
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
//
// The last frame is taken once every command the app started has
// answered and that answer has been handled (loads, reloads after an
// action): a frame that merely stayed the same for a while is not enough,
// since a tab draws its empty table, or its default filter, until its read
// lands, and a starved machine can hold a read longer than any quiet time.
// Commands that wait by design (ticks, the change subscription, a cursor's
// blink) are not waited for.

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
	keys    int            // key messages handled by Update
	last    string         // the newest frame View drew
	lastKey int            // keys handled when last was drawn
	changed time.Time      // when last last changed, or a command's answer was handled
	pending map[string]int // commands started whose answer is not handled yet, by function
}

// answer is a tracked command's message, handed to Update unchanged.
type answer struct {
	name string
	msg  tea.Msg
}

func (r *frameRec) Init() tea.Cmd { return r.track(r.app.Init()) }

func (r *frameRec) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if a, ok := msg.(answer); ok {
		_, cmd := r.app.Update(a.msg)
		r.finish(a.name)
		return r, r.track(cmd)
	}
	_, cmd := r.app.Update(msg)
	if _, ok := msg.(tea.KeyMsg); ok {
		r.mu.Lock()
		r.keys++
		r.mu.Unlock()
	}
	return r, r.track(cmd)
}

// track counts cmd as pending until its answer has been handled. A batch's
// commands are tracked one by one; what Bubble Tea itself handles (quit,
// sequences, ...) is handed back as is.
func (r *frameRec) track(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	name := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
	if waitsByDesign(name) {
		return cmd
	}
	r.mu.Lock()
	if r.pending == nil {
		r.pending = map[string]int{}
	}
	r.pending[name]++
	r.mu.Unlock()
	return func() tea.Msg {
		msg := cmd()
		if b, ok := msg.(tea.BatchMsg); ok {
			out := make(tea.BatchMsg, len(b))
			for i, c := range b {
				out[i] = r.track(c)
			}
			r.finish(name)
			return out
		}
		if msg == nil || reflect.TypeOf(msg).PkgPath() == teaPkg {
			r.finish(name)
			return msg
		}
		return answer{name: name, msg: msg}
	}
}

// finish records that the answer of a command named name was handled.
func (r *frameRec) finish(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending[name]--; r.pending[name] <= 0 {
		delete(r.pending, name)
	}
	r.changed = time.Now()
}

const teaPkg = "github.com/charmbracelet/bubbletea"

// waitsByDesign says whether the command named name waits for time or
// for a change rather than reading: Bubble Tea's ticks, the bubbles
// components' blinks, the app's change subscription. A Batch is tracked.
func waitsByDesign(name string) bool {
	switch {
	case strings.HasPrefix(name, teaPkg+".Batch."):
		return false
	case strings.HasPrefix(name, "github.com/charmbracelet/"):
		return true
	case strings.HasPrefix(name, "github.com/affogato-sh/affogato/tui/internal/ui.") && strings.Contains(name, "(*App).wait.func"):
		return true // named (*App).subscribe.(*App).wait.func1 where inlined
	}
	return false
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

// waiting names the commands whose answers are not handled yet.
func (r *frameRec) waiting() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var names []string
	for n, c := range r.pending {
		names = append(names, fmt.Sprintf("%s (%d)", n, c))
	}
	sort.Strings(names)
	return names
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

// settle waits until every key was handled, every command started has
// answered and been handled, and the frame has stayed the same for
// settleQuiet since, with nothing "Loading…" on it: the loads the last
// key started have landed and been drawn. A frame that never settles is
// left to the test's own checks, with the commands still out logged.
func (r *frameRec) settle(t *testing.T, keys int) {
	t.Helper()
	deadline := time.Now().Add(screenWait)
	for time.Now().Before(deadline) {
		frame, handled, quiet := r.state()
		if handled >= keys && quiet >= settleQuiet && !strings.Contains(frame, "Loading…") && len(r.waiting()) == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("the screen did not settle in %s; commands still out: %v", screenWait, r.waiting())
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
	rec.settle(t, sent)
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(screenWait))
	return app.frame()
}
