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
	set := func(every time.Duration, last time.Time) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.every, f.lastWrite = every, last
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

	// The next frame, drawn at once, waits for frameEvery; a later one
	// drawn meanwhile replaces it, and only its changed line is written.
	// 500 ms, not a few: both frames must be drawn within it, and a loaded
	// machine can stall the test between two lines for tens of ms.
	set(500*time.Millisecond, time.Now())
	f.frame("one\nTWO\nthree")
	f.frame("one\n2\nthree")
	if got := out.take(); got != "" {
		t.Fatalf("a frame within frameEvery of the last went out at once: %q", got)
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
	set(time.Hour, time.Time{})
	f.frame("one\n" + strings.Repeat("x", 30))
	got = out.take()
	want = ansi.CursorUp(2) + "\n" + strings.Repeat("x", 20) + ansi.EraseScreenBelow + "\r"
	if got != want {
		t.Fatalf("shorter frame:\n%q\nwant\n%q", got, want)
	}

	// A resize draws the next frame whole.
	f.resize(40, 5)
	set(time.Hour, time.Time{})
	f.frame("one\n" + strings.Repeat("x", 30))
	if got := out.take(); !strings.Contains(got, "one") || !strings.Contains(got, strings.Repeat("x", 30)) {
		t.Fatalf("after a resize the frame was not drawn whole: %q", got)
	}

	// The end: a waiting frame is written, then the terminal given back.
	set(time.Hour, time.Now())
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
	f.every = time.Hour
	f.frame("b")
	out.take()
	f.finish(true)
	if got := out.take(); strings.Contains(got, "b") {
		t.Fatalf("a killed screen wrote its waiting frame: %q", got)
	}
}
