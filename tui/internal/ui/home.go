// Package ui holds the Bubble Tea screens shown to SSH sessions with a
// terminal. Screens read and write only through the store methods that
// take the session's identity, so they share the commands' permission
// checks.
package ui

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/shopspring/decimal"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/identity"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// HomeData is what the home screen shows, read once when it opens.
type HomeData struct {
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
	// NoSuchProgram is the SSH username of an unknown key when it names no
	// program (ssh nosuch@host).
	NoSuchProgram string
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

// Env is what the screens need from the SSH server.
type Env struct {
	Store *store.Store
	// Hint is how users reach the server: "ssh -p PORT HOST".
	Hint string
	// Link is a partner's referral link for a code.
	Link func(code string) string
}

// LoadHome reads the home screen's data for id; username may name a program.
func LoadHome(env Env, id *identity.Identity, username string) (*HomeData, error) {
	s := env
	d := &HomeData{Fingerprint: id.Fingerprint, KeyLine: id.KeyLine, User: id.User, Admin: id.Admin, Bootstrap: id.Bootstrap, SSH: env.Hint}
	a := id.Actor()
	member := false
	if id.Known() {
		progs, err := s.Store.ListPrograms(a)
		if err != nil {
			return nil, fmt.Errorf("list programs: %w", err)
		}
		for _, p := range progs {
			st, err := s.Store.Stats(a, p.Slug, 30)
			if err != nil {
				return nil, fmt.Errorf("stats %s: %w", p.Slug, err)
			}
			d.Programs = append(d.Programs, programSummary{Program: p, Stats: st})
		}
		mems, err := s.Store.Memberships(a)
		if err != nil {
			return nil, fmt.Errorf("memberships: %w", err)
		}
		for _, m := range mems {
			ms := membershipSummary{Partner: m, Link: s.Link(m.Code), Name: m.Program}
			if p, err := s.Store.Program(m.Program); err == nil {
				ms.Name = p.Name
			}
			if st, err := s.Store.Stats(a, m.Program, 30); err == nil {
				ms.Stats = st
			}
			d.Memberships = append(d.Memberships, ms)
			if m.Program == username {
				member = true
			}
		}
	} else {
		listed, err := s.Store.ListedPrograms()
		if err != nil {
			return nil, fmt.Errorf("listed programs: %w", err)
		}
		d.Listed = listed
	}
	if username != "" && !member {
		p, err := s.Store.Program(username)
		switch {
		case err == nil:
			d.Portal = p
		case !id.Known() && store.ValidSlug(username):
			d.NoSuchProgram = username
		case !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("program %s: %w", username, err)
		}
	}
	return d, nil
}

// HomeStyles are built from the session's renderer, never the global one.
type HomeStyles struct {
	plain, title, heading, dim, good, warn styles.Style
}

var accentColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$|^[0-9]{1,3}$`)

// NewHomeStyles builds the home screen styles from the session renderer r;
// accent is the program colour (#RRGGBB or an ANSI number).
func NewHomeStyles(r *lipgloss.Renderer, accent string) HomeStyles {
	if !accentColour.MatchString(accent) {
		accent = "#C8874B"
	}
	return HomeStyles{
		plain:   styles.Wrap(r.NewStyle()),
		title:   styles.Wrap(r.NewStyle().Bold(true).Foreground(lipgloss.Color(accent))),
		heading: styles.Wrap(r.NewStyle().Bold(true)),
		dim:     styles.Wrap(r.NewStyle().Faint(true)),
		good:    styles.Wrap(r.NewStyle().Foreground(lipgloss.Color("2"))),
		warn:    styles.Wrap(r.NewStyle().Foreground(lipgloss.Color("3"))),
	}
}

// Home is the screen a terminal session opens on (the dashboard will
// replace it): who you are, your programs and memberships, the commands.
type Home struct {
	d      *HomeData
	st     HomeStyles
	width  int
	height int
	bye    string
}

// NewHome is the home screen model for d at width x height.
func NewHome(d *HomeData, st HomeStyles, width, height int) Home {
	return Home{d: d, st: st, width: width, height: height}
}

func (m Home) Init() tea.Cmd { return nil }

func (m Home) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch msg.String() {
		case "q", "ctrl+c", "esc", "ctrl+d":
			m.bye = "Bye!"
			return m, tea.Quit
		}
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case GoodbyeMsg:
		m.bye = msg.Text
		return m, tea.Quit
	}
	return m, nil
}

func (m Home) View() string {
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
		b.WriteString(m.st.title.Render(sanitize.Line(p.Name)) + m.st.dim.Render("  "+p.Slug) + "\n")
		if p.Welcome != "" {
			b.WriteString(wrap(sanitize.Text(p.Welcome)) + "\n")
		}
		b.WriteString(fmt.Sprintf("\nCommission: %s · cookie %d days · paid from %s\n", store.PlanText(p.Plan, p.Currency), p.CookieDays, money(p.MinPayout, p.Currency)))
		join := fmt.Sprintf("%s join %s", d.SSH, p.Slug)
		if d.User == nil {
			join += ` --name "'Your Name'" --email you@example.com`
		}
		b.WriteString("\nTo join as a partner, run:\n  " + m.st.good.Render(join) + "\n\n")
	}

	if d.User == nil {
		b.WriteString(fmt.Sprintf("This key is not known here (%s).\n", d.Fingerprint))
		if d.NoSuchProgram != "" {
			b.WriteString(m.st.warn.Render(fmt.Sprintf("There is no program %q here.", d.NoSuchProgram)) + "\n")
		}
		if d.Bootstrap {
			b.WriteString("\n" + m.st.warn.Render("This instance has no admin yet.") + " To make this key the admin, stop the server\nand start it again with one of:\n" +
				(&identity.Identity{KeyLine: d.KeyLine}).AdminKeyLines("  "))
		}
		if len(d.Listed) > 0 && d.Portal == nil {
			b.WriteString("\n" + m.st.heading.Render("Programs you can join") + "\n")
			for _, p := range d.Listed {
				b.WriteString(fmt.Sprintf("  %-20s %s · %s\n", p.Slug, sanitize.Line(p.Name), store.PlanText(p.Plan, p.Currency)))
			}
			b.WriteString("\nJoin one: " + d.SSH + ` join SLUG --name "'Your Name'" --email you@example.com` + "\n")
		}
	} else {
		who := sanitize.Line(nameOr(d.User.Name, "(no name)"))
		if d.User.Email != "" {
			who += " <" + sanitize.Line(d.User.Email) + ">"
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
				b.WriteString(fmt.Sprintf("  %-16s %s\n", p.Slug, sanitize.Line(p.Name)))
				// Two short lines, so they fit an 80-column terminal.
				b.WriteString(m.st.dim.Render(fmt.Sprintf("    %d clicks · %d orders, %d referred · %s revenue",
					st.Clicks, st.Conversions, st.ReferredConversions, money(st.Revenue, st.Currency))) + "\n")
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
func homeCommands(d *HomeData) []string {
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

// GoodbyeMsg tells a screen to show Text and end (server shutdown, idle).
type GoodbyeMsg struct{ Text string }

// nameOr is s, or def when s is empty.
func nameOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// money renders an amount with its currency for people: "12.50 USD".
func money(d decimal.Decimal, currency string) string {
	return store.FormatMoney(d, currency) + " " + currency
}
