package partner

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
)

// Golden screens of the partner portal. Regenerate testdata/ with:
//
//	go test ./tui/internal/ui/partner/ -run Golden -update

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Fixture is a store with two programs: acme (accent colour, welcome,
// terms, materials) with a seeded partner Eve, and bare (no branding, no
// materials) with a partner Nia who has done nothing yet.
type Fixture struct {
	St       *store.Store
	Clock    *testClock
	Merchant store.Actor
	Eve, Nia store.Actor
	EveP     *store.Partner
	NiaP     *store.Partner
}

const publicURL = "http://aff.test:8080"

func hint(user string) string {
	if user != "" {
		return "ssh -p 2222 " + user + "@aff.test"
	}
	return "ssh -p 2222 aff.test"
}

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
	clock := &testClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	st, err := store.Open(t.TempDir(), store.Options{Now: clock.now})
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
			clock.advance(time.Hour)
			_, _, err = st.RecordConversion("acme", store.ConversionInput{OrderID: "order-" + strconv.Itoa(day), CustomerID: "cus-" + strconv.Itoa(day),
				Amount: "129.90", Currency: "USD", Kind: store.KindSale, ClickID: strconv.FormatUint(lastClick.ID, 10)})
			ok(err)
		}
		clock.advance(24 * time.Hour)
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
func AsciiStyles(accent string) Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return NewStyles(r, accent)
}

func keyMsg(s string) tea.KeyMsg {
	switch s {
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case " ":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func waitFor(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

// runTab opens the portal of actor in slug at w x h, switches to tab n,
// waits for want, quits, and returns the final screen.
func runTab(t *testing.T, f *Fixture, a store.Actor, slug string, w, h, tab int, want ...string) string {
	t.Helper()
	prog, err := f.St.Program(slug)
	if err != nil {
		t.Fatal(err)
	}
	p := New(Config{Data: NewData(f.St, a, slug, publicURL, hint), Styles: AsciiStyles(prog.Accent), Keys: keymap.Default(),
		Width: w, Height: h})
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(w, h))
	if tab == 1 {
		waitFor(t, tm, append(want, "1 Dashboard")...)
	} else {
		waitFor(t, tm, "1 Dashboard")
		tm.Send(keyMsg(strconv.Itoa(tab)))
		waitFor(t, tm, want...)
	}
	tm.Send(keyMsg("q"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Portal)
	return fm.View()
}

// scrub replaces the random default link codes.
func (f *Fixture) scrub(s string) string {
	return strings.NewReplacer(f.EveP.Code, "EVECODE1", f.NiaP.Code, "NIACODE1").Replace(s)
}

var tabMarkers = map[int][2][]string{ // seeded, empty
	1: {{"Clicks per day", "Your link"}, {"Waiting for approval"}},
	2: {{"spring-sale", "URL"}, {"URL"}},
	3: {{"Banner 728x90", "Tweet"}, {"once you are approved"}},
	4: {{"under review", "reversed"}, {"No commissions yet"}},
	5: {{"eve-pay@partner.test"}, {"No payouts yet"}},
	6: {{"Eve Partner", "paypal eve-pay@partner.test"}, {"Nia New", "none yet"}},
}

func TestPortalGolden(t *testing.T) {
	f := NewFixture(t)
	names := map[int]string{1: "dashboard", 2: "links", 3: "assets", 4: "earnings", 5: "payouts", 6: "profile"}
	for tab := 1; tab <= 6; tab++ {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			for _, seeded := range []bool{true, false} {
				kind, a, slug, want := "seeded", f.Eve, "acme", tabMarkers[tab][0]
				if !seeded {
					kind, a, slug, want = "empty", f.Nia, "bare", tabMarkers[tab][1]
				}
				name := names[tab] + "-" + kind + "-" + strconv.Itoa(size[0]) + "x" + strconv.Itoa(size[1])
				t.Run(name, func(t *testing.T) {
					v := runTab(t, f, a, slug, size[0], size[1], tab, want...)
					if strings.ContainsRune(v, 0x1b) {
						t.Errorf("the screen holds escape bytes:\n%q", v)
					}
					lines := strings.Split(v, "\n")
					if len(lines) != size[1] {
						t.Errorf("%d lines, want %d", len(lines), size[1])
					}
					for i, l := range lines {
						if lipgloss.Width(l) > size[0] {
							t.Errorf("line %d is %d columns wide: %q", i+1, lipgloss.Width(l), l)
						}
					}
					golden.RequireEqual(t, []byte(f.scrub(v)))
				})
			}
		}
	}
}
