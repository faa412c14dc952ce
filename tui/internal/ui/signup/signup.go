// Package signup is the signup form a key that is not a partner of a
// program sees on `ssh SLUG@host` (SPEC 6.3): the program's name, welcome
// text and terms in words, name and email (prefilled for a known user),
// the terms with an accept box when the program has terms, and an
// invitation token. Submitting creates the account and the membership in
// one transaction, exactly like join, and then sends JoinedMsg: the
// dashboard frame opens the partner portal on it, with the frame's header,
// footer and program picker. An unknown SLUG shows the listed programs, or
// a plain "no such program".
package signup

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/errs"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/form"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/partner"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// Config builds the signup screen.
type Config struct {
	Store *store.Store
	// Fingerprint and KeyLine are the session's proven key (a new account
	// gets it); User is its user, nil for a key nobody holds.
	Fingerprint, KeyLine string
	User                 *store.User
	// Slug is the program asked for (the SSH username).
	Slug string
	// PublicURL is the HTTP listener's base; Hint makes ssh command lines.
	PublicURL string
	Hint      func(user string) string
	Styles    *styles.Styles
	Keys      *keymap.KeyMap
	Width     int
	Height    int
}

// JoinedMsg says the signup succeeded: User is the session's user now (a
// new account for a key nobody held), Slug the program joined, Status the
// welcome line for the footer.
type JoinedMsg struct {
	User   *store.User
	Slug   string
	Status string
}

// Model is the signup form.
type Model struct {
	cfg     Config
	prog    *store.Program // nil: no such program
	listed  []store.Program
	loaded  bool
	form    *form.Form
	hasBox  bool
	status  string
	isErr   bool
	busy    bool
	width   int
	height  int
	help    help.Model
	joined  *JoinedMsg
	loadErr string
}

type loadedMsg struct {
	prog   *store.Program
	listed []store.Program
	err    error
}

type joinedMsg struct {
	user    *store.User
	partner *store.Partner
	err     error
}

// New builds the screen; Init reads the program.
func New(cfg Config) *Model {
	h := help.New()
	h.Styles = help.Styles{ShortKey: cfg.Styles.Plain.Style, ShortDesc: cfg.Styles.Dim.Style, ShortSeparator: cfg.Styles.Dim.Style,
		FullKey: cfg.Styles.Plain.Style, FullDesc: cfg.Styles.Dim.Style, FullSeparator: cfg.Styles.Dim.Style, Ellipsis: cfg.Styles.Dim.Style}
	m := &Model{cfg: cfg, help: h}
	m.setSize(cfg.Width, cfg.Height)
	return m
}

// Init loads the program (or the listed programs for an unknown slug).
func (m *Model) Init() tea.Cmd {
	st, slug := m.cfg.Store, m.cfg.Slug
	return func() tea.Msg {
		p, err := st.Program(slug)
		if err == nil {
			p.Secrets, p.APIKeyHash, p.APIKeyHint, p.Admins = store.ProgramSecrets{}, nil, "", nil
			return loadedMsg{prog: p}
		}
		if errs.CodeOf(err) != errs.ENotFound {
			return loadedMsg{err: err}
		}
		listed, err := st.ListedPrograms()
		return loadedMsg{listed: listed, err: err}
	}
}

func (m *Model) setSize(w, h int) {
	if w <= 0 {
		w = 80
	}
	if h <= 0 {
		h = 24
	}
	m.width, m.height = w, h
	m.help.Width = w
}

// Program is the program shown (nil: no such program, or not loaded).
func (m *Model) Program() *store.Program { return m.prog }

// Joined is the successful signup, or nil.
func (m *Model) Joined() *JoinedMsg { return m.joined }

