package tui

import (
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/identity"
	"github.com/affogato-sh/affogato/tui/internal/ui"
	"github.com/affogato-sh/affogato/tui/internal/ui/partner"
	"github.com/affogato-sh/affogato/tui/internal/ui/signup"
)

// runPortal serves `ssh SLUG@host` with a terminal when SLUG names a
// program and the key is neither a partner nor a merchant of it: the
// program's signup form (SPEC 6.3), which opens the partner portal once
// the signup succeeds. Otherwise it reports false, doing nothing: the
// dashboard then opens on SLUG's portal or console, on the user's
// programs, or on the home screen, which tells a key nobody holds that
// there is no such program (OpenSSH sends the local user name by
// default, so a known key is not told).
func (s *Server) runPortal(sess ssh.Session, id *identity.Identity) bool {
	slug := sess.User()
	accent := ""
	prog, err := s.st.Program(slug)
	switch {
	case err == nil:
		accent = prog.Accent
	case !errors.Is(err, store.ErrNotFound):
		s.log.Error("read program for the portal", "program", slug, "err", err)
		return false
	default:
		// No such program: the home screen says so to a key nobody holds
		// (with the listed programs, or how to become the first admin).
		return false
	}
	if id.Known() {
		if _, err := s.st.Membership(id.Actor(), slug); err == nil {
			return false // a partner: the dashboard opens on the portal
		}
		if s.st.CanAdmin(id.Actor(), slug) == nil {
			return false // its merchant: the dashboard opens on the console
		}
	}
	var prg *tea.Program
	var closeFn func()
	handler := func(sess ssh.Session) *tea.Program {
		pty, _, _ := sess.Pty()
		st := partner.NewStyles(sessionRenderer(sess), accent)
		keys := partner.DefaultKeyMap()
		m := signup.New(signup.Config{Store: s.st, Fingerprint: id.Fingerprint, KeyLine: id.KeyLine, User: id.User,
			Slug: slug, PublicURL: s.cfg.PublicURL, Hint: s.sshHintAs, Styles: st, Keys: keys,
			Width: pty.Window.Width, Height: pty.Window.Height, Out: sess, Live: true})
		closeFn = m.Close
		in := newActivityReader(sess)
		p := tea.NewProgram(&goodbyeRoot{model: m},
			tea.WithInput(in),
			tea.WithOutput(sess),
			tea.WithoutSignalHandler(),
		)
		if !s.programs.add(p) {
			fmt.Fprintln(sess, "affogato is shutting down. Bye!")
			return nil
		}
		prg = p
		go s.watchIdle(sess, p, in)
		return p
	}
	bubbletea.MiddlewareWithProgramHandler(handler, termenv.Ascii)(func(ssh.Session) {
		if prg != nil {
			s.programs.remove(prg)
		}
		if closeFn != nil {
			closeFn()
		}
	})(sess)
	return true
}

// goodbyeRoot ends a screen with a last line when the server says goodbye
// (shutdown, idle timeout).
type goodbyeRoot struct {
	model tea.Model
	bye   string
}

func (r *goodbyeRoot) Init() tea.Cmd { return r.model.Init() }

func (r *goodbyeRoot) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if g, ok := msg.(ui.GoodbyeMsg); ok {
		r.bye = g.Text
		return r, tea.Quit
	}
	var cmd tea.Cmd
	r.model, cmd = r.model.Update(msg)
	return r, cmd
}

func (r *goodbyeRoot) View() string {
	if r.bye != "" {
		return r.bye + "\n"
	}
	return r.model.View()
}
