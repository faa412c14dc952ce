package tui

import (
	"io"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// A screen's frames are written by frameWriter, not by Bubble Tea's own
// renderer (the program runs with tea.WithoutRenderer). Bubble Tea's
// renderer sends the latest frame on a ticker: a new frame waited up to
// one tick (50 ms at the 20 frames a second the screens used) before it
// went out, the first one included, and every open screen's ticker woke
// 20 times a second with nothing to send. frameWriter sends a frame as
// soon as the program draws it, at most one per frameEvery on average
// with a burst of frameBurst back to back: a frame beyond that waits
// until its time is up, and the latest one is sent then (frames drawn in
// between are dropped, as a ticker drops them). An open screen with
// nothing new costs nothing.
//
// The burst is what a screen draws for one event: a placeholder
// ("Loading…") and then its data, when the session opens or a key
// switches tabs. With a plain 1/60 s spacing the data frame waited for
// the placeholder's spacing: about 17 ms added to every first frame
// (dial to first frame 21.9 ms for one session, 18.6 ms of it from the
// shell request) and to every tab switch.
//
// What it writes is what Bubble Tea's standard renderer writes for an
// inline (not alternate-screen) program: the cursor hidden and bracketed
// paste on at the start; each frame over the last one, line by line,
// lines that did not change skipped; at the end the last frame, the
// cursor line erased, bracketed paste off and the cursor shown.

// frameEvery is the time one frame spends of the writer's budget: at
// most 60 frames a second over time.
const frameEvery = time.Second / 60

// frameBurst is how many frames may go out back to back (each spending
// frameEvery) when none went out for frameBurst × frameEvery.
const frameBurst = 3

// frameWriter writes one session's frames (see above). Its methods may be
// called from any goroutine.
type frameWriter struct {
	mu            sync.Mutex
	out           io.Writer
	every         time.Duration
	burst         int
	width, height int

	started       bool
	ended         bool
	last          string   // the last frame written
	lastLines     []string // its lines
	linesRendered int

	pending string // a frame waiting for its time (hasPending)
	hasPend bool
	timer   *time.Timer
	// due is when the budget is spent (a generic cell rate: each frame
	// written moves it every past the later of itself and now); a frame
	// may go out when due is at most (burst-1) × every ahead of now.
	due time.Time
}

func newFrameWriter(out io.Writer, width, height int) *frameWriter {
	return &frameWriter{out: out, every: frameEvery, burst: frameBurst, width: width, height: height}
}

// frame takes a new frame: written now, or when the budget allows one
// (see frameBurst).
func (f *frameWriter) frame(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ended {
		return
	}
	if s == "" {
		s = " " // as Bubble Tea: an empty view clears the screen
	}
	if f.hasPend {
		f.pending = s // the timer writes the latest
		return
	}
	if s == f.last {
		return
	}
	if wait := f.waitLocked(time.Now()); wait > 0 {
		f.pending, f.hasPend = s, true
		if f.timer == nil {
			f.timer = time.AfterFunc(wait, f.writeDue)
		} else {
			f.timer.Reset(wait)
		}
		return
	}
	f.writeLocked(s)
}

// waitLocked is how long a frame drawn at now must wait (f.mu held).
func (f *frameWriter) waitLocked(now time.Time) time.Duration {
	if !f.due.After(now) {
		return 0 // the budget is full (due may be the zero time)
	}
	return f.due.Sub(now) - time.Duration(max(f.burst-1, 0))*f.every
}

// spendLocked takes one frame's spacing from the budget (f.mu held).
func (f *frameWriter) spendLocked(now time.Time) {
	if f.due.Before(now) {
		f.due = now
	}
	f.due = f.due.Add(f.every)
}

// writeDue writes the frame that waited for its time.
func (f *frameWriter) writeDue() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.hasPend || f.ended {
		return
	}
	s := f.pending
	f.pending, f.hasPend = "", false
	if s != f.last {
		f.writeLocked(s)
	}
}

// resize takes the terminal's new size: the next frame is drawn whole.
// The same size changes nothing (the session's first window size
// message repeats the PTY's).
func (f *frameWriter) resize(width, height int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if width == f.width && height == f.height {
		return
	}
	f.width, f.height = width, height
	f.last, f.lastLines = "", nil
}

// finish writes the frame still waiting (unless killed: the session is
// gone) and gives the terminal back: the cursor line erased, bracketed
// paste off, the cursor shown. Later frames are dropped.
func (f *frameWriter) finish(killed bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ended {
		return
	}
	if f.timer != nil {
		f.timer.Stop()
	}
	if f.hasPend && !killed && f.pending != f.last {
		f.writeLocked(f.pending)
	}
	f.hasPend, f.ended = false, true
	if !f.started {
		return
	}
	_, _ = io.WriteString(f.out, ansi.EraseEntireLine+"\r"+ansi.ResetModeBracketedPaste+ansi.ShowCursor)
}

// writeLocked writes frame s over the last one (f.mu held), as Bubble
// Tea's standardRenderer.flush does for an inline program.
func (f *frameWriter) writeLocked(s string) {
	var b strings.Builder
	if !f.started {
		f.started = true
		b.WriteString(ansi.HideCursor + ansi.SetModeBracketedPaste)
	}
	if f.linesRendered > 1 {
		b.WriteString(ansi.CursorUp(f.linesRendered - 1))
	}
	lines := strings.Split(s, "\n")
	if f.height > 0 && len(lines) > f.height {
		lines = lines[len(lines)-f.height:]
	}
	for i, line := range lines {
		if i < len(f.lastLines) && f.lastLines[i] == line {
			if i < len(lines)-1 {
				b.WriteByte('\n')
			}
			continue
		}
		if i == 0 && f.last == "" {
			b.WriteByte('\r')
		}
		// Measured once: cut only when wider than the terminal.
		w := ansi.StringWidth(line)
		if f.width > 0 && w > f.width {
			line = ansi.Truncate(line, f.width, "")
			w = ansi.StringWidth(line)
		}
		b.WriteString(line)
		if w < f.width {
			b.WriteString(ansi.EraseLineRight)
		}
		if i < len(lines)-1 {
			b.WriteString("\r\n")
		}
	}
	if f.linesRendered > len(lines) {
		b.WriteString(ansi.EraseScreenBelow)
	}
	f.linesRendered = len(lines)
	b.WriteByte('\r')
	_, _ = io.WriteString(f.out, b.String())
	f.last, f.lastLines = s, lines
	f.spendLocked(time.Now())
}

// framedModel is a screen's model with its frames sent by a frameWriter.
type framedModel struct {
	m tea.Model
	w *frameWriter
}

func (f framedModel) Init() tea.Cmd { return f.m.Init() }

func (f framedModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		f.w.resize(ws.Width, ws.Height)
	}
	m, cmd := f.m.Update(msg)
	return framedModel{m: m, w: f.w}, cmd
}

// View hands the frame to the writer; Bubble Tea (without a renderer)
// draws nothing itself.
func (f framedModel) View() string {
	v := f.m.View()
	f.w.frame(v)
	return v
}
