package ui

import (
	"reflect"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// firstLoadWait bounds how long a session's first frame waits for its
// first tab's reads (prefetch). A read that takes longer shows the tab's
// "Loading…" first, as before, and its answer when it comes.
const firstLoadWait = 100 * time.Millisecond

// prefetch runs cmd (and the commands of the batches it returns) at once,
// each in its own goroutine as Bubble Tea would, waits up to wait for their
// answers and hands those to Update, so the first frame drawn already
// shows them. Answers still to come are returned as commands that deliver
// them when they come; so are the commands Update returns, and anything
// only Bubble Tea handles.
//
// A session opened on a tab whose reads come back in time then sends one
// frame instead of the placeholder and the data a moment apart: with 200
// sessions opening at once each message is a wait for a core (the
// program's goroutine, the command's, the batch's), and each frame drawn
// and sent costs a render, an encryption and a write.
func (a *App) prefetch(cmd tea.Cmd, wait time.Duration) tea.Cmd {
	if cmd == nil {
		return nil
	}
	wake := make(chan struct{}, 1)
	var pending []chan tea.Msg
	start := func(c tea.Cmd) {
		if c == nil {
			return
		}
		ch := make(chan tea.Msg, 1)
		pending = append(pending, ch)
		go func() {
			ch <- c()
			select {
			case wake <- struct{}{}:
			default:
			}
		}()
	}
	start(cmd)
	var later []tea.Cmd
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for len(pending) > 0 {
		select {
		case <-wake:
		case <-timer.C:
			for _, ch := range pending {
				later = append(later, func() tea.Msg { return <-ch })
			}
			return tea.Batch(later...)
		}
		waiting := pending
		pending = nil
		for _, ch := range waiting {
			select {
			case m := <-ch:
				switch {
				case m == nil:
				case isBatch(m):
					for _, c := range m.(tea.BatchMsg) {
						start(c)
					}
				case reflect.TypeOf(m).PkgPath() == teaPackage:
					later = append(later, func() tea.Msg { return m }) // quit, sequences, ...: Bubble Tea's own
				default:
					_, c := a.Update(m)
					later = append(later, c)
				}
			default:
				pending = append(pending, ch)
			}
		}
	}
	return tea.Batch(later...)
}

// teaPackage is Bubble Tea's import path: its messages are left to it.
const teaPackage = "github.com/charmbracelet/bubbletea"

func isBatch(m tea.Msg) bool {
	_, ok := m.(tea.BatchMsg)
	return ok
}
