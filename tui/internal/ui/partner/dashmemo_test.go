package partner

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
)

// TestDashboardRedrawsOnlyOnChange: a reload with the same figures keeps
// what was drawn (live updates after other partners' clicks), and one with
// new figures draws them.
func TestDashboardRedrawsOnlyOnChange(t *testing.T) {
	f := NewFixture(t)
	st := AsciiStyles("#FF5F87")
	c := &common.Common{Renderer: st.R, Styles: st, Keys: keymap.Default(), Now: f.Clock.Now}
	sh := &shared{c: c, data: NewData(f.St, f.Eve, "acme", PublicURL, Hint), st: st, keys: c.Keys, now: f.Clock.Now}
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
	if _, err := f.St.RecordClick(context.Background(), store.ClickInput{Program: "acme", PartnerID: f.EveP.ID, Code: f.EveP.Code,
		IP: netip.MustParseAddr("198.51.100.7")}); err != nil {
		t.Fatal(err)
	}
	v3 := load()
	if d.stats == before || clicksLine(v3) == clicksLine(v1) {
		t.Fatalf("a new click is not drawn:\n%s\nwas\n%s", clicksLine(v3), clicksLine(v1))
	}
	d.SetSize(80, 24)
	if v4 := d.View(); v4 == v3 {
		t.Fatal("a new size is not drawn")
	}
}
