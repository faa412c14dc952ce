package ui

import (
	"context"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/identity"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/footer"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/form"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/merchant"
	"github.com/affogato-sh/affogato/tui/internal/ui/signup"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// Options configure one session's dashboard.
type Options struct {
	Store      *store.Store
	Payouts    *payouts.Service // nil: payout send is unavailable
	Identity   *identity.Identity
	Username   string // the SSH username: may name a program to open
	OpenSignup bool
	Renderer   *lipgloss.Renderer
	Width      int
	Height     int
	Now        func() time.Time // nil: time.Now
	Hint       func(user string) string
	Link       func(code string) string
	// Pages other consoles plug in. Nil ones show a placeholder (assets)
	// or the home screen (a partner's programs).
	MerchantAssets func(c *common.Common, slug string) common.Tab
	PartnerTabs    func(c *common.Common, slug string) []common.Tab
	// Signup, when set, is shown first: the signup form of program
	// Username (SPEC 6.3). Its signup.JoinedMsg opens the program's portal
	// in this frame, as the user the signup made.
	Signup tea.Model
	// LiveEvery, when set, is the shortest time between two live reloads
	// (read at each one; nil: liveInterval). The server stretches it when
	// many screens are open (tui.Server.liveEvery).
	LiveEvery func() time.Duration
}

// Live updates: after a change signal the shown tab reloads, and the next
// signal is taken no sooner than this (signals in between coalesce).
const liveInterval = 250 * time.Millisecond

// liveEvery is the time until the next change signal is taken.
func (a *App) liveEvery() time.Duration {
	if a.o.LiveEvery != nil {
		return max(a.o.LiveEvery(), liveInterval)
	}
	return liveInterval
}

// mode is what the frame shows.
type mode int

const (
	modeLoading mode = iota
	modeConsole      // a program's tabs
	modePicker       // the program picker
	modeFirst        // "create your first program"
	modeHome         // the home screen (keys without a console here)
	modeSignup       // a program's signup form, until it succeeds
)

// entry is one program the user can open, as merchant or partner.
type entry struct {
	Slug, Name, Role, Accent string
	PartnerID                uint64 // a partner's: the membership (its screens follow its own figures)
}

// App is the dashboard's root model: header, the active tab, footer; the
// picker, the full help and the first-program form. It is a pointer model
// (Update returns the same *App) so the session can close it.
type App struct {
	c       *common.Common
	o       Options
	mode    mode
	entries []entry
	cur     entry
	tabs    []common.Tab
	active  int
	help    bool
	picker  int
	foot    *footer.Footer
	first   *form.Form
	home    Home
	bye     string
	loadErr string
	notice  string // one line above the tab until the next key (a key shown once)
	signup  tea.Model
	welcome string // the signup's welcome line, for the footer of the portal it opens

	// the last header line drawn and what it was drawn from (header)
	hdrKey, hdr string
	// the last frame drawn, and whether the last message changed nothing
	// it shows (Bubble Tea draws the frame after every message)
	lastFrame string
	unchanged bool
	// opening is set while Init opens the session's console
	opening bool
	// the last body fitted to the content area, its size and the result
	fitIn, fitOut string
	fitW, fitH    int

	// live updates of the current program
	unsub  func()
	subGen int
	waitCh <-chan struct{}
}

// New makes the dashboard for one session; ctx is the session's.
func New(ctx context.Context, o Options) *App {
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &common.Common{
		Ctx:      ctx,
		Data:     common.NewData(o.Store, o.Identity.Actor(), o.Payouts),
		Renderer: o.Renderer,
		Styles:   styles.New(o.Renderer, ""),
		Keys:     keymap.Default(),
		Now:      o.Now,
		Hint:     o.Hint,
		Link:     o.Link,
	}
	a := &App{c: c, o: o}
	a.resize(o.Width, o.Height)
	a.foot = footer.New(c)
	return a
}

// Close ends the live-update subscription (the session ended).
func (a *App) Close() {
	if a.unsub != nil {
		a.unsub()
		a.unsub = nil
	}
}

func (a *App) resize(w, h int) {
	if w <= 0 {
		w = 80
	}
	if h <= 0 {
		h = 24
	}
	a.o.Width, a.o.Height = w, h
	a.c.Width, a.c.Height = w, max(h-2, 1)
	for _, t := range a.tabs {
		t.SetSize(a.c.Width, a.c.Height)
	}
	a.home.width, a.home.height = w, h
}

// Messages of the frame.
type (
	sessionMsg struct {
		entries []entry
		home    *HomeData
		err     error
	}
	changedMsg struct{ gen int }
	rearmMsg   struct{ gen int }
	createdMsg struct {
		p      *store.Program
		apiKey string
		err    error
	}
)

// Init shows the signup form, or reads who the user is and which
// programs they can open and opens the console. That read is done here,
// before the first frame (a few point reads, none waiting for the click
// applier), not in a command: the first frame is then the console, not a
// "Loading…" placeholder, and the tab's data is asked for one message
// sooner (with 200 sessions opening at once every goroutine hop waits for
// a core). The first tab's own reads are waited for too, up to
// firstLoadWait (prefetch.go).
func (a *App) Init() tea.Cmd {
	if a.o.Signup != nil {
		a.mode, a.signup = modeSignup, a.o.Signup
		return a.signup.Init()
	}
	msg, _ := a.loadSession().(sessionMsg)
	a.opening = true // the console's first tab reads before the first frame (prefetch)
	defer func() { a.opening = false }()
	return a.onSession(msg)
}

func (a *App) loadSession() tea.Msg {
	id := a.o.Identity
	if !id.Known() {
		return a.homeMsg()
	}
	progs, err := a.c.Data.Programs()
	if err != nil {
		return sessionMsg{err: err}
	}
	var es []entry
	for _, p := range progs {
		es = append(es, entry{Slug: p.Slug, Name: p.Name, Role: "merchant", Accent: p.Accent})
	}
	if a.o.PartnerTabs != nil {
		mems, err := a.c.Data.Memberships()
		if err != nil {
			return sessionMsg{err: err}
		}
		for _, m := range mems {
			name := m.Program
			accent := ""
			if p, err := a.o.Store.Program(m.Program); err == nil {
				name, accent = p.Name, p.Accent
			}
			es = append(es, entry{Slug: m.Program, Name: name, Role: "partner", Accent: accent, PartnerID: m.ID})
		}
	}
	if len(es) == 0 && !id.Admin && !a.o.OpenSignup {
		return a.homeMsg()
	}
	// SLUG@host for a program this user does not run: the home screen
	// (signup page) until the partner portal takes it.
	if a.o.Username != "" && !slices.ContainsFunc(es, func(e entry) bool { return e.Slug == a.o.Username }) {
		if _, err := a.o.Store.Program(a.o.Username); err == nil {
			return a.homeMsg()
		}
	}
	return sessionMsg{entries: es}
}

func (a *App) homeMsg() tea.Msg {
	d, err := LoadHome(Env{Store: a.o.Store, Hint: a.o.Hint(""), Link: a.o.Link}, a.o.Identity, a.o.Username)
	return sessionMsg{home: d, err: err}
}

// open shows program e's console.
func (a *App) open(e entry) tea.Cmd {
	a.Close()
	a.cur = e
	a.c.SetAccent(e.Accent)
	a.foot = footer.New(a.c)
	a.mode = modeConsole
	a.help = false
	a.active = 0
	switch e.Role {
	case "partner":
		a.tabs = a.o.PartnerTabs(a.c, e.Slug)
	default:
		a.tabs = merchant.Tabs(a.c, e.Slug, merchant.Options{Assets: a.o.MerchantAssets})
	}
	for _, t := range a.tabs {
		t.SetSize(a.c.Width, a.c.Height)
	}
	// Subscribed before the first read: a change while it runs is
	// signalled.
	sub := a.subscribe(e)
	load := a.tabs[0].Init()
	if a.opening {
		load = a.prefetch(load, firstLoadWait) // prefetch.go
	}
	return tea.Batch(load, sub)
}

// subscribe starts live updates of e's program: a partner's portal
// follows what the partner sees of it (other partners' clicks do not
// reload it), a merchant's console every change.
func (a *App) subscribe(e entry) tea.Cmd {
	var ch <-chan struct{}
	var cancel func()
	if e.Role == "partner" && e.PartnerID != 0 {
		ch, cancel = a.c.Data.SubscribePartner(e.Slug, e.PartnerID)
	} else {
		ch, cancel = a.c.Data.Subscribe(e.Slug)
	}
	a.unsub = cancel
	a.subGen++
	gen := a.subGen
	a.waitCh = ch
	return a.wait(gen)
}

// wait returns a command that waits for the next change signal.
func (a *App) wait(gen int) tea.Cmd {
	ch, ctx, data := a.waitCh, a.c.Ctx, a.c.Data
	return func() tea.Msg {
		select {
		case <-ch:
			data.Saw() // the reload holds every change signalled so far
			return changedMsg{gen: gen}
		case <-ctx.Done():
			return nil
		}
	}
}

// Update routes a message.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	a.unchanged = false
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		// The session's first size message repeats the PTY's size the App
		// was made with: nothing to draw again.
		same := msg.Width == a.o.Width && msg.Height == a.o.Height
		a.resize(msg.Width, msg.Height)
		if a.mode == modeSignup {
			var cmd tea.Cmd
			a.signup, cmd = a.signup.Update(msg)
			return a, cmd
		}
		a.unchanged = same
		return a, nil
	case GoodbyeMsg:
		a.bye = msg.Text
		a.Close()
		return a, tea.Quit
	}
	if a.mode == modeSignup {
		if j, ok := msg.(signup.JoinedMsg); ok {
			return a, a.onJoined(j)
		}
		var cmd tea.Cmd
		a.signup, cmd = a.signup.Update(msg)
		return a, cmd
	}
	if a.mode == modeHome {
		m, cmd := a.home.Update(msg)
		a.home = m.(Home)
		if a.home.bye != "" {
			a.bye = a.home.bye
		}
		return a, cmd
	}
	switch msg := msg.(type) {
	case sessionMsg:
		return a, a.onSession(msg)
	case createdMsg:
		return a, a.onCreated(msg)
	case changedMsg:
		if msg.gen != a.subGen || a.mode != modeConsole {
			return a, nil
		}
		gen := msg.gen
		// The reload's answer is drawn when it lands; the signal itself
		// changes nothing worth a frame (at most a tab's "Loading…" on a
		// list still empty): the last frame stands, not drawn again.
		a.unchanged = true
		return a, tea.Batch(a.tabs[a.active].Reload(), common.Tick(a.c.Ctx, a.liveEvery(), func(time.Time) tea.Msg { return rearmMsg{gen: gen} }))
	case rearmMsg:
		a.unchanged = true // nothing shown changes: View repeats the last frame
		if msg.gen != a.subGen {
			return a, nil
		}
		return a, a.wait(msg.gen)
	case common.StatusMsg:
		a.foot.Msg = msg
		return a, nil
	case tea.KeyMsg:
		return a, a.onKey(msg)
	}
	// Load results and the like: every tab sees them; each takes its own.
	var cmds []tea.Cmd
	for i, t := range a.tabs {
		var cmd tea.Cmd
		a.tabs[i], cmd = t.Update(msg)
		cmds = append(cmds, cmd)
	}
	if a.mode == modeFirst && a.first != nil {
		_, cmd := a.first.Update(msg)
		cmds = append(cmds, cmd)
	}
	return a, tea.Batch(cmds...)
}

