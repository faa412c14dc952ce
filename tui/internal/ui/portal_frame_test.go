package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/identity"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/merchant"
	"github.com/affogato-sh/affogato/tui/internal/ui/partner"
)

// The merchant's Assets tab and the partner portal inside the dashboard
// frame (tab 6 of the console; the portal's tabs and the picker's p).

// appAs makes a dashboard for id with the portal and the Assets tab
// plugged in, as the SSH session does.
func (f *dashFixture) appAs(id *identity.Identity, w, h int) *App {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	return New(context.Background(), Options{
		Store: f.st, Identity: id, Renderer: r, Width: w, Height: h, Now: f.clock.Now,
		Hint: func(user string) string {
			if user != "" {
				return "ssh -p 2222 " + user + "@aff.test"
			}
			return "ssh -p 2222 aff.test"
		},
		Link: func(code string) string { return "http://aff.test:8080/r/" + code },
		PartnerTabs: func(c *common.Common, slug string) []common.Tab {
			return partner.Tabs(c, slug, partner.Env{Store: f.st, PublicURL: "http://aff.test:8080"})
		},
		MerchantAssets: merchant.NewAssets,
	})
}

// keyOf maps a step's runes to keys: \t tab, \r enter, \x1b esc, \x13
// ctrl+s, \x7f backspace.
func keyOf(r rune) tea.KeyMsg {
	switch r {
	case '\t':
		return tea.KeyMsg{Type: tea.KeyTab}
	case '\r':
		return tea.KeyMsg{Type: tea.KeyEnter}
	case 0x1b:
		return tea.KeyMsg{Type: tea.KeyEsc}
	case 0x13:
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case 0x7f:
		return tea.KeyMsg{Type: tea.KeyBackspace}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}
}

// driveKeys is drive with keyOf's keys.
func driveKeys(t *testing.T, app *App, w, h int, steps ...step) string {
	t.Helper()
	return runSteps(t, app, w, h, keyOf, steps...)
}

// addAssets publishes a text and a banner in acme.
func (f *dashFixture) addAssets(t *testing.T) {
	t.Helper()
	a := f.admin.Actor()
	if _, err := f.st.AddTextAsset(a, "acme", "Launch tweet", "New widgets are out! {link}\nUse code {code} for 10% off."); err != nil {
		t.Fatal(err)
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{2}, 3000)...)
	if _, err := f.st.AddFileAsset(a, "acme", "Banner 728x90", "banner-728x90.png", bytes.NewReader(png)); err != nil {
		t.Fatal(err)
	}
}

func TestDashboardMerchantAssets(t *testing.T) {
	for _, seeded := range []bool{true, false} {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			w, h := size[0], size[1]
			name := fmt.Sprintf("%s-%dx%d", map[bool]string{true: "seeded", false: "empty"}[seeded], w, h)
			t.Run(name, func(t *testing.T) {
				f := newDashFixture(t, true, false)
				want := "No materials yet"
				if seeded {
					f.addAssets(t)
					want = "New widgets are out! {link}"
				}
				frame := driveKeys(t, f.appAs(f.admin, w, h), w, h, step{"", "Overview"}, step{"6", want})
				for _, s := range []string{"Promotional materials", "asset add acme", "n new text"} {
					if !strings.Contains(frame, s) {
						t.Errorf("Assets tab lacks %q:\n%s", s, frame)
					}
				}
				requireFrame(t, f, frame, w, h)
			})
		}
	}

	t.Run("new-text", func(t *testing.T) {
		f := newDashFixture(t, true, false)
		frame := driveKeys(t, f.appAs(f.admin, 80, 24), 80, 24, step{"", "Overview"}, step{"6", "No materials yet"},
			step{"n", "New text asset"},
			step{"\x13", "must not be empty"}, // ctrl+s with nothing typed: refused as typed
			step{"Spring post\tHello {link}\ruse {code}", "bytes"},
			step{"\x13", "published"})
		if !strings.Contains(frame, "Spring post") {
			t.Errorf("the new asset is not listed:\n%s", frame)
		}
		l, err := f.st.ListAssets(f.admin.Actor(), "acme", 0, 0)
		if err != nil || len(l.Assets) != 1 || l.Assets[0].Body != "Hello {link}\nuse {code}" || l.Assets[0].Title != "Spring post" {
			t.Fatalf("assets = %+v, %v", l, err)
		}
	})

	t.Run("remove", func(t *testing.T) {
		f := newDashFixture(t, true, false)
		f.addAssets(t)
		frame := driveKeys(t, f.appAs(f.admin, 80, 24), 80, 24, step{"", "Overview"}, step{"6", "Launch tweet"},
			step{"x", "y yes"}, step{"n", "Cancelled"}, step{"jx", "URL will answer 404"}, step{"y", "removed"})
		l, err := f.st.ListAssets(f.admin.Actor(), "acme", 0, 0)
		if err != nil || len(l.Assets) != 1 || l.Assets[0].Title != "Launch tweet" {
			t.Fatalf("after removing the banner: %+v, %v\n%s", l, err, frame)
		}
	})
}

