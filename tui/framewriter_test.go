package tui

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// syncBuffer is a bytes.Buffer safe for the writer's timer goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// take returns what was written since the last take.
func (s *syncBuffer) take() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.b.String()
	s.b.Reset()
	return out
}

// A frame goes out when it is drawn (no ticker to wait for), a frame equal
// to the last one sends nothing, and only the lines that changed are
// written again.
func TestFrameWriterSendsAFrameWhenDrawn(t *testing.T) {
	out := &syncBuffer{}
	f := newFrameWriter(out, 20, 5)
	// set changes the pacing under the writer's lock: its timer's goroutine
	// reads and writes the same fields (go test -race saw the test's plain
	// writes race with due).
	// spent: the budget is used up (a burst just went out), so the next
	// frame waits one spacing; otherwise it is full.
	set := func(every time.Duration, spent bool) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.every, f.due = every, time.Time{}
		if spent {
			f.due = time.Now().Add(time.Duration(f.burst) * every)
		}
	}
	f.every = time.Hour // nothing may wait for a timer in this test but the last step
	f.frame("one\ntwo\nthree")
	got := out.take()
	want := ansi.HideCursor + ansi.SetModeBracketedPaste + "\rone" + ansi.EraseLineRight + "\r\ntwo" + ansi.EraseLineRight +
		"\r\nthree" + ansi.EraseLineRight + "\r"
	if got != want {
		t.Fatalf("first frame:\n%q\nwant\n%q", got, want)
	}
	f.frame("one\ntwo\nthree")
	if got := out.take(); got != "" {
		t.Fatalf("an unchanged frame wrote %q", got)
	}

	// With the budget spent the next frame waits for its spacing; a later one
	// drawn meanwhile replaces it, and only its changed line is written.
	// 500 ms, not a few: both frames must be drawn within it, and a loaded
	// machine can stall the test between two lines for tens of ms.
	set(500*time.Millisecond, true)
	f.frame("one\nTWO\nthree")
	f.frame("one\n2\nthree")
	if got := out.take(); got != "" {
		t.Fatalf("a frame within frameEvery of the last went out at once with the budget spent: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got = out.take()
		if got != "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	want = ansi.CursorUp(2) + "\n2" + ansi.EraseLineRight + "\r\n\r"
	if got != want {
		t.Fatalf("the waiting frame:\n%q\nwant\n%q", got, want)
	}

	// Fewer lines than before: the rest of the screen is erased; lines are
	// cut to the width.
	set(time.Hour, false)
	f.frame("one\n" + strings.Repeat("x", 30))
	got = out.take()
	want = ansi.CursorUp(2) + "\n" + strings.Repeat("x", 20) + ansi.EraseScreenBelow + "\r"
	if got != want {
		t.Fatalf("shorter frame:\n%q\nwant\n%q", got, want)
	}

	// A resize draws the next frame whole.
	f.resize(40, 5)
	set(time.Hour, false)
	f.frame("one\n" + strings.Repeat("x", 30))
	if got := out.take(); !strings.Contains(got, "one") || !strings.Contains(got, strings.Repeat("x", 30)) {
		t.Fatalf("after a resize the frame was not drawn whole: %q", got)
	}

	// The end: a waiting frame is written, then the terminal given back.
	set(time.Hour, true)
	f.frame("Bye!\n")
	f.finish(false)
	got = out.take()
	if !strings.Contains(got, "Bye!") || !strings.HasSuffix(got, ansi.EraseEntireLine+"\r"+ansi.ResetModeBracketedPaste+ansi.ShowCursor) {
		t.Fatalf("finish wrote %q", got)
	}
	f.frame("late")
	if got := out.take(); got != "" {
		t.Fatalf("a frame after the end was written: %q", got)
	}
}

// A killed screen (the session is gone) does not write its waiting frame.
func TestFrameWriterKilledDropsTheWaitingFrame(t *testing.T) {
	out := &syncBuffer{}
	f := newFrameWriter(out, 20, 5)
	f.frame("a")
	f.every, f.due = time.Hour, time.Now().Add(time.Duration(f.burst)*time.Hour)
	f.frame("b")
	out.take()
	f.finish(true)
	if got := out.take(); strings.Contains(got, "b") {
		t.Fatalf("a killed screen wrote its waiting frame: %q", got)
	}
}

// A screen's placeholder and the data drawn right after it go out at
// once, not the data one frame spacing later: the first frame of a
// session and a tab switch draw "Loading…" and then their figures. Past
// the burst the spacing holds: a fourth frame drawn at once waits.
func TestFrameWriterBurstSendsTheDataAfterAPlaceholder(t *testing.T) {
	out := &syncBuffer{}
	f := newFrameWriter(out, 40, 5)
	f.mu.Lock()
	f.every = time.Hour // only the burst can let a frame out in this test
	f.mu.Unlock()
	for _, s := range []string{"head\nLoading…", "head\nClicks 10", "head\nClicks 11"} {
		f.frame(s)
		if got := out.take(); !strings.Contains(got, strings.TrimPrefix(s, "head\n")) {
			t.Fatalf("frame %q waited (wrote %q): the burst should let it out at once", s, got)
		}
	}
	f.frame("head\nClicks 12")
	if got := out.take(); got != "" {
		t.Fatalf("a frame past the burst went out at once: %q", got)
	}
	// The same size again (a session's first window size message) does not
	// make the next frame redraw what did not change.
	f.resize(40, 5)
	f.mu.Lock()
	f.due, f.hasPend, f.pending = time.Time{}, false, ""
	f.timer.Stop()
	f.mu.Unlock()
	f.frame("head\nClicks 13")
	if got, want := out.take(), ansi.CursorUp(1)+"\nClicks 13"+ansi.EraseLineRight+"\r"; got != want {
		t.Fatalf("after a resize to the same size:\n%q\nwant\n%q", got, want)
	}
}
