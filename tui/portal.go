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
// program: its partner portal for a partner of it, its signup form for
// anyone else (SPEC 6.3). It reports false, doing nothing, when the
// username names no program (OpenSSH sends the local user name by
// default) or the user runs that program: the dashboard opens then.
func (s *Server) runPortal(sess ssh.Session, id *identity.Identity) bool {
	slug := sess.User()
	prog, err := s.st.Program(slug)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("read program for the portal", "program", slug, "err", err)
		}
		return false
	}
	var member *store.Partner
	if id.Known() {
		if m, err := s.st.Membership(id.Actor(), slug); err == nil {
			member = m
		} else if s.st.CanAdmin(id.Actor(), slug) == nil {
			return false // its merchant: the dashboard opens on the program
		}
	}
	var prg *tea.Program
	var closer func()
	handler := func(sess ssh.Session) *tea.Program {
		pty, _, _ := sess.Pty()
		st := partner.NewStyles(sessionRenderer(sess), prog.Accent)
		keys := partner.DefaultKeyMap()
		var model tea.Model
		if member != nil {
			p := partner.New(partner.Config{Data: partner.NewData(s.st, id.Actor(), slug, s.cfg.PublicURL, s.sshHintAs),
				Styles: st, Keys: keys, Width: pty.Window.Width, Height: pty.Window.Height, Out: sess, Live: true})
			model, closer = p, p.Close
		} else {
			m := signup.New(signup.Config{Store: s.st, Fingerprint: id.Fingerprint, KeyLine: id.KeyLine, User: id.User,
				Slug: slug, PublicURL: s.cfg.PublicURL, Hint: s.sshHintAs, Styles: st, Keys: keys,
				Width: pty.Window.Width, Height: pty.Window.Height, Out: sess, Live: true})
			model, closer = m, m.Close
		}
		in := newActivityReader(sess)
		p := tea.NewProgram(&goodbyeRoot{model: model},
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
		if closer != nil {
			closer()
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
