package ui

import (
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/identity"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/signup"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// signupApp is the dashboard of `ssh acme@host` for id, a key that is not
// in acme yet: the signup form first, as the SSH session runs it.
func (f *dashFixture) signupApp(id *identity.Identity, w, h int) *App {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	app := f.appAs(id, w, h)
	app.o.Username = "acme"
	app.o.Signup = signup.New(signup.Config{Store: f.st, Fingerprint: id.Fingerprint, KeyLine: id.KeyLine, User: id.User,
		Slug: "acme", PublicURL: "http://aff.test:8080", Hint: app.o.Hint, Styles: styles.New(r, ""),
		Keys: keymap.Default(), Width: w, Height: h})
	return app
}

// After a successful signup the portal opens in the dashboard's frame:
// its header and footer, the welcome line, and p opens the picker at once
// for a user with another program.
func TestSignupOpensPortalInFrame(t *testing.T) {
	t.Run("known-user", func(t *testing.T) {
		f := newDashFixture(t, true, false)
		if _, _, err := f.st.CreateProgram(f.admin.Actor(), store.ProgramInput{Slug: "beta", Name: "Beta Books", URL: "https://beta.test"}, false); err != nil {
			t.Fatal(err)
		}
		u, err := f.st.CreateUser("Kai Known", "kai@known.test", "SHA256:kai", "ssh-ed25519 AAAAkai")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.Join(store.Actor{UserID: u.ID}, "beta", ""); err != nil {
			t.Fatal(err)
		}
		id := &identity.Identity{Fingerprint: "SHA256:kai", KeyLine: "ssh-ed25519 AAAAkai", User: u}
		frame := driveKeys(t, f.signupApp(id, 100, 30), 100, 30,
			step{"", "join the partner program"},
			step{"\r", "1 Dashboard"},
			step{"p", "Your programs"})
		for _, s := range []string{"Acme Widgets", "Beta Books", "partner", "Waiting for approval by Acme Widgets"} {
			if !strings.Contains(frame, s) {
				t.Errorf("picker after signup lacks %q:\n%s", s, frame)
			}
		}
		if _, err := f.st.Membership(store.Actor{UserID: u.ID}, "acme"); err != nil {
			t.Fatalf("membership after signup: %v", err)
		}
	})

	t.Run("new-key", func(t *testing.T) {
		f := newDashFixture(t, true, false)
		id := &identity.Identity{Fingerprint: "SHA256:nova", KeyLine: "ssh-ed25519 AAAAnova"}
		app := f.signupApp(id, 100, 30)
		frame := driveKeys(t, app, 100, 30,
			step{"", "join the partner program"},
			step{"Nova Newcomer\tnova@new.test\r", "1 Dashboard"})
		for _, s := range []string{"Acme Widgets", "partner", "2 Links", "Waiting for approval by Acme Widgets", "? help"} {
			if !strings.Contains(frame, s) {
				t.Errorf("portal after signup lacks %q:\n%s", s, frame)
			}
		}
		if app.mode != modeConsole || app.cur.Slug != "acme" || app.cur.Role != "partner" {
			t.Fatalf("after signup: mode %d, program %+v", app.mode, app.cur)
		}
		if u, err := f.st.UserByFingerprint("SHA256:nova"); err != nil || app.o.Identity.User == nil || app.o.Identity.User.ID != u.ID {
			t.Fatalf("session user after signup = %+v, store %+v, %v", app.o.Identity.User, u, err)
		}
	})
}