// onJoined opens the portal of the program just joined, in this frame: the
// session is the signup's user from now on.
func (a *App) onJoined(j signup.JoinedMsg) tea.Cmd {
	id := *a.o.Identity
	if j.User != nil {
		id.User = j.User
	}
	a.o.Identity = &id
	a.o.Username = j.Slug
	a.c.Data = common.NewData(a.o.Store, id.Actor(), a.o.Payouts)
	a.signup = nil
	a.mode = modeLoading
	a.welcome = j.Status
	return a.loadSession
}

func (a *App) onSession(msg sessionMsg) tea.Cmd {
	cmd := a.session(msg)
	if a.welcome != "" && a.mode == modeConsole {
		cmd = tea.Batch(cmd, common.Status(a.welcome))
		a.welcome = ""
	}
	return cmd
}

func (a *App) session(msg sessionMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		a.loadErr = common.ErrText(msg.err)
		a.mode = modeLoading
		return nil
	case msg.home != nil:
		a.mode = modeHome
		accent := ""
		if msg.home.Portal != nil {
			accent = msg.home.Portal.Accent
		}
		a.home = NewHome(msg.home, NewHomeStyles(a.o.Renderer, accent), a.o.Width, a.o.Height)
		return nil
	}
	a.entries = msg.entries
	if len(a.entries) == 0 {
		a.mode = modeFirst
		a.first = newFirstProgramForm(a.c)
		return nil
	}
	for _, e := range a.entries {
		if e.Slug == a.o.Username {
			return a.open(e)
		}
	}
	if len(a.entries) == 1 {
		return a.open(a.entries[0])
	}
	a.mode = modePicker
	a.picker = 0
	return nil
}

