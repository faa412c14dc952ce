package ui

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/testclock"
	"github.com/affogato-sh/affogato/tui/internal/identity"
)

// Golden screens of the dashboard. Regenerate testdata/TestDashboard*/ with
//
//	go test ./tui/internal/ui/ -run Dashboard -update
var _ = flag.Lookup("update") // the golden package registers -update

// dashFixture is a store with an instance admin and, when seeded, a program
// with partners, clicks, conversions, a flagged commission and a partner
// whose name carries escape sequences.
type dashFixture struct {
	st    *store.Store
	clock *testclock.Clock
	admin *identity.Identity
	codes []string // random link codes, replaced in goldens
	hints []string // API key hint
}

func newDashFixture(t *testing.T, program, seeded bool) *dashFixture {
	t.Helper()
	clock := testclock.New(time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC))
	st, err := store.Open(t.TempDir(), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u, err := st.CreateUser("Mia Merchant", "mia@acme.test", "SHA256:merchant-key", "ssh-ed25519 AAAAmerchant")
	if err != nil {
		t.Fatal(err)
	}
	f := &dashFixture{st: st, clock: clock, admin: &identity.Identity{Fingerprint: "SHA256:merchant-key", KeyLine: "ssh-ed25519 AAAAmerchant", User: u, Admin: true}}
	if !program {
		return f
	}
	a := f.admin.Actor()
	holdDays := 7
	p, _, err := st.CreateProgram(a, store.ProgramInput{Slug: "acme", Name: "Acme Widgets", URL: "https://acme.test",
		Currency: "USD", Commission: "20%", MinPayout: "10.00", HoldDays: &holdDays}, false)
	if err != nil {
		t.Fatal(err)
	}
	f.hints = append(f.hints, p.APIKeyHint)
	if !seeded {
		return f
	}
	names := []string{"Alice Archer", "Bob Baker", "Carol \x1b]0;pwned\x07Clark\x1b[2J", "Dan Diaz"}
	var partners []*store.Partner
	for i, n := range names {
		pu, err := st.CreateUser(n, fmt.Sprintf("p%d@partners.test", i), fmt.Sprintf("SHA256:p%d", i), "ssh-ed25519 AAAA")
		if err != nil {
			t.Fatal(err)
		}
		pa := store.Actor{UserID: pu.ID}
		if _, err := st.SetProfile(pa, "paypal", fmt.Sprintf("p%d@partners.test", i), ""); err != nil {
			t.Fatal(err)
		}
		pt, err := st.Join(pa, "acme", "")
		if err != nil {
			t.Fatal(err)
		}
		if i != 1 { // Bob stays pending
			if pt, err = st.SetPartnerStatus(a, "acme", pt.ID, store.PartnerApproved); err != nil {
				t.Fatal(err)
			}
		}
		partners = append(partners, pt)
		f.codes = append(f.codes, pt.Code)
	}
	// Ten days of clicks and conversions.
	order := 0
	for day := 9; day >= 0; day-- {
		for i, pt := range partners {
			if pt.Status != store.PartnerApproved {
				continue
			}
			for c := 0; c < (day%3+1)*(i+1); c++ {
				click, err := st.RecordClick(context.Background(), store.ClickInput{Program: "acme", PartnerID: pt.ID, Code: pt.Code,
					IP: netip.MustParseAddr(fmt.Sprintf("203.0.%d.%d", i, c+1))})
				if err != nil {
					t.Fatal(err)
				}
				if c == 0 && (day+i)%2 == 0 {
					clock.Add(time.Minute)
					order++
					if _, _, err := st.RecordConversion("acme", store.ConversionInput{OrderID: fmt.Sprintf("order-%d", order),
						CustomerID: fmt.Sprintf("cus-%d", order), Amount: fmt.Sprintf("%d.00", 50+order*10), Currency: "USD",
						Kind: store.KindSale, ClickID: strconv.FormatUint(click.ID, 10)}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		clock.Add(24 * time.Hour)
	}
	// A conversion 2 seconds after its click: flagged for review.
	click, err := st.RecordClick(context.Background(), store.ClickInput{Program: "acme", PartnerID: partners[0].ID, Code: partners[0].Code,
		IP: netip.MustParseAddr("198.51.100.9")})
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(2 * time.Second)
	if _, _, err := st.RecordConversion("acme", store.ConversionInput{OrderID: "order-fast", CustomerID: "cus-fast", Amount: "999.00",
		Currency: "USD", Kind: store.KindSale, ClickID: strconv.FormatUint(click.ID, 10)}); err != nil {
		t.Fatal(err)
	}
	// A week later the earlier commissions are approved and owed.
	clock.Add(7 * 24 * time.Hour)
	return f
}

// app makes a dashboard for the admin with an Ascii renderer.
func (f *dashFixture) app(w, h int) *App {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return New(context.Background(), Options{
		Store: f.st, Identity: f.admin, Renderer: r, Width: w, Height: h, Now: f.clock.Now,
		Hint: func(user string) string {
			if user != "" {
				return "ssh -p 2222 " + user + "@aff.test"
			}
			return "ssh -p 2222 aff.test"
		},
		Link: func(code string) string { return "http://aff.test:8080/r/" + code },
	})
}

// step is keys to press, then text to wait for on the screen.
type step struct {
	keys string // each rune is a key (keyOf): "\t" tab, "\r" enter, "\x1b" esc, "\x13" ctrl+s, "\x7f" backspace
	want string
}

// drive runs app under teatest at w x h through steps, lets the loads the
// last key started land, quits, and returns the last frame (what the
// screen showed before quitting).
func drive(t *testing.T, app *App, w, h int, steps ...step) string {
	t.Helper()
	return runSteps(t, app, w, h, keyOf, steps...) // portal_frame_test.go
}

var apiHint = regexp.MustCompile(`API key [A-Za-z0-9_]+…`)

// stable replaces what is random in a frame.
func (f *dashFixture) stable(frame string) string {
	for i, c := range f.codes {
		frame = strings.ReplaceAll(frame, c, fmt.Sprintf("CODE%d", i))
	}
	frame = apiHint.ReplaceAllString(frame, "API key HINT…")
	return frame
}

func requireFrame(t *testing.T, f *dashFixture, frame string, w, h int) {
	t.Helper()
	frame = f.stable(frame)
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Errorf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			t.Errorf("line %d is %d wide (> %d): %q", i+1, lipgloss.Width(l), w, l)
		}
	}
	if strings.ContainsAny(frame, "\x1b\x07") {
		t.Errorf("frame holds escape or control bytes: %q", frame)
	}
	golden.RequireEqual(t, []byte(frame))
}

func TestDashboardMerchantTabs(t *testing.T) {
	sizes := [][2]int{{80, 24}, {120, 40}}
	tabs := []struct {
		name  string
		steps []step
		want  string // on the seeded screen
	}{
		{"overview", nil, "Top partners by revenue"},
		{"partners", []step{{"2", "Partners"}}, "Alice Archer"},
		{"partner-detail", []step{{"2", "Alice"}, {"\r", "Recent conversions"}}, "Recent conversions"},
		{"conversions", []step{{"3", "newest first"}}, "order-fast"},
		{"commissions", []step{{"4", "Commissions"}}, "fast_conversion"},
		{"commission-detail", []step{{"4", "fast_conversion"}, {"\r", "Fraud review"}}, "less than 10 seconds"},
		{"payouts", []step{{"5", "Who is owed what"}}, "Who is owed what"},
		{"assets", []step{{"6", "asset add"}}, "asset add acme"},
		{"settings", []step{{"7", "Setting"}}, "commission"},
		{"help", []step{{"?", "Keys"}}, "jump to tab"},
		{"confirm", []step{{"2", "Alice"}, {"x", "y yes"}}, "Reject partner"},
	}
	for _, seeded := range []bool{true, false} {
		for _, size := range sizes {
			w, h := size[0], size[1]
			for _, tc := range tabs {
				name := fmt.Sprintf("%s-%s-%dx%d", tc.name, map[bool]string{true: "seeded", false: "empty"}[seeded], w, h)
				if !seeded && (tc.name == "partner-detail" || tc.name == "commission-detail" || tc.name == "confirm") {
					continue // need a row to open
				}
				t.Run(name, func(t *testing.T) {
					f := newDashFixture(t, true, seeded)
					steps := append([]step{{"", "Overview"}}, tc.steps...)
					if seeded {
						steps = append(steps, step{"", tc.want}) // the tab's rows have loaded
					}
					frame := drive(t, f.app(w, h), w, h, steps...)
					if seeded && !strings.Contains(frame, tc.want) {
						t.Errorf("screen lacks %q:\n%s", tc.want, frame)
					}
					requireFrame(t, f, frame, w, h)
				})
			}
		}
	}
}

func TestDashboardFirstProgramForm(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			f := newDashFixture(t, false, false)
			frame := drive(t, f.app(w, h), w, h, step{"", "Create your first program"}, step{"x!", "2 to 32 characters"})
			requireFrame(t, f, frame, w, h)
		})
	}
	t.Run("creates", func(t *testing.T) {
		f := newDashFixture(t, false, false)
		app := f.app(80, 24)
		frame := drive(t, app, 80, 24, step{"", "Create your first program"},
			step{"shop\tShop Inc\thttps://shop.test\t\t", ""}, step{"\r", "API key (shown once"})
		if !strings.Contains(frame, "Overview") || !strings.Contains(frame, "Shop Inc") {
			t.Fatalf("after creating, the console should open:\n%s", frame)
		}
		if _, err := f.st.Program("shop"); err != nil {
			t.Fatalf("program not created: %v", err)
		}
	})
}

