// Package merchant is the merchant console of SPEC 6.2: one file per tab
// (Overview, Partners, Conversions, Commissions, Payouts, Assets,
// Settings). Every tab reads one page through the session's common.Data,
// loads in tea.Cmds that come back as typed messages carrying the program
// slug and a sequence number (so a late answer for another program or an
// older load is dropped), and asks y/n before anything that moves money or
// destroys something.
package merchant

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/confirm"
)

// Options are the tabs other packages provide.
type Options struct {
	// Assets makes tab 6; nil shows a placeholder that says how to add
	// assets with the commands.
	Assets func(c *common.Common, slug string) common.Tab
}

// Tabs makes the seven merchant tabs for program slug.
func Tabs(c *common.Common, slug string, o Options) []common.Tab {
	var assets common.Tab
	if o.Assets != nil {
		assets = o.Assets(c, slug)
	} else {
		assets = newSlot(c, "Assets", "Promotional assets: add text and files with\n\n  "+
			c.Hint("")+" asset add "+slug+" --title TITLE --file NAME < FILE\n\nThe assets screen is not built in this version.")
	}
	return []common.Tab{
		newOverview(c, slug),
		newPartners(c, slug),
		newConversions(c, slug),
		newCommissions(c, slug),
		newPayouts(c, slug),
		assets,
		newSettings(c, slug),
	}
}

// base is what every tab has.
type base struct {
	c       *common.Common
	slug    string
	width   int
	height  int
	ask     *confirm.Confirm
	seq     int // the newest load's number
	loaded  bool
	loadErr string
}

func newBase(c *common.Common, slug string) base {
	return base{c: c, slug: slug, ask: confirm.New(c), width: c.Width, height: c.Height}
}

func (b *base) SetSize(w, h int) { b.width, b.height = w, h }

// next numbers a new load.
func (b *base) next() int { b.seq++; return b.seq }

// current says a load's answer is the newest for this tab's program.
func (b *base) current(slug string, seq int) bool { return slug == b.slug && seq == b.seq }

// done records a load's outcome.
func (b *base) done(err error) {
	b.loaded = true
	b.loadErr = ""
	if err != nil {
		b.loadErr = common.ErrText(err)
	}
}

// fresh records a load's answer and says whether to show it: it is the
// newest load for this tab's program and it carries no error.
func (b *base) fresh(slug string, seq int, err error) bool {
	if !b.current(slug, seq) {
		return false
	}
	b.done(err)
	return err == nil
}

// withAsk draws the y/n question under view when one is pending.
func (b *base) withAsk(view string) string {
	if !b.ask.Active() {
		return view
	}
	q := b.ask.View()
	lines := strings.Count(q, "\n") + 1
	return common.FitLines(view, max(b.height-lines, 1)) + "\n" + q
}

// actionResult is what an action did, for the footer, and then a reload.
type actionResult struct {
	slug string
	text string
	err  error
}

// act runs fn off the update loop and reports its outcome.
func act(slug string, fn func() (string, error)) tea.Cmd {
	return func() tea.Msg {
		text, err := fn()
		return actionResult{slug: slug, text: text, err: err}
	}
}

// report turns an action's result into the footer message.
func report(r actionResult) tea.Cmd {
	if r.err != nil {
		return common.Fail(r.err)
	}
	return common.Status(r.text)
}

// statusWord is a status with its colour.
func statusWord(c *common.Common, s string) string {
	st := c.Styles
	switch s {
	case "approved", "paid":
		return st.Good.Render(s)
	case "pending", "sending", "sent", "created", "in_payout", "partial":
		return st.Warn.Render(s)
	case "rejected", "suspended", "reversed", "failed":
		return st.Bad.Render(s)
	}
	return s
}

// flagText spells out a fraud flag.
func flagText(f string) string {
	switch f {
	case store.FlagSelfReferral:
		return "self-referral: the customer's email is the partner's"
	case store.FlagPaidAds:
		return "paid ads: the click carried an ad click id and the program forbids paid ads"
	case store.FlagFastConvert:
		return "fast conversion: paid less than 10 seconds after the click"
	case store.FlagClickFlood:
		return "click flood: the IP sent more than 20 clicks to this partner in the hour before"
	}
	return f
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// filterKey is the `f` key that cycles a status filter.
func filterKey(what string) key.Binding {
	return key.NewBinding(key.WithKeys("f"), key.WithHelp("f", what))
}

// slot is a tab another package fills in.
type slot struct {
	base
	title, text string
}

func newSlot(c *common.Common, title, text string) *slot {
	return &slot{base: newBase(c, ""), title: title, text: text}
}

func (s *slot) Title() string                        { return s.title }
func (s *slot) Init() tea.Cmd                        { return nil }
func (s *slot) Reload() tea.Cmd                      { return nil }
func (s *slot) Update(tea.Msg) (common.Tab, tea.Cmd) { return s, nil }
func (s *slot) View() string                         { return s.c.Styles.Dim.Render(s.text) }
func (s *slot) ShortHelp() []key.Binding             { return nil }
func (s *slot) FullHelp() [][]key.Binding            { return nil }
func (s *slot) Capturing() bool                      { return false }