func (m *Model) buildForm() {
	name, email := "", ""
	if u := m.cfg.User; u != nil {
		name, email = u.Name, u.Email
	}
	fields := []*form.Field{
		{Key: "name", Label: "Name", Placeholder: "Your Name", Limit: 100, Validate: store.ValidDisplayName},
		{Key: "email", Label: "Email", Placeholder: "you@example.com", Limit: store.MaxEmailLen, Validate: store.ValidEmail},
	}
	m.hasBox = strings.TrimSpace(m.prog.Terms) != ""
	if m.hasBox {
		fields = append(fields, &form.Field{Key: "terms", Label: "I accept the terms", Box: true, Validate: func(v string) error {
			if v == "" {
				return errs.Invalid("accept the terms to join (space ticks the box)")
			}
			return nil
		}})
	}
	fields = append(fields, &form.Field{Key: "token", Label: "Invitation", Placeholder: "optional token from the merchant", Limit: 80})
	// The form needs only the frame's styles and keys.
	m.form = form.New(&common.Common{Renderer: m.cfg.Styles.R, Styles: m.cfg.Styles, Keys: m.cfg.Keys}, "", fields,
		map[string]string{"name": name, "email": email})
}

// Update handles the form; after a successful signup it only quits.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok && m.joined != nil {
		if key.Matches(k, m.cfg.Keys.ForceQuit) {
			return m, tea.Quit
		}
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.setSize(msg.Width, msg.Height)
		return m, nil
	case loadedMsg:
		m.loaded = true
		if msg.err != nil {
			m.loadErr = "the server could not read this program; try again later"
			return m, nil
		}
		m.prog, m.listed = msg.prog, msg.listed
		if m.prog != nil {
			m.buildForm()
		}
		return m, nil
	case joinedMsg:
		m.busy = false
		if msg.err != nil {
			m.status, m.isErr = sanitize.Line(errs.MessageOf(msg.err)), true
			if errs.CodeOf(msg.err) == errs.EInternal {
				m.status = "something went wrong on the server; try again"
			}
			return m, nil
		}
		return m, m.join(msg.user, msg.partner)
	case tea.KeyMsg:
		if key.Matches(msg, m.cfg.Keys.ForceQuit) {
			return m, tea.Quit
		}
		if m.form == nil || m.busy {
			if msg.String() == "q" || key.Matches(msg, m.cfg.Keys.Back) {
				return m, tea.Quit
			}
			return m, nil
		}
		res, cmd := m.form.Update(msg)
		switch res {
		case form.Cancelled:
			return m, tea.Quit
		case form.Submitted:
			m.busy, m.status, m.isErr = true, "Signing up…", false
			return m, m.submit()
		}
		return m, cmd
	}
	if m.form != nil {
		_, cmd := m.form.Update(msg)
		return m, cmd
	}
	return m, nil
}

// submit creates the account (a new key) or sets the known user's name
// and email, and the membership, in one store transaction.
func (m *Model) submit() tea.Cmd {
	v := m.form.Values()
	name, email, token := v["name"], v["email"], v["token"]
	cfg, slug := m.cfg, m.prog.Slug
	return func() tea.Msg {
		if cfg.User == nil {
			u, p, err := cfg.Store.SignUp(name, email, cfg.Fingerprint, cfg.KeyLine, slug, token)
			if err != nil {
				return joinedMsg{err: err}
			}
			return joinedMsg{user: u, partner: p}
		}
		p, err := cfg.Store.JoinWithProfile(store.Actor{UserID: cfg.User.ID}, slug, token, name, email)
		if err != nil {
			return joinedMsg{err: err}
		}
		u, err := cfg.Store.UserByID(cfg.User.ID)
		return joinedMsg{user: u, partner: p, err: err}
	}
}

// join records the signup, shows the welcome line and hands the session
// to the frame (JoinedMsg), which opens the portal.
func (m *Model) join(u *store.User, p *store.Partner) tea.Cmd {
	data := partner.NewData(m.cfg.Store, store.Actor{UserID: u.ID}, p.Program, m.cfg.PublicURL, m.cfg.Hint)
	text := "Welcome! Your link: " + data.Link(p.Code)
	if p.Status != store.PartnerApproved {
		text = "Welcome! Waiting for approval by " + sanitize.Line(m.prog.Name)
	}
	m.status, m.isErr = text, false
	j := JoinedMsg{User: u, Slug: p.Program, Status: text}
	m.joined = &j
	return func() tea.Msg { return j }
}

