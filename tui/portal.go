package tui

import (
	"errors"
	"fmt"
	"regexp"

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
// the signup succeeds. A key nobody holds that names no program (and is
// not the instance's first key, which must see how to become admin) gets
// "no such program" with the listed programs. Otherwise it reports false,
// doing nothing: the dashboard then opens on SLUG's portal or console, or
// on the user's programs (OpenSSH sends the local user name by default).
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
	case id.Known() || id.Bootstrap || !slugRe.MatchString(slug):
		return false
	}
	// From here: a program's signup form, or for a key nobody holds asking
	// for a program that does not exist, "no such program" and the listed
	// programs (the signup screen shows both).
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

// slugRe is the shape of a program slug (SPEC 3).
var slugRe = regexp.MustCompile(`^[a-z0-9-]{2,32}$`)

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
