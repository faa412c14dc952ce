package tui

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/store"
)

// homeData is what the home screen shows, read once when it opens.
type homeData struct {
	Fingerprint string
	KeyLine     string
	User        *store.User
	Admin       bool
	Bootstrap   bool
	SSH         string // "ssh -p PORT HOST"
	Programs    []programSummary
	Memberships []membershipSummary
	Listed      []store.Program // for unknown keys
	Portal      *store.Program  // SLUG@host by someone not yet a partner
}

type programSummary struct {
	Program store.Program
	Stats   *store.Stats
}

type membershipSummary struct {
	Partner store.Partner
	Name    string // program name
	Link    string
	Stats   *store.Stats
}

// loadHome reads the screen's data for id; username may name a program.
func (s *Server) loadHome(id *identity, username string) (*homeData, error) {
	d := &homeData{Fingerprint: id.Fingerprint, KeyLine: id.KeyLine, User: id.User, Admin: id.Admin, Bootstrap: id.Bootstrap, SSH: s.sshHint()}
	a := id.Actor()
	member := false
	if id.Known() {
		progs, err := s.st.ListPrograms(a)
		if err != nil {
			return nil, fmt.Errorf("list programs: %w", err)
		}
		for _, p := range progs {
			st, err := s.st.Stats(a, p.Slug, 30)
			if err != nil {
				return nil, fmt.Errorf("stats %s: %w", p.Slug, err)
			}
			d.Programs = append(d.Programs, programSummary{Program: p, Stats: st})
		}
		mems, err := s.st.Memberships(a)
		if err != nil {
			return nil, fmt.Errorf("memberships: %w", err)
		}
		for _, m := range mems {
			ms := membershipSummary{Partner: m, Link: s.link(m.Code), Name: m.Program}
			if p, err := s.st.Program(m.Program); err == nil {
				ms.Name = p.Name
			}
			if st, err := s.st.Stats(a, m.Program, 30); err == nil {
				ms.Stats = st
			}
			d.Memberships = append(d.Memberships, ms)
			if m.Program == username {
				member = true
			}
		}
	} else {
		listed, err := s.st.ListedPrograms()
		if err != nil {
			return nil, fmt.Errorf("listed programs: %w", err)
		}
		d.Listed = listed
	}
	if username != "" && !member {
		p, err := s.st.Program(username)
		switch {
		case err == nil:
			d.Portal = p
		case !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("program %s: %w", username, err)
		}
	}
	return d, nil
}

// homeStyles are built from the session's renderer, never the global one.
type homeStyles struct {
	plain, title, heading, dim, good, warn lipgloss.Style
}

var accentColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$|^[0-9]{1,3}$`)

func newHomeStyles(r *lipgloss.Renderer, accent string) homeStyles {
	if !accentColour.MatchString(accent) {
		accent = "#C8874B"
	}
	return homeStyles{
		plain:   r.NewStyle(),
		title:   r.NewStyle().Bold(true).Foreground(lipgloss.Color(accent)),
		heading: r.NewStyle().Bold(true),
		dim:     r.NewStyle().Faint(true),
		good:    r.NewStyle().Foreground(lipgloss.Color("2")),
		warn:    r.NewStyle().Foreground(lipgloss.Color("3")),
	}
}

// homeModel is the screen a terminal session opens on (the dashboard will
// replace it): who you are, your programs and memberships, the commands.
type homeModel struct {
	d      *homeData
	st     homeStyles
	width  int
	height int
	bye    string
}

func newHomeModel(d *homeData, st homeStyles, width, height int) homeModel {
	return homeModel{d: d, st: st, width: width, height: height}
}

func (m homeModel) Init() tea.Cmd { return nil }

func (m homeModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch msg.String() {
		case "q", "ctrl+c", "esc", "ctrl+d":
			m.bye = "Bye!"
			return m, tea.Quit
		}
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case goodbyeMsg:
		m.bye = msg.text
		return m, tea.Quit
	}
	return m, nil
}

func (m homeModel) View() string {
	if m.bye != "" {
		return m.bye + "\n"
	}
	var b strings.Builder
	w := m.width
	if w <= 0 {
		w = 80
	}
	wrap := func(s string) string { return m.st.plain.Width(max(20, w-4)).Render(s) }
	d := m.d
	b.WriteString(m.st.title.Render("affogato") + m.st.dim.Render("  affiliate programs over SSH") + "\n\n")

	if d.Portal != nil {
		p := d.Portal
		b.WriteString(m.st.title.Render(Sanitize(p.Name)) + m.st.dim.Render("  "+p.Slug) + "\n")
		if p.Welcome != "" {
			b.WriteString(wrap(SanitizeText(p.Welcome)) + "\n")
		}
		b.WriteString(fmt.Sprintf("\nCommission: %s · cookie %d days · paid from %s\n", p.Plan.String(), p.CookieDays, money(p.MinPayout, p.Currency)))
		join := fmt.Sprintf("%s join %s", d.SSH, p.Slug)
		if d.User == nil {
			join += ` --name "'Your Name'" --email you@example.com`
		}
		b.WriteString("\nTo join as a partner, run:\n  " + m.st.good.Render(join) + "\n\n")
	}

	if d.User == nil {
		b.WriteString(fmt.Sprintf("This key is not known here (%s).\n", d.Fingerprint))
		if d.Bootstrap {
			b.WriteString("\n" + m.st.warn.Render("This instance has no admin yet.") + " To make this key the admin, restart the server with:\n" +
				"  --admin-key '" + d.KeyLine + "'\n")
		}
		if len(d.Listed) > 0 && d.Portal == nil {
			b.WriteString("\n" + m.st.heading.Render("Programs you can join") + "\n")
			for _, p := range d.Listed {
				b.WriteString(fmt.Sprintf("  %-20s %s · %s\n", p.Slug, Sanitize(p.Name), p.Plan.String()))
			}
			b.WriteString("\nJoin one: " + d.SSH + ` join SLUG --name "'Your Name'" --email you@example.com` + "\n")
		}
	} else {
		who := Sanitize(nameOr(d.User.Name, "(no name)"))
		if d.User.Email != "" {
			who += " <" + Sanitize(d.User.Email) + ">"
		}
		b.WriteString("You are " + who + m.st.dim.Render(fmt.Sprintf(" · user %d", d.User.ID)))
		if d.Admin {
			b.WriteString(m.st.dim.Render(" · instance admin"))
		}
		b.WriteString("\n")
		if len(d.Programs) > 0 {
			b.WriteString("\n" + m.st.heading.Render("Programs you run") + m.st.dim.Render(" (last 30 days)") + "\n")
			for _, ps := range d.Programs {
				p, st := ps.Program, ps.Stats
				b.WriteString(fmt.Sprintf("  %-16s %s\n", p.Slug, Sanitize(p.Name)))
				// Two short lines, so they fit an 80-column terminal.
				b.WriteString(m.st.dim.Render(fmt.Sprintf("    %d clicks · %d conversions · %s revenue",
					st.Clicks, st.Conversions, money(st.Revenue, st.Currency))) + "\n")
				b.WriteString(m.st.dim.Render(fmt.Sprintf("    %s commission · %s pending",
					money(st.Commission, st.Currency), money(st.Balance.Pending, st.Currency))) + "\n")
			}
		}
		if len(d.Memberships) > 0 {
			b.WriteString("\n" + m.st.heading.Render("Programs you partner in") + "\n")
			for _, ms := range d.Memberships {
				status := ms.Partner.Status
				if status == store.PartnerApproved {
					status = m.st.good.Render(status)
				} else {
					status = m.st.warn.Render(status)
				}
				b.WriteString(fmt.Sprintf("  %-16s %s  %s\n", ms.Partner.Program, status, ms.Link))
				if st := ms.Stats; st != nil {
					b.WriteString(m.st.dim.Render(fmt.Sprintf("    %d clicks · %d conversions", st.Clicks, st.Conversions)) + "\n")
					b.WriteString(m.st.dim.Render(fmt.Sprintf("    pending %s · approved %s · paid %s",
						money(st.Balance.Pending, st.Currency), money(st.Balance.Approved, st.Currency),
						money(st.Balance.Paid, st.Currency))) + "\n")
				}
			}
		}
		if len(d.Programs) == 0 && len(d.Memberships) == 0 && d.Portal == nil {
			b.WriteString("\nYou have no programs yet.\n")
		}
	}

	b.WriteString("\n" + m.st.heading.Render("Commands") + m.st.dim.Render(" run: "+d.SSH+" COMMAND [--json]") + "\n")
	for _, line := range homeCommands(d) {
		b.WriteString("  " + line + "\n")
	}
	b.WriteString("\n" + m.st.dim.Render("q quit") + "\n")
	return b.String()
}

// homeCommands lists the commands worth knowing for who is looking.
func homeCommands(d *homeData) []string {
	if d.User == nil {
		return []string{"help", "whoami", "program list", "join SLUG [TOKEN] --name NAME --email EMAIL"}
	}
	cmds := []string{"help", "whoami", "profile set name|email|paypal|wise VALUE", "key add|list|remove"}
	if len(d.Memberships) > 0 {
		cmds = append(cmds, "link list · link create SLUG CODE", "stats SLUG · commission list SLUG · payout list SLUG")
	}
	if len(d.Programs) > 0 || d.Admin {
		cmds = append(cmds, "program create|list|show|set|apikey", "partner list|approve|reject|suspend|set SLUG …",
			"conversion list SLUG · commission list|approve|reject SLUG", "payout create|list|export|send|mark-paid",
			"invite create SLUG · coupon add|list|remove · team add|list|remove")
	}
	if d.Admin {
		cmds = append(cmds, "backup > affogato.db")
	}
	return cmds
}

// activityReader records when the session last sent input (a key press).
type activityReader struct {
	r    io.Reader
	last atomic.Int64 // unix nanoseconds
}

func newActivityReader(r io.Reader) *activityReader {
	a := &activityReader{r: r}
	a.last.Store(time.Now().UnixNano())
	return a
}

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.last.Store(time.Now().UnixNano())
	}
	return n, err
}

func (a *activityReader) idleFor() time.Duration {
	return time.Since(time.Unix(0, a.last.Load()))
}

// sessionRenderer is the session's own lipgloss renderer, with the colour
// profile the client's TERM (and COLORTERM) allows. It is what
// bubbletea.MakeRenderer builds for an emulated PTY minus its background
// colour query: that query reads the session input with no way to cancel
// the read, so a client that does not answer it (ssh -tt from a script, a
// dumb terminal) would see nothing until its first key press, which the
// query then swallows. The background is assumed dark.
func sessionRenderer(sess ssh.Session) *lipgloss.Renderer {
	pty, _, _ := sess.Pty()
	if pty.Term == "" || pty.Term == "dumb" {
		return lipgloss.NewRenderer(sess, termenv.WithProfile(termenv.Ascii))
	}
	env := append(sess.Environ(), "TERM="+pty.Term)
	r := lipgloss.NewRenderer(sess, termenv.WithEnvironment(sessionEnv(env)), termenv.WithUnsafe(), termenv.WithColorCache(true))
	r.SetHasDarkBackground(true)
	return r
}

// sessionEnv gives termenv the session's environment, not the server's.
type sessionEnv []string

func (e sessionEnv) Environ() []string { return e }

func (e sessionEnv) Getenv(k string) string {
	v := ""
	for _, kv := range e {
		if strings.HasPrefix(kv, k+"=") {
			v = kv[len(k)+1:]
		}
	}
	return v
}

// runScreen runs the home screen for a terminal session.
func (s *Server) runScreen(sess ssh.Session, id *identity) {
	d, err := s.loadHome(id, sess.User())
	if err != nil {
		s.log.Error("load home screen", "err", err)
		fmt.Fprintln(sess.Stderr(), "error: the server could not load your data; try again later")
		_ = sess.Exit(1)
		return
	}
	var prog *tea.Program
	handler := func(sess ssh.Session) *tea.Program {
		pty, _, _ := sess.Pty()
		accent := ""
		if d.Portal != nil {
			accent = d.Portal.Accent
		}
		model := newHomeModel(d, newHomeStyles(sessionRenderer(sess), accent), pty.Window.Width, pty.Window.Height)
		in := newActivityReader(sess)
		p := tea.NewProgram(model,
			tea.WithInput(in),
			tea.WithOutput(sess),
			tea.WithoutSignalHandler(),
		)
		if !s.programs.add(p) {
			fmt.Fprintln(sess, "affogato is shutting down. Bye!")
			return nil
		}
		prog = p
		go s.watchIdle(sess, p, in)
		return p
	}
	bubbletea.MiddlewareWithProgramHandler(handler, termenv.Ascii)(func(ssh.Session) {
		if prog != nil {
			s.programs.remove(prog)
		}
	})(sess)
}

// watchIdle ends the screen after cfg.IdleTimeout without a key press.
func (s *Server) watchIdle(sess ssh.Session, p *tea.Program, in *activityReader) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in idle watcher", "panic", r)
		}
	}()
	tick := s.cfg.IdleTimeout / 20
	tick = min(max(tick, 100*time.Millisecond), time.Minute)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-sess.Context().Done():
			return
		case <-t.C:
			if in.idleFor() >= s.cfg.IdleTimeout {
				s.log.Info("ssh session idle, closing", "remote", sess.RemoteAddr().String())
				p.Send(goodbyeMsg{text: fmt.Sprintf("Closed after %s without a key press. Bye!", s.cfg.IdleTimeout)})
				return
			}
		}
	}
}