// View is the form (or the program list for an unknown slug).
func (m *Model) View() string {
	st := m.cfg.Styles
	var lines []string
	switch {
	case m.loadErr != "":
		lines = []string{st.Bad.Render(m.loadErr)}
	case !m.loaded:
		lines = []string{st.Dim.Render("Loading…")}
	case m.prog == nil:
		lines = m.noSuchProgram()
	default:
		lines = m.formLines()
	}
	return fitLines(lines, m.width, m.height-1) + "\n" + m.footer()
}

func (m *Model) noSuchProgram() []string {
	st := m.cfg.Styles
	lines := []string{st.Heading.Render("No such program: there is no program \"" + sanitize.Line(m.cfg.Slug) + "\" here."), ""}
	if len(m.listed) == 0 {
		return append(lines, "There is no program by that name here. Check the address you were given.")
	}
	lines = append(lines, "Programs you can join:", "")
	for _, p := range m.listed {
		lines = append(lines, "  "+st.Title.Render(fmt.Sprintf("%-20s", p.Slug))+" "+sanitize.Line(p.Name))
		lines = append(lines, "  "+fmt.Sprintf("%-20s", "")+" "+st.Dim.Render(m.cfg.Hint(p.Slug)))
	}
	return lines
}

func (m *Model) formLines() []string {
	st, p := m.cfg.Styles, m.prog
	w := m.width - 2
	lines := []string{st.Title.Render(sanitize.Line(p.Name)) + st.Dim.Render(" · join the partner program")}
	if wel := strings.TrimSpace(p.Welcome); wel != "" {
		lines = append(lines, wrapLines(sanitize.Text(wel), w, 3)...)
	}
	lines = append(lines, "")
	lines = append(lines, wrapLines(st.CardLabel.Render("You earn ")+p.CommissionInWords(), w, 3)...)
	lines = append(lines, wrapLines(st.Dim.Render(p.PayoutTermsInWords()), w, 3)...)
	if !p.AutoApprove {
		lines = append(lines, wrapLines(st.Dim.Render("New partners are reviewed first; an invitation token approves you at once."), w, 2)...)
	}
	lines = append(lines, "")
	formView := strings.Split(strings.TrimRight(m.form.View(min(m.width, 72)), "\n"), "\n")
	if m.hasBox {
		// The terms go right above the form, in what room is left.
		room := m.height - 1 - len(lines) - len(formView) - 4
		terms := wrapLines(sanitize.Text(p.Terms), w-2, max(2, room))
		lines = append(lines, st.Heading.Render("Terms"))
		for _, t := range terms {
			lines = append(lines, "  "+t)
		}
		lines = append(lines, "")
	}
	lines = append(lines, formView...)
	if m.status != "" {
		s := st.Good.Render(m.status)
		if m.isErr {
			s = st.Bad.Render(m.status)
		}
		lines = append(lines, "", s)
	}
	return lines
}

func (m *Model) footer() string {
	k := m.cfg.Keys
	if m.form == nil {
		return m.help.ShortHelpView([]key.Binding{key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit"))})
	}
	keys := []key.Binding{k.NextField, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "join")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "leave"))}
	if m.hasBox {
		keys = append(keys, k.Toggle)
	}
	return m.help.ShortHelpView(keys)
}

// wrapLines wraps s to w columns and keeps at most n lines (the last one
// marked when cut).
func wrapLines(s string, w, n int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, strings.Split(ansi.Wrap(para, max(10, w), ""), "\n")...)
	}
	if len(out) > n {
		out = append(out[:n-1], ansi.Truncate(out[n-1], max(1, w-2), "")+" …")
	}
	return out
}

// fitLines joins lines into exactly h lines of at most w columns.
func fitLines(lines []string, w, h int) string {
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
