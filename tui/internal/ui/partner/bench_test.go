package partner

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
)

// BenchmarkPortalTabs measures each portal tab's load and render for a
// partner with many commissions and links (a page is read, never the
// whole history). Run: go test ./tui/internal/ui/partner/ -run XXX -bench Portal -benchtime 200x
func BenchmarkPortalTabs(b *testing.B) {
	f := NewFixture(b)
	const orders, links = 3000, 300
	for i := range links {
		if _, err := f.St.CreateCampaignLink(f.Eve, "acme", fmt.Sprintf("code-%04d", i), "", ""); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	for i := range orders {
		c, err := f.St.RecordClick(ctx, store.ClickInput{Program: "acme", PartnerID: f.EveP.ID, Code: f.EveP.Code,
			IP: netip.AddrFrom4([4]byte{198, 51, byte(i >> 8), byte(i)})})
		if err != nil {
			b.Fatal(err)
		}
		f.Clock.Add(time.Minute)
		if _, _, err := f.St.RecordConversion("acme", store.ConversionInput{OrderID: "bench-" + strconv.Itoa(i), CustomerID: "bc-" + strconv.Itoa(i),
			Amount: "10.00", Currency: "USD", Kind: store.KindSale, ClickID: strconv.FormatUint(c.ID, 10)}); err != nil {
			b.Fatal(err)
		}
	}
	st := AsciiStyles("#FF5F87")
	c := &common.Common{Renderer: st.R, Styles: st, Keys: keymap.Default(), Now: f.Clock.Now}
	sh := &shared{c: c, data: NewData(f.St, f.Eve, "acme", PublicURL, Hint), st: st, keys: c.Keys, now: f.Clock.Now}
	h, err := sh.data.Header(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sh.hdr = h
	// A new tab each time: a tab keeps what it drew while its data stays
	// the same, and this times the load and the drawing.
	tabs := []func() Tab{func() Tab { return newDashboard(sh) }, func() Tab { return newLinks(sh) }, func() Tab { return newAssets(sh) },
		func() Tab { return newEarnings(sh) }, func() Tab { return newPayouts(sh) }, func() Tab { return newProfile(sh) }}
	for _, mk := range tabs {
		b.Run(mk().Title(), func(b *testing.B) {
			for range b.N {
				t := mk()
				t.SetSize(120, 38)
				msg := t.Load()()
				t, _ = t.Update(msg)
				if len(t.View()) == 0 {
					b.Fatal("empty view")
				}
			}
		})
	}
}
