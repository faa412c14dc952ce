package partner

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
)

// TestDashboardRedrawsOnlyOnChange: a reload with the same figures keeps
// what was drawn (live updates after other partners' clicks), and one with
// new figures draws them once the click's commit is signalled (the
// screens do not wait for the click applier).
func TestDashboardRedrawsOnlyOnChange(t *testing.T) {
	f := NewFixture(t)
	st := AsciiStyles("#FF5F87")
	c := &common.Common{Renderer: st.R, Styles: st, Keys: keymap.Default(), Now: f.Clock.Now,
		Data: common.NewData(f.St, f.Eve, nil)}
	sh := &shared{c: c, data: NewData(f.St, f.Eve, "acme", PublicURL, Hint).following(c.Data.Since), st: st, keys: c.Keys, now: f.Clock.Now}
	h, err := sh.data.Header(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sh.hdr = h
	d := newDashboard(sh)
	d.SetSize(120, 38)
	load := func() string {
		t.Helper()
		tab, _ := d.Update(d.Load()())
		d = tab.(*dashboard)
		return d.View()
	}
	clicksLine := func(v string) string {
		for _, l := range strings.Split(v, "\n") {
			if strings.Contains(l, "Clicks") {
				return l
			}
		}
		t.Fatalf("no clicks line in:\n%s", v)
		return ""
	}
	v1 := load()
	before := d.stats
	v2 := load()
	if d.stats != before || v2 != v1 {
		t.Fatal("a reload with the same figures replaced them")
	}
	changed, cancel := c.Data.Subscribe("acme")
	defer cancel()
	if _, err := f.St.RecordClick(context.Background(), store.ClickInput{Program: "acme", PartnerID: f.EveP.ID, Code: f.EveP.Code,
		IP: netip.MustParseAddr("198.51.100.7")}); err != nil {
		t.Fatal(err)
	}
	// As the frame does: each change signal, then a reload.
	v3 := v1
	for deadline := time.After(10 * time.Second); clicksLine(v3) == clicksLine(v1); {
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("a new click is not drawn after its commit was signalled:\n%s", clicksLine(v3))
		}
		c.Data.Saw()
		v3 = load()
	}
	if d.stats == before {
		t.Fatal("new figures did not replace the old ones")
	}
	d.SetSize(80, 24)
	if v4 := d.View(); v4 == v3 {
		t.Fatal("a new size is not drawn")
	}
}
