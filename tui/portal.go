package tui

import (
	"errors"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/identity"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/signup"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// signupScreen is the screen of `ssh SLUG@host` when SLUG names a program
// and the key is neither a partner nor a merchant of it: the program's
// signup form (SPEC 6.3), which the dashboard shows first and which opens
// the partner portal in the dashboard's frame once the signup succeeds.
// Otherwise it is nil: the dashboard then opens on SLUG's portal or
// console, on the user's programs, or on the home screen, which tells a
// key nobody holds that there is no such program (OpenSSH sends the local
// user name by default, so a known key is not told).
func (s *Server) signupScreen(sess ssh.Session, id *identity.Identity) tea.Model {
	slug := sess.User()
	prog, err := s.st.Program(slug)
	switch {
	case err == nil:
	case !errors.Is(err, store.ErrNotFound):
		s.log.Error("read program for the portal", "program", slug, "err", err)
		return nil
	default:
		// No such program: the home screen says so to a key nobody holds
		// (with the listed programs, or how to become the first admin).
		return nil
	}
	if id.Known() {
		if _, err := s.st.Membership(id.Actor(), slug); err == nil {
			return nil // a partner: the dashboard opens on the portal
		}
		if s.st.CanAdmin(id.Actor(), slug) == nil {
			return nil // its merchant: the dashboard opens on the console
		}
	}
	pty, _, _ := sess.Pty()
	return signup.New(signup.Config{Store: s.st, Fingerprint: id.Fingerprint, KeyLine: id.KeyLine, User: id.User,
		Slug: slug, PublicURL: s.cfg.PublicURL, Hint: s.sshHintAs,
		Styles: styles.New(sessionRenderer(sess), prog.Accent), Keys: keymap.Default(),
		Width: pty.Window.Width, Height: pty.Window.Height})
}
