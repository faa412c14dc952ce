package partner

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// BenchmarkPortalTabsSeeded measures each portal tab's load and render at
// 120x40 (256 colours) on a program made by `affogato seed`: with
// AFFOGATO_DASH_DATA set to its data directory (a copy: opening it may
// migrate it), for the partner number AFFOGATO_DASH_PARTNER (default 0,
// the seed's busiest: its clicks follow a Zipf law) of program
// AFFOGATO_DASH_PROGRAM (default "seed"). A seed 10x smaller gives its
// busiest partner about 10x fewer events, so full against small is the
// portal's cost at 10x fewer events. Skipped without seeded data:
//
//	AFFOGATO_DASH_DATA=/tmp/full go test -run '^$' -bench PortalTabsSeeded -benchtime 200x ./tui/internal/ui/partner/
func BenchmarkPortalTabsSeeded(b *testing.B) {
	dir := os.Getenv("AFFOGATO_DASH_DATA")
	if dir == "" {
		b.Skip("AFFOGATO_DASH_DATA is not set (make bench-dashboard seeds one)")
	}
	slug := os.Getenv("AFFOGATO_DASH_PROGRAM")
	if slug == "" {
		slug = "seed"
	}
	n := os.Getenv("AFFOGATO_DASH_PARTNER")
	if n == "" {
		n = "0"
	}
	st, err := store.Open(dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	u, err := st.UserByFingerprint(fmt.Sprintf("SHA256:seed-%s-%s", slug, n))
	if err != nil {
		b.Fatalf("seeded partner %s of %s: %v", n, slug, err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	sty := styles.New(r, "")
	c := &common.Common{Renderer: r, Styles: sty, Keys: keymap.Default(), Now: time.Now}
	sh := &shared{c: c, data: NewData(st, store.Actor{UserID: u.ID}, slug, PublicURL, Hint), st: sty, keys: c.Keys, now: time.Now}
	if sh.hdr, err = sh.data.Header(context.Background()); err != nil {
		b.Fatal(err)
	}
	tabs := []func() Tab{func() Tab { return newDashboard(sh) }, func() Tab { return newLinks(sh) }, func() Tab { return newAssets(sh) },
		func() Tab { return newEarnings(sh) }, func() Tab { return newPayouts(sh) }, func() Tab { return newProfile(sh) }}
	for i, mk := range tabs {
		b.Run(fmt.Sprintf("%d-%s", i+1, strings.ToLower(mk().Title())), func(b *testing.B) {
			var view string
			for b.Loop() {
				st.DropSharedReads()
				t := mk()
				t.SetSize(120, 38)
				t, _ = t.Update(t.Load()())
				view = t.View()
			}
			if len(view) < 50 || strings.Contains(view, "went wrong") {
				b.Fatalf("tab %s did not load:\n%s", mk().Title(), view)
			}
		})
	}
}
