package partner

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/testclock"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// The portal's test fixture; frame_test.go drives the tabs in the
// dashboard frame.

// Fixture is a store with two programs: acme (accent colour, welcome,
// terms, materials) with a seeded partner Eve, and bare (no branding, no
// materials) with a partner Nia who has done nothing yet.
type Fixture struct {
	St       *store.Store
	Clock    *testclock.Clock
	Merchant store.Actor
	Eve, Nia store.Actor
	EveP     *store.Partner
	NiaP     *store.Partner
}

// PublicURL is the HTTP base the fixture's links use.
const PublicURL = "http://aff.test:8080"

// Hint makes the ssh command lines shown.
func Hint(user string) string {
	if user != "" {
		return "ssh -p 2222 " + user + "@aff.test"
	}
	return "ssh -p 2222 aff.test"
}

// Now is the fixture's clock.
func (f *Fixture) Now() time.Time { return f.Clock.Now() }

// NewFixture seeds the store through its write methods.
func NewFixture(t testing.TB) *Fixture {
	t.Helper()
	var err error
	ok := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	clock := testclock.New(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	st, err := store.Open(t.TempDir(), store.Options{Now: clock.Now})
	ok(err)
	t.Cleanup(func() { st.Close() })
	f := &Fixture{St: st, Clock: clock}
	mu, err := st.CreateUser("Mia Merchant", "mia@acme.test", "SHA256:merchant", "ssh-ed25519 AAAAmerchant")
	ok(err)
	f.Merchant = store.Actor{UserID: mu.ID, Admin: true}
	for _, in := range []store.ProgramInput{
		{Slug: "acme", Name: "Acme Widgets", URL: "https://acme.test", Commission: "20%", MinPayout: "10.00", AutoApprove: true, Listed: true},
		{Slug: "bare", Name: "Bare Bones", URL: "https://bare.test", Commission: "5.00", RecurringMonths: "0"},
	} {
		_, _, err = st.CreateProgram(f.Merchant, in, false)
		ok(err)
	}
	for _, kv := range [][2]string{
		{"accent", "#FF5F87"},
		{"welcome", "Sell widgets, earn coffee.\nPayouts monthly via PayPal or Wise."},
		{"terms", "No paid ads on our brand name.\nNo coupon sites."},
	} {
		_, err = st.SetProgram(f.Merchant, "acme", kv[0], kv[1])
		ok(err)
	}
	eu, err := st.CreateUser("Eve Partner", "eve@partner.test", "SHA256:eve", "ssh-ed25519 AAAAeve")
	ok(err)
	f.Eve = store.Actor{UserID: eu.ID}
	f.EveP, err = st.Join(f.Eve, "acme", "")
	ok(err)
	_, err = st.SetProfile(f.Eve, "paypal", "eve-pay@partner.test", "")
	ok(err)
	_, err = st.CreateCampaignLink(f.Eve, "acme", "spring-sale", "/spring", "newsletter")
	ok(err)
	nu, err := st.CreateUser("Nia New", "nia@partner.test", "SHA256:nia", "ssh-ed25519 AAAAnia")
	ok(err)
	f.Nia = store.Actor{UserID: nu.ID}
	f.NiaP, err = st.Join(f.Nia, "bare", "")
	ok(err)

	// Ten days of clicks, some through the campaign link; two orders.
	ip := 1
	var lastClick *store.Click
	for day := range 10 {
		for i := 0; i < (day*3)%7+1; i++ {
			code := f.EveP.Code
			if i%3 == 2 {
				code = "spring-sale"
			}
			lastClick, err = st.RecordClick(context.Background(), store.ClickInput{Program: "acme", PartnerID: f.EveP.ID, Code: code,
				IP: netip.AddrFrom4([4]byte{203, 0, 113, byte(ip)})})
			ok(err)
			ip++
		}
		if day == 3 || day == 6 {
			clock.Add(time.Hour)
			_, _, err = st.RecordConversion("acme", store.ConversionInput{OrderID: "order-" + strconv.Itoa(day), CustomerID: "cus-" + strconv.Itoa(day),
				Amount: "129.90", Currency: "USD", Kind: store.KindSale, ClickID: strconv.FormatUint(lastClick.ID, 10)})
			ok(err)
		}
		clock.Add(24 * time.Hour)
	}
	// A self-referral, held for review; a partial refund of order-6.
	_, _, err = st.RecordConversion("acme", store.ConversionInput{OrderID: "order-self", CustomerID: "cus-self", CustomerEmail: "eve@partner.test",
		Amount: "40.00", Currency: "USD", Kind: store.KindSale, Ref: f.EveP.Code})
	ok(err)
	_, _, err = st.RecordRefund("acme", store.RefundInput{RefundID: "re-1", OrderID: "order-6", Amount: "29.90"})
	ok(err)
	// The first commission approved early and paid in a batch.
	comms, err := st.ListCommissions(f.Merchant, "acme", "", 0)
	ok(err)
	_, err = st.ApproveCommission(f.Merchant, "acme", comms[len(comms)-1].ID)
	ok(err)
	b, _, err := st.CreatePayoutBatch(f.Merchant, "acme")
	ok(err)
	_, err = st.MarkBatchPaid(f.Merchant, b.ID)
	ok(err)

	// Materials: a text with {link} and {code}, and a banner.
	_, err = st.AddTextAsset(f.Merchant, "acme", "Tweet", "Widgets that work: {link} (use code {code} at checkout)")
	ok(err)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 2040)...)
	_, err = st.AddFileAsset(f.Merchant, "acme", "Banner 728x90", "banner-728x90.png", bytes.NewReader(png))
	ok(err)
	return f
}

// AsciiStyles are styles without colours: goldens hold no SGR sequences.
func AsciiStyles(accent string) *styles.Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return styles.New(r, accent)
}

// Scrub replaces the random default link codes.
func (f *Fixture) Scrub(s string) string {
	return strings.NewReplacer(f.EveP.Code, "EVECODE1", f.NiaP.Code, "NIACODE1").Replace(s)
}
