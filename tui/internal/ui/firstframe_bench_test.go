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
// Init), its first frame drawn, then the first tab's answers still to come
// (its reads run as Bubble Tea runs them, each in a goroutine) handed to
// Update with a frame drawn after each, as Bubble Tea does; at 120x40 in
// 256 colours, for the merchant console (an instance admin) and a
// partner's portal (of the small program seeded here). The tab's reads
// are shared reads (store.StatsSince): after the first iteration they
// cost what a session that finds one costs.
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
			newApp := func(ctx context.Context) *App {
				r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.ANSI256))
				r.SetHasDarkBackground(true)
				return New(ctx, Options{Store: st, Identity: id, Username: slug, Renderer: r, Width: 120, Height: 40,
					Hint: func(string) string { return "ssh -p 23234 localhost" }, Link: func(c string) string { return "http://localhost:8080/r/" + c },
					PartnerTabs: func(c *common.Common, slug string) []common.Tab {
						return partner.Tabs(c, slug, partner.Env{Store: st, PublicURL: "http://localhost:8080"})
					}})
			}
			// How many answers the first frame's commands bring (the
			// change subscription's wait brings none).
			ctx, cancel := context.WithCancel(context.Background())
			a := newApp(ctx)
			want := len(answers(a.Init(), -1, time.Second))
			cancel()
			a.Close()
			for b.Loop() {
				ctx, cancel := context.WithCancel(context.Background())
				a := newApp(ctx)
				cmd := a.Init()
				_ = a.View()
				for _, m := range answers(cmd, want, time.Minute) {
					a.Update(m)
					_ = a.View()
				}
				cancel() // ends the subscription's wait
				a.Close()
			}
		})
	}
}

// answers runs cmd and the commands of the batches it returns, each in a
// goroutine, and returns the first n answers (n < 0: all that come within
// wait; the rest are left).
func answers(cmd tea.Cmd, n int, wait time.Duration) []tea.Msg {
	ch := make(chan tea.Msg, 64)
	running := 0
	start := func(c tea.Cmd) {
		if c != nil {
			running++
			go func() { ch <- c() }()
		}
	}
	start(cmd)
	var out []tea.Msg
	timeout := time.After(wait)
	for running > 0 && (n < 0 || len(out) < n) {
		select {
		case m := <-ch:
			running--
			if batch, ok := m.(tea.BatchMsg); ok {
				for _, c := range batch {
					start(c)
				}
			} else if m != nil {
				out = append(out, m)
			}
		case <-timeout:
			return out
		}
	}
	return out
}