// partnerIn makes a user who partners in acme (approved) and runs beta.
func (f *dashFixture) partnerIn(t *testing.T) (*identity.Identity, *store.Partner) {
	t.Helper()
	u, err := f.st.CreateUser("Pia Partner", "pia@partners.test", "SHA256:pia", "ssh-ed25519 AAAApia")
	if err != nil {
		t.Fatal(err)
	}
	a := store.Actor{UserID: u.ID}
	p, err := f.st.Join(a, "acme", "")
	if err != nil {
		t.Fatal(err)
	}
	if p, err = f.st.SetPartnerStatus(f.admin.Actor(), "acme", p.ID, store.PartnerApproved); err != nil {
		t.Fatal(err)
	}
	f.codes = append(f.codes, p.Code)
	if _, _, err := f.st.CreateProgram(a, store.ProgramInput{Slug: "beta", Name: "Beta Books", URL: "https://beta.test"}, true); err != nil {
		t.Fatal(err)
	}
	return &identity.Identity{Fingerprint: "SHA256:pia", KeyLine: "ssh-ed25519 AAAApia", User: u}, p
}

func TestDashboardPartnerPortal(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("picker-%dx%d", w, h), func(t *testing.T) {
			f := newDashFixture(t, true, false)
			id, _ := f.partnerIn(t)
			frame := driveKeys(t, f.appAs(id, w, h), w, h, step{"", "Your programs"})
			for _, s := range []string{"Beta Books", "Acme Widgets", "partner", "merchant"} {
				if !strings.Contains(frame, s) {
					t.Errorf("picker lacks %q:\n%s", s, frame)
				}
			}
			requireFrame(t, f, frame, w, h)
		})
	}
	t.Run("p-switches", func(t *testing.T) {
		f := newDashFixture(t, true, false)
		f.addAssets(t)
		id, p := f.partnerIn(t)
		app := f.appAs(id, 120, 40)
		// Open acme (the partner entry), see the portal, go to Assets, then
		// p back to the picker and into beta's console.
		frame := driveKeys(t, app, 120, 40, step{"", "Your programs"}, step{"j", ""}, step{"\r", "Your link"},
			step{"3", "New widgets are out! http://aff.test:8080/r/" + p.Code})
		if !strings.Contains(frame, "Use code "+p.Code) || strings.Contains(frame, "{link}") {
			t.Errorf("the portal's Assets tab does not fill in the partner's link:\n%s", frame)
		}
		frame = driveKeys(t, f.appAs(id, 120, 40), 120, 40, step{"", "Your programs"}, step{"j\r", "Your link"},
			step{"p", "Your programs"}, step{"k\r", "Overview"})
		if !strings.Contains(frame, "Beta Books") || !strings.Contains(frame, "merchant") {
			t.Errorf("p did not switch to beta's console:\n%s", frame)
		}
	})
}
