package common

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// Tick is tea.Tick bound to ctx (a session's Common.Ctx): its message
// comes after d, unless the session ends first, when the command returns
// at once with no message. Bubble Tea cannot cancel a tea.Tick: a closed
// session's timers (the merchant Overview's top-partners refresh, up to
// 10 s; the live-reload spacing) kept their goroutines, the batch waiting
// on them and the screen they point to alive until they fired, and the
// collector worked through that memory right after a burst of sessions
// closed.
func Tick(ctx context.Context, d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case now := <-t.C:
			return fn(now)
		case <-ctx.Done():
			return nil
		}
	}
}
