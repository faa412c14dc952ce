package signup

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// Golden screens of the signup form. Regenerate testdata/ with:
//
//	go test ./tui/internal/ui/signup/ -run Golden -update

type fixture struct {
	st    *store.Store
	admin store.Actor
	known *store.User
}

func newFixture(t *testing.T, listed bool) *fixture {
	t.Helper()
	now := func() time.Time { return time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC) }
	st, err := store.Open(t.TempDir(), store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	mu, err := st.CreateUser("Mia Merchant", "mia@acme.test", "SHA256:merchant", "ssh-ed25519 AAAAmerchant")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, admin: store.Actor{UserID: mu.ID, Admin: true}}
	for _, in := range []store.ProgramInput{
		{Slug: "acme", Name: "Acme Widgets", URL: "https://acme.test", Commission: "20%; 10:25%", RecurringMonths: "12",
			AutoApprove: true, Listed: listed},
		{Slug: "bare", Name: "Bare Bones", URL: "https://bare.test", Commission: "5.00", RecurringMonths: "0", Listed: listed},
	} {
		if _, _, err := st.CreateProgram(f.admin, in, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, kv := range [][2]string{
		{"accent", "#FF5F87"},
		{"welcome", "Sell widgets, earn coffee.\nPayouts monthly via PayPal or Wise."},
		{"terms", "1. No paid ads on our brand name.\n2. No coupon or cashback sites.\n3. Disclose that you earn a commission."},
	} {
		if _, err := st.SetProgram(f.admin, "acme", kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	f.known, err = st.CreateUser("Kai Known", "kai@known.test", "SHA256:kai", "ssh-ed25519 AAAAkai")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func asciiStyles(accent string) *styles.Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return styles.New(r, accent)
}

func hint(user string) string {
	if user != "" {
		return "ssh -p 2222 " + user + "@aff.test"
	}
	return "ssh -p 2222 aff.test"
}

func (f *fixture) model(slug string, user *store.User, w, h int) *Model {
	accent := ""
	if p, err := f.st.Program(slug); err == nil {
		accent = p.Accent
	}
	fp, line := "SHA256:newcomer", "ssh-ed25519 AAAAnewcomer"
	if user != nil {
		fp, line = "SHA256:kai", "ssh-ed25519 AAAAkai"
	}
	return New(Config{Store: f.st, Fingerprint: fp, KeyLine: line, User: user, Slug: slug,
		PublicURL: "http://aff.test:8080", Hint: hint, Styles: asciiStyles(accent), Keys: keymap.Default(), Width: w, Height: h})
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
	}, teatest.WithDuration(30*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

func send(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		switch k {
		case "tab":
			tm.Send(tea.KeyMsg{Type: tea.KeyTab})
		case "enter":
			tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
		case " ":
			tm.Send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
		case "ctrl+c":
			tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
		default:
			for _, r := range k {
				tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
			}
		}
	}
}

func finalView(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	send(tm, "ctrl+c")
	return tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*Model).View()
}

func checkScreen(t *testing.T, v string, w, h int) {
	t.Helper()
	if strings.ContainsRune(v, 0x1b) {
		t.Errorf("the screen holds escape bytes:\n%q", v)
	}
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Errorf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			t.Errorf("line %d is %d columns wide: %q", i+1, lipgloss.Width(l), l)
		}
	}
}

func TestSignupGolden(t *testing.T) {
	f := newFixture(t, true)
	bare := newFixture(t, false)
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		suffix := "-" + strconv.Itoa(w) + "x" + strconv.Itoa(h)
		cases := []struct {
			name string
			f    *fixture
			slug string
			user *store.User
			want []string
		}{
			{"terms-accent-newcomer", f, "acme", nil, []string{"I accept the terms", "No paid ads"}},
			{"no-terms-known-user", f, "bare", f.known, []string{"Kai Known", "5.00 USD per payment"}},
			{"unknown-slug-listed", f, "nosuch", nil, []string{"No such program", "Programs you can join"}},
			{"unknown-slug-none-listed", bare, "nosuch", nil, []string{"No such program"}},
		}
		for _, c := range cases {
			t.Run(c.name+suffix, func(t *testing.T) {
				tm := teatest.NewTestModel(t, c.f.model(c.slug, c.user, w, h), teatest.WithInitialTermSize(w, h))
				waitFor(t, tm, c.want...)
				v := finalView(t, tm)
				checkScreen(t, v, w, h)
				golden.RequireEqual(t, []byte(v))
			})
		}
	}
}

func TestSignupFlow(t *testing.T) {
	f := newFixture(t, true)
	users := func() int {
		n, err := f.st.UserCount()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := users()

	tm := teatest.NewTestModel(t, f.model("acme", nil, 80, 24), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "I accept the terms")
	// Name and email typed; enter without the box ticked: refused as typed.
	send(tm, "Nova Newcomer", "tab", "nova@new.test", "enter")
	waitFor(t, tm, "accept the terms to join")
	// A wrong invitation token: the store refuses, nothing is left behind.
	send(tm, " ", "tab", "not-a-token", "enter")
	waitFor(t, tm, "invitation")
	if n := users(); n != before {
		t.Fatalf("a refused signup left %d users (was %d)", n, before)
	}
	// Clear the token and join: the portal opens on the new link.
	for range len("not-a-token") {
		tm.Send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	send(tm, "enter")
	waitFor(t, tm, "Welcome! Your link: http://aff.test:8080/r/")
	fm := finalModel(t, tm)
	if j := fm.Joined(); j == nil || j.Slug != "acme" || j.User == nil || j.User.Name != "Nova Newcomer" {
		t.Fatalf("joined = %+v, want acme as the new user", j)
	}
	u, err := f.st.UserByFingerprint("SHA256:newcomer")
	if err != nil || u.Name != "Nova Newcomer" || u.Email != "nova@new.test" {
		t.Fatalf("user after signup = %+v, %v", u, err)
	}
	if m, err := f.st.Membership(store.Actor{UserID: u.ID}, "acme"); err != nil || m.Status != store.PartnerApproved {
		t.Fatalf("membership = %+v, %v", m, err)
	}
}

func TestSignupKnownUserManualProgram(t *testing.T) {
	f := newFixture(t, true)
	tm := teatest.NewTestModel(t, f.model("bare", f.known, 80, 24), teatest.WithInitialTermSize(80, 24))
	waitFor(t, tm, "Kai Known")
	// The email is changed in the form; name kept.
	send(tm, "tab")
	for range len("kai@known.test") {
		tm.Send(tea.KeyMsg{Type: tea.KeyBackspace})
	}
	send(tm, "kai@new.test", "enter")
	waitFor(t, tm, "Waiting for approval")
	finalModel(t, tm)
	u, err := f.st.UserByID(f.known.ID)
	if err != nil || u.Email != "kai@new.test" {
		t.Fatalf("user = %+v, %v", u, err)
	}
	m, err := f.st.Membership(store.Actor{UserID: f.known.ID}, "bare")
	if err != nil || m.Status != store.PartnerPending || m.Email != "kai@new.test" {
		t.Fatalf("membership = %+v, %v", m, err)
	}
}

func finalModel(t *testing.T, tm *teatest.TestModel) *Model {
	t.Helper()
	send(tm, "ctrl+c")
	return tm.FinalModel(t, teatest.WithFinalTimeout(30*time.Second)).(*Model)
}
