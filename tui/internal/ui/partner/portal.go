package partner

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
)

// Tab is one portal tab: a component with its own keys and size.
type Tab interface {
	// Title is the tab's name in the header.
	Title() string
	// Load reads what the tab shows (again); the answer comes back as a
	// message of the tab's own type.
	Load() tea.Cmd
	Update(msg tea.Msg) (Tab, tea.Cmd)
	View() string
	SetSize(width, height int)
	// ShortHelp and FullHelp are the tab's own key bindings.
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Editing says a text field has the keys: digits, q and the like
	// type instead of switching tabs or quitting.
	Editing() bool
}

// shared is what every tab of one session reads: data access, styles,
// keys, the header record and the clock.
type shared struct {
	data *Data
	st   Styles
	keys *keymap.KeyMap
	hdr  *Header
	now  func() time.Time
	// copy puts text on the client's clipboard (OSC 52).
	copy func(text string) tea.Cmd
}

func (sh *shared) ctx() context.Context { return context.Background() }

// StatusMsg sets the footer's message: success in green, error in red.
type StatusMsg struct {
	Text string
	Err  bool
}

func status(text string) tea.Cmd { return func() tea.Msg { return StatusMsg{Text: text} } }

func failure(err error) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: errText(err), Err: true} }
}

// PickMsg asks the app to open the program picker (p).
type PickMsg struct{}

// QuitMsg is sent just before the portal quits (q, ctrl+c).
type QuitMsg struct{}

type headerMsg struct {
	h   *Header
	err error
}

type changedMsg struct{}

// Config builds a Portal.
type Config struct {
	Data   *Data
	Styles Styles
	Keys   *keymap.KeyMap
	Width  int
	Height int
	// Out receives the OSC 52 sequence that copies to the clipboard (the
	// session); nil disables copying (the URL is still shown).
	Out io.Writer
	// Now is the clock (tests pass a fixed one); nil = time.Now.
	Now func() time.Time
	// CanPick says the user runs or partners in more than one program: p
	// opens the picker (PickMsg).
	CanPick bool
	// Live subscribes to the program's change signals (off in golden
	// tests, which drive loads themselves).
	Live bool
	// Tab is the tab to open on (0 = Dashboard).
	Tab int
	// Status is a first footer message (e.g. after signing up).
	Status string
}

// Portal is the partner portal of one program: header, six tabs, footer.
type Portal struct {
	sh      *shared
	tabs    []Tab
	active  int
	width   int
	height  int
	status  StatusMsg
	help    help.Model
	full    bool
	canPick bool
	live    bool
	sub     <-chan struct{}
	unsub   func()
	loadErr string
}

// New builds the portal; Init loads it.
func New(cfg Config) *Portal {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	sh := &shared{data: cfg.Data, st: cfg.Styles, keys: cfg.Keys, now: now}
	sh.copy = osc52(cfg.Out)
	h := help.New()
	h.Styles = help.Styles{
		ShortKey: cfg.Styles.Plain, ShortDesc: cfg.Styles.Dim, ShortSeparator: cfg.Styles.Dim,
		FullKey: cfg.Styles.Plain, FullDesc: cfg.Styles.Dim, FullSeparator: cfg.Styles.Dim,
		Ellipsis: cfg.Styles.Dim,
	}
	p := &Portal{sh: sh, help: h, canPick: cfg.CanPick, live: cfg.Live, active: cfg.Tab}
	p.tabs = []Tab{newDashboard(sh), newLinks(sh), newAssets(sh), newEarnings(sh), newPayouts(sh), newProfile(sh)}
	if cfg.Status != "" {
		p.status = StatusMsg{Text: cfg.Status}
	}
	p.setSize(cfg.Width, cfg.Height)
	return p
}

// Init loads the header and every tab, and starts listening for changes.
func (p *Portal) Init() tea.Cmd {
	cmds := []tea.Cmd{p.loadHeader()}
	for _, t := range p.tabs {
		cmds = append(cmds, t.Load())
	}
	if p.live && p.sub == nil {
		p.sub, p.unsub = p.sh.data.Subscribe()
		cmds = append(cmds, p.waitChange())
	}
	return tea.Batch(cmds...)
}

