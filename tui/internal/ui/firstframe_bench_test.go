package ui

import (
	"context"
	"io"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/identity"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/partner"
)

// BenchmarkFirstFrame is the server's work for one session's first
// frames, without SSH: the App made (styles, the session's reads in
// Init), its placeholder frame drawn, then the first tab's answers handed
// to Update with a frame drawn after each, as Bubble Tea does. The
// answers are read once before the loop (the store's part is measured by
// BenchmarkDashboardTab), so this is the render's cost per session at
// 120x40 in 256 colours: the merchant console (an instance admin) and a
// partner's portal.
//
//	go test ./tui/internal/ui/ -run '^$' -bench FirstFrame -benchmem
func BenchmarkFirstFrame(b *testing.B) {
	st, slug := openBenchStore(b)
	admin := &identity.Identity{Fingerprint: "SHA256:bench", User: &store.User{ID: 1 << 40, Name: "bench"}, Admin: true}
	consoles := map[string]*identity.Identity{"merchant": admin}
	if u, err := st.UserByFingerprint("SHA256:p0"); err == nil { // seedSmall's first partner
		consoles["portal"] = &identity.Identity{Fingerprint: "SHA256:p0", User: u}
	}
	for _, name := range []string{"merchant", "portal"} {
		id := consoles[name]
		if id == nil {
			continue
		}
		b.Run(name, func(b *testing.B) {
			newApp := func() *App {
				r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.ANSI256))
				r.SetHasDarkBackground(true)
				return New(context.Background(), Options{Store: st, Identity: id, Username: slug, Renderer: r, Width: 120, Height: 40,
					Hint: func(string) string { return "ssh -p 23234 localhost" }, Link: func(c string) string { return "http://localhost:8080/r/" + c },
					PartnerTabs: func(c *common.Common, slug string) []common.Tab {
						return partner.Tabs(c, slug, partner.Env{Store: st, PublicURL: "http://localhost:8080"})
					}})
			}
			a := newApp()
			msgs := answers(a.Init())
			a.Close()
			if len(msgs) == 0 {
				b.Fatal("the first tab asked for nothing")
			}
			for b.Loop() {
				a := newApp()
				_ = a.Init()
				_ = a.View()
				for _, m := range msgs {
					a.Update(m)
					_ = a.View()
				}
				a.Close()
			}
		})
	}
}

// answers runs cmd (and the commands of a batch) and returns the messages
// that come back within a second; waits longer than that (the live-update
// subscription) are left.
func answers(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case m := <-ch:
		if batch, ok := m.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range batch {
				out = append(out, answers(c)...)
			}
			return out
		}
		if m == nil {
			return nil
		}
		return []tea.Msg{m}
	case <-time.After(time.Second):
		return nil
	}
}
