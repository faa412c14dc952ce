package ui

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/testclock"
	"github.com/affogato-sh/affogato/tui/internal/identity"
)

// Golden screens of the terminal home screen. Regenerate the files under
// testdata/TestHomeGolden/ with:
//
//	go test ./tui/internal/ui/ -run Golden -update

// goldenWidth and goldenHeight are the fixed terminal size of every screen.
const (
	goldenWidth  = 100
	goldenHeight = 30
)

// codePlaceholder replaces the partner's random default link code in goldens.
const codePlaceholder = "PARTNERCODE"

// homeFixture is a store seeded with a merchant, a partner, a click and a
// conversion, and the screen environment to load home screens from.
type homeFixture struct {
	env      Env
	st       *store.Store
	merchant *identity.Identity
	partner  *identity.Identity
	code     string // the partner's random default link code
}

func newHomeFixture(t *testing.T) *homeFixture {
	t.Helper()
	clock := testclock.New(time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC))
	dir := t.TempDir()
	st, err := store.Open(dir, store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// The hint and links a server on port 2222 of aff.test would give.
	env := Env{Store: st, Hint: "ssh -p 2222 aff.test", Link: func(code string) string { return "http://aff.test:8080/r/" + code }}

	mu, err := st.CreateUser("Mia Merchant", "mia@acme.test", "SHA256:merchant-key", "ssh-ed25519 AAAAmerchant")
	if err != nil {
		t.Fatal(err)
	}
	ma := store.Actor{UserID: mu.ID}
	_, _, err = st.CreateProgram(ma, store.ProgramInput{
		Slug: "acme", Name: "Acme Widgets", URL: "https://acme.test", Currency: "USD",
		Commission: "20%; 10:25%", MinPayout: "50.00", AutoApprove: true, Listed: true,
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetProgram(ma, "acme", "welcome", "Sell widgets, earn coffee.\nPayouts monthly via PayPal or Wise."); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetProgram(ma, "acme", "accent", "#FF5F87"); err != nil {
		t.Fatal(err)
	}

	pu, err := st.CreateUser("Eve Partner", "eve@partner.test", "SHA256:partner-key", "ssh-ed25519 AAAApartner")
	if err != nil {
		t.Fatal(err)
	}
	pa := store.Actor{UserID: pu.ID}
	p, err := st.Join(pa, "acme", "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != store.PartnerApproved {
		t.Fatalf("partner status %q, want approved (auto-approve)", p.Status)
	}
	click, err := st.RecordClick(context.Background(), store.ClickInput{
		Program: "acme", PartnerID: p.ID, Code: p.Code, IP: netip.MustParseAddr("203.0.113.7"),
	})
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(2 * time.Hour) // not a fast conversion
	if _, _, err := st.RecordConversion("acme", store.ConversionInput{
		OrderID: "order-1", CustomerID: "cus-1", Amount: "129.90", Currency: "USD", Kind: store.KindSale,
		ClickID: strconv.FormatUint(click.ID, 10),
	}); err != nil {
		t.Fatal(err)
	}
	return &homeFixture{
		env: env, st: st, code: p.Code,
		merchant: &identity.Identity{Fingerprint: "SHA256:merchant-key", KeyLine: "ssh-ed25519 AAAAmerchant", User: mu},
		partner:  &identity.Identity{Fingerprint: "SHA256:partner-key", KeyLine: "ssh-ed25519 AAAApartner", User: pu},
	}
}

// unknown is a key no user holds.
func (f *homeFixture) unknown() *identity.Identity {
	return &identity.Identity{Fingerprint: "SHA256:unknown-key", KeyLine: "ssh-ed25519 AAAAunknown"}
}

// asciiStyles are home styles from a renderer without colours, so the
// goldens hold no SGR sequences and do not depend on the environment.
func asciiStyles(accent string) HomeStyles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return NewHomeStyles(r, accent)
}

// runHome runs the home model for d under teatest until it shows every one
// of want, presses q, and returns all it wrote and the final model.
func runHome(t *testing.T, d *HomeData, want ...string) ([]byte, Home) {
	t.Helper()
	accent := ""
	if d.Portal != nil {
		accent = d.Portal.Accent
	}
	m := NewHome(d, asciiStyles(accent), goldenWidth, goldenHeight)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(goldenWidth, goldenHeight))
	var seen []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen = append(seen[:0], b...)
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	rest, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(30*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	fm, ok := tm.FinalModel(t).(Home)
	if !ok {
		t.Fatalf("final model is %T, want Home", tm.FinalModel(t))
	}
	if fm.bye != "Bye!" {
		t.Errorf("after q the model says %q, want Bye!", fm.bye)
	}
	out := append(seen, rest...)
	if !bytes.Contains(rest, []byte("Bye!")) {
		t.Errorf("no Bye! after q; output after the screen:\n%q", rest)
	}
	return out, fm
}

// requireGolden compares out, with the random partner code replaced by a
// placeholder, with testdata/<test name>.golden.
func (f *homeFixture) requireGolden(t *testing.T, out []byte) {
	t.Helper()
	teatest.RequireEqualOutput(t, bytes.ReplaceAll(out, []byte(f.code), []byte(codePlaceholder)))
}

func TestHomeGolden(t *testing.T) {
	f := newHomeFixture(t)

	t.Run("merchant", func(t *testing.T) {
		d, err := LoadHome(f.env, f.merchant, "")
		if err != nil {
			t.Fatal(err)
		}
		out, _ := runHome(t, d, "Programs you run", "q quit")
		screenShows(t, out, "merchant",
			"You are Mia Merchant <mia@acme.test>",
			"acme             Acme Widgets",
			// The line is 106 columns wide: at 100 the renderer cuts off
			// "pending" (see the golden).
			"1 clicks · 1 orders, 1 referred · 129.90 USD revenue",
			"25.98 USD commission · 25.98 USD pending",
			"program create|list|show|set|apikey",
		)
		if bytes.Contains(out, []byte("Programs you partner in")) {
			t.Error("merchant screen shows memberships the merchant does not have")
		}
		f.requireGolden(t, out)
	})

	t.Run("partner", func(t *testing.T) {
		d, err := LoadHome(f.env, f.partner, "")
		if err != nil {
			t.Fatal(err)
		}
		out, _ := runHome(t, d, "Programs you partner in", "q quit")
		screenShows(t, out, "partner",
			"You are Eve Partner <eve@partner.test>",
			"acme             approved  http://aff.test:8080/r/"+f.code,
			"1 clicks · 1 conversions",
			"pending 25.98 USD · approved 0.00 USD · paid 0.00 USD",
			"link list · link create SLUG CODE",
		)
		screenHides(t, out, "partner", "Programs you run", "program create", "payout create")
		f.requireGolden(t, out)
	})

	t.Run("unknown", func(t *testing.T) {
		d, err := LoadHome(f.env, f.unknown(), "")
		if err != nil {
			t.Fatal(err)
		}
		out, _ := runHome(t, d, "Programs you can join", "q quit")
		screenShows(t, out, "unknown-key",
			"This key is not known here (SHA256:unknown-key).",
			"acme                 Acme Widgets · 20%, 25% from the 10th customer",
			`ssh -p 2222 aff.test join SLUG --name "'Your Name'" --email you@example.com`,
		)
		screenHides(t, out, "unknown-key", "You are", "revenue", "129.90")
		f.requireGolden(t, out)
	})

	t.Run("signup", func(t *testing.T) {
		// ssh acme@host by a key nobody holds: the program's own page.
		d, err := LoadHome(f.env, f.unknown(), "acme")
		if err != nil {
			t.Fatal(err)
		}
		if d.Portal == nil || d.Portal.Slug != "acme" {
			t.Fatalf("portal = %+v, want program acme", d.Portal)
		}
		out, _ := runHome(t, d, "To join as a partner", "q quit")
		screenShows(t, out, "signup",
			"Acme Widgets  acme",
			"Sell widgets, earn coffee.",
			"Payouts monthly via PayPal or Wise.",
			"Commission: 20%, 25% from the 10th customer · cookie 30 days · paid from 50.00 USD",
			`ssh -p 2222 aff.test join acme --name "'Your Name'" --email you@example.com`,
		)
		if bytes.Contains(out, []byte("Programs you can join")) {
			t.Error("signup screen lists other programs")
		}
		f.requireGolden(t, out)
	})

	t.Run("member-of-named-program", func(t *testing.T) {
		// ssh acme@host by a partner of acme: the ordinary partner screen.
		d, err := LoadHome(f.env, f.partner, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if d.Portal != nil {
			t.Fatalf("a partner of acme gets the signup portal: %+v", d.Portal)
		}
	})
}

// rendererCSI matches the cursor and erase sequences Bubble Tea's renderer
// writes itself (never SGR colours: the profile is Ascii).
var rendererCSI = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

func TestHomeGoldenSanitizesNames(t *testing.T) {
	f := newHomeFixture(t)
	const hostile = "\x1b]0;pwned\x07Eve\x1b[31m"

	// Through the store: it cleans control characters from names itself.
	u, err := f.st.CreateUser(hostile, "", "SHA256:hostile-key", "ssh-ed25519 AAAAhostile")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Join(store.Actor{UserID: u.ID}, "acme", ""); err != nil {
		t.Fatal(err)
	}
	id := &identity.Identity{Fingerprint: "SHA256:hostile-key", KeyLine: "ssh-ed25519 AAAAhostile", User: u}
	d, err := LoadHome(f.env, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(u.Name, "\x1b\x07") {
		t.Errorf("store kept control characters in the name %q", u.Name)
	}
	// The screen must not trust that: put the raw name back, as data from
	// an older store or another front door could hold it.
	d.User = &store.User{ID: u.ID, Name: hostile}
	out, fm := runHome(t, d, "You are Eve", "q quit")

	for _, bad := range []string{"\x1b]", "\x07", "\x1b[31m", "pwned"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("output contains %q:\n%q", bad, out)
		}
	}
	if rest := rendererCSI.ReplaceAll(out, nil); bytes.IndexByte(rest, 0x1b) >= 0 {
		t.Errorf("output holds ESC bytes besides the renderer's own CSI sequences:\n%q", rest)
	}
	// The screen as the model renders it holds no ESC byte at all.
	fm.bye = ""
	if v := fm.View(); strings.ContainsAny(v, "\x1b\x07") {
		t.Errorf("View() holds escape bytes:\n%q", v)
	} else if !strings.Contains(v, "You are Eve · user") {
		t.Errorf("View() lacks the sanitized name:\n%s", v)
	}
}

// screenShows fails t for each of want that the screen named what lacks.
func screenShows(t *testing.T, out []byte, what string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !bytes.Contains(out, []byte(w)) {
			t.Errorf("%s screen lacks %q", what, w)
		}
	}
}

// screenHides fails t for each of unwanted that the screen named what
// shows.
func screenHides(t *testing.T, out []byte, what string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if bytes.Contains(out, []byte(w)) {
			t.Errorf("%s screen shows %q", what, w)
		}
	}
}