// Close ends the change subscription.
func (p *Portal) Close() {
	if p.unsub != nil {
		p.unsub()
		p.unsub = nil
	}
}

func (p *Portal) loadHeader() tea.Cmd {
	d := p.sh.data
	return func() tea.Msg {
		h, err := d.Header(context.Background())
		return headerMsg{h: h, err: err}
	}
}

func (p *Portal) waitChange() tea.Cmd {
	ch := p.sub
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return nil
		}
		return changedMsg{}
	}
}

// liveCooldown spaces reloads out under a burst of changes (clicks), so a
// busy program costs a session at most a few reloads a second.
const liveCooldown = 300 * time.Millisecond

func (p *Portal) setSize(w, h int) {
	if w <= 0 {
		w = 80
	}
	if h <= 0 {
		h = 24
	}
	p.width, p.height = w, h
	p.help.Width = w
	for _, t := range p.tabs {
		t.SetSize(w, max(1, h-2))
	}
}

// Update routes keys to the frame or the active tab, and data to the tabs.
func (p *Portal) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		p.setSize(msg.Width, msg.Height)
		return p, nil
	case headerMsg:
		if msg.err != nil {
			p.loadErr = errText(msg.err)
			return p, nil
		}
		p.loadErr = ""
		p.sh.hdr = msg.h
		return p, nil
	case StatusMsg:
		p.status = msg
		return p, nil
	case changedMsg:
		// Reload what is on screen, then listen again after a pause.
		return p, tea.Batch(p.loadHeader(), p.tabs[p.active].Load(),
			tea.Tick(liveCooldown, func(time.Time) tea.Msg { return listenMsg{} }))
	case listenMsg:
		if p.sub != nil {
			return p, p.waitChange()
		}
		return p, nil
	case tea.KeyMsg:
		return p.key(msg)
	}
	var cmds []tea.Cmd
	for i, t := range p.tabs {
		var cmd tea.Cmd
		p.tabs[i], cmd = t.Update(msg)
		cmds = append(cmds, cmd)
	}
	return p, tea.Batch(cmds...)
}

type listenMsg struct{}

func (p *Portal) key(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := p.sh.keys
	if key.Matches(msg, k.ForceQuit) {
		return p, p.quit()
	}
	tab := p.tabs[p.active]
	if !tab.Editing() {
		switch {
		case key.Matches(msg, k.Quit):
			return p, p.quit()
		case key.Matches(msg, k.Help):
			p.full = !p.full
			return p, nil
		case p.full && key.Matches(msg, k.Back):
			p.full = false
			return p, nil
		case key.Matches(msg, k.NextTab):
			return p, p.switchTo((p.active + 1) % len(p.tabs))
		case key.Matches(msg, k.PrevTab):
			return p, p.switchTo((p.active + len(p.tabs) - 1) % len(p.tabs))
		case p.canPick && key.Matches(msg, k.Picker):
			return p, func() tea.Msg { return PickMsg{} }
		}
		if s := msg.String(); len(s) == 1 && s[0] >= '1' && s[0] <= '9' {
			if n := int(s[0] - '1'); n < len(p.tabs) {
				return p, p.switchTo(n)
			}
			return p, nil
		}
	}
	var cmd tea.Cmd
	p.tabs[p.active], cmd = tab.Update(msg)
	return p, cmd
}

func (p *Portal) quit() tea.Cmd {
	p.Close()
	return tea.Sequence(func() tea.Msg { return QuitMsg{} }, tea.Quit)
}

// switchTo shows tab n and reloads it, so it is current.
func (p *Portal) switchTo(n int) tea.Cmd {
	if n == p.active {
		return nil
	}
	p.active, p.full = n, false
	return p.tabs[n].Load()
}

// Active is the index of the tab shown.
func (p *Portal) Active() int { return p.active }