func (a *App) onKey(msg tea.KeyMsg) tea.Cmd {
	k := a.c.Keys
	a.notice = ""
	if key.Matches(msg, k.ForceQuit) {
		return a.quit()
	}
	if a.help {
		switch {
		case key.Matches(msg, k.Quit):
			return a.quit()
		case key.Matches(msg, k.Help), key.Matches(msg, k.Back):
			a.help = false
		}
		return nil
	}
	switch a.mode {
	case modeLoading:
		if key.Matches(msg, k.Quit) {
			return a.quit()
		}
		return nil
	case modeFirst:
		return a.firstKey(msg)
	case modePicker:
		return a.pickerKey(msg)
	}
	t := a.tabs[a.active]
	if t.Capturing() {
		var cmd tea.Cmd
		a.tabs[a.active], cmd = t.Update(msg)
		return cmd
	}
	switch {
	case key.Matches(msg, k.Quit):
		return a.quit()
	case key.Matches(msg, k.Help):
		a.help = true
		return nil
	case key.Matches(msg, k.Picker) && len(a.entries) > 1:
		a.mode = modePicker
		a.picker = max(slices.Index(a.entries, a.cur), 0)
		return nil
	case key.Matches(msg, k.NextTab):
		return a.switchTab((a.active + 1) % len(a.tabs))
	case key.Matches(msg, k.PrevTab):
		return a.switchTab((a.active + len(a.tabs) - 1) % len(a.tabs))
	}
	for i, b := range k.Tabs {
		if key.Matches(msg, b) && i < len(a.tabs) {
			return a.switchTab(i)
		}
	}
	var cmd tea.Cmd
	a.tabs[a.active], cmd = t.Update(msg)
	return cmd
}

func (a *App) switchTab(i int) tea.Cmd {
	if i == a.active {
		return nil
	}
	a.active = i
	return a.tabs[i].Reload()
}

func (a *App) quit() tea.Cmd {
	a.bye = "Bye!"
	a.Close()
	return tea.Quit
}

func (a *App) pickerKey(msg tea.KeyMsg) tea.Cmd {
	k := a.c.Keys
	switch {
	case key.Matches(msg, k.Quit):
		return a.quit()
	case key.Matches(msg, k.Up):
		a.picker = max(a.picker-1, 0)
	case key.Matches(msg, k.Down):
		a.picker = min(a.picker+1, len(a.entries)-1)
	case key.Matches(msg, k.Home):
		a.picker = 0
	case key.Matches(msg, k.End):
		a.picker = len(a.entries) - 1
	case key.Matches(msg, k.Open):
		return a.open(a.entries[a.picker])
	case key.Matches(msg, k.Back), key.Matches(msg, k.Picker):
		if a.tabs != nil {
			a.mode = modeConsole
		}
	case key.Matches(msg, k.Help):
		a.help = true
	}
	return nil
}
