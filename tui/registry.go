package tui

import (
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/tui/internal/ui"
)

// programRegistry holds the running Bubble Tea programs so shutdown can tell
// each session goodbye before the listener closes.
type programRegistry struct {
	mu       sync.Mutex
	programs map[*tea.Program]struct{}
	closing  bool
	// counted, when set, hears the number of programs after each change
	// (with mu held, so in order).
	counted func(n int)
}

func (r *programRegistry) init() { r.programs = map[*tea.Program]struct{}{} }

// add registers p; false once shutdown began (the session should end).
func (r *programRegistry) add(p *tea.Program) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return false
	}
	r.programs[p] = struct{}{}
	if r.counted != nil {
		r.counted(len(r.programs))
	}
	return true
}

func (r *programRegistry) remove(p *tea.Program) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.programs, p)
	if r.counted != nil {
		r.counted(len(r.programs))
	}
}

// goodbye sends text to every running program (each shows it and quits) and
// refuses new ones.
func (r *programRegistry) goodbye(text string) {
	r.mu.Lock()
	r.closing = true
	ps := make([]*tea.Program, 0, len(r.programs))
	for p := range r.programs {
		ps = append(ps, p)
	}
	r.mu.Unlock()
	for _, p := range ps {
		// Send blocks until the program reads the message or ends; one
		// goroutine each so a busy screen cannot hold up shutdown.
		go func() {
			defer func() { _ = recover() }()
			p.Send(ui.GoodbyeMsg{Text: text})
		}()
	}
}

// count is the number of running programs.
func (r *programRegistry) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.programs)
}