// View is the header line, the tab (or the full help) and the footer line.
func (p *Portal) View() string {
	body := ""
	switch {
	case p.loadErr != "":
		body = p.sh.st.Bad.Render(p.loadErr)
	case p.sh.hdr == nil:
		body = p.sh.st.Dim.Render("Loading…")
	case p.full:
		body = p.fullHelp()
	default:
		body = p.tabs[p.active].View()
	}
	bodyH := max(1, p.height-2)
	body = fit(body, p.width, bodyH)
	return p.header() + "\n" + body + "\n" + p.footer()
}

// header: the program's name in its accent, the role, the numbered tabs.
// When that is wider than the terminal, the name is shortened first, then
// the tabs not shown lose their titles.
func (p *Portal) header() string {
	st := p.sh.st
	name := p.sh.data.Slug()
	if p.sh.hdr != nil {
		name = sanitize.Line(p.sh.hdr.Program.Name)
	}
	tabs := func(short bool) string {
		var parts []string
		for i, t := range p.tabs {
			label := fmt.Sprintf("%d %s", i+1, t.Title())
			switch {
			case i == p.active:
				parts = append(parts, st.TabOn.Render(label))
			case short:
				parts = append(parts, st.TabOff.Render(fmt.Sprint(i+1)))
			default:
				parts = append(parts, st.TabOff.Render(label))
			}
		}
		return strings.Join(parts, " ")
	}
	role := st.Dim.Render(" · partner  ")
	full := tabs(false)
	room := p.width - lipgloss.Width(role) - lipgloss.Width(full)
	if room >= min(8, lipgloss.Width(name)) {
		return st.Accent.Render(ansi.Truncate(name, room, "…")) + role + full
	}
	short := tabs(true)
	room = max(4, p.width-lipgloss.Width(role)-lipgloss.Width(short))
	return ansi.Truncate(st.Accent.Render(ansi.Truncate(name, room, "…"))+role+short, p.width, "…")
}

// frameKeys are the keys every tab shares, for the footer.
func (p *Portal) frameKeys() []key.Binding {
	k := p.sh.keys
	keys := []key.Binding{k.Help, k.Quit}
	if p.canPick {
		keys = append([]key.Binding{k.Picker}, keys...)
	}
	return keys
}

// footer: the tab's short help and the last message.
func (p *Portal) footer() string {
	st := p.sh.st
	keys := append(p.tabs[p.active].ShortHelp(), p.frameKeys()...)
	if p.tabs[p.active].Editing() {
		keys = p.tabs[p.active].ShortHelp()
	}
	msg := ""
	if p.status.Text != "" {
		text := sanitize.Line(p.status.Text)
		if p.status.Err {
			msg = st.Bad.Render(text)
		} else {
			msg = st.Good.Render(text)
		}
	}
	msgW := lipgloss.Width(msg)
	p.help.Width = max(10, p.width-msgW-2)
	left := p.help.ShortHelpView(keys)
	if msg == "" {
		return left
	}
	gap := max(1, p.width-lipgloss.Width(left)-msgW)
	return ansi.Truncate(left+strings.Repeat(" ", gap)+msg, p.width, "…")
}

// fullHelp lists every key of the tab and of the frame.
func (p *Portal) fullHelp() string {
	k := p.sh.keys
	groups := p.tabs[p.active].FullHelp()
	groups = append(groups,
		[]key.Binding{k.NextTab, k.PrevTab, key.NewBinding(key.WithKeys("1"), key.WithHelp("1-6", "go to tab"))},
		p.frameKeys())
	return p.sh.st.Heading.Render("Keys") + "\n\n" + p.help.FullHelpView(groups) + "\n\n" +
		p.sh.st.Dim.Render("esc or ? closes this help")
}

// fit pads or cuts s to exactly h lines of at most w columns.
func fit(s string, w, h int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// money renders an amount with its currency: "12.50 USD".
func money(a interface{ StringFixed(int32) string }, currency string) string {
	places, ok := store.CurrencyDecimals(currency)
	if !ok {
		places = 2
	}
	return a.StringFixed(places) + " " + currency
}