func TestDashboardPicker(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			f := newDashFixture(t, true, false)
			if _, _, err := f.st.CreateProgram(f.admin.Actor(), store.ProgramInput{Slug: "beta", Name: "Beta Books", URL: "https://beta.test"}, false); err != nil {
				t.Fatal(err)
			}
			frame := drive(t, f.app(w, h), w, h, step{"", "Your programs"}, step{"j", ""})
			requireFrame(t, f, frame, w, h)
			if !strings.Contains(frame, "Beta Books") || !strings.Contains(frame, "Acme Widgets") {
				t.Fatalf("picker lacks a program:\n%s", frame)
			}
		})
	}
}

// TestDashboardPayoutsExportFromList: the batch list holds heads (no
// items), so e on a list row reads the batch before showing its export.
func TestDashboardPayoutsExportFromList(t *testing.T) {
	f := newDashFixture(t, true, true)
	b, _, err := f.st.CreatePayoutBatch(f.admin.Actor(), "acme")
	if err != nil || b == nil {
		t.Fatalf("batch %+v %v", b, err)
	}
	frame := drive(t, f.app(120, 40), 120, 40, step{"", "Overview"}, step{"5", "Who is owed what"},
		step{"o", "› Batches"}, step{"e", "Save it with"})
	if !strings.Contains(frame, "payout export "+fmt.Sprint(b.ID)) || !strings.Contains(frame, "p0@partners.test") {
		t.Errorf("export of a list row:\n%s", frame)
	}
}
