// Package partner is the partner portal: the six tabs a partner of one
// program sees over SSH (SPEC 6.3): Dashboard, Links, Assets, Earnings,
// Payouts and Profile, shown in the dashboard frame (package ui) with its
// keys (keymap) and styles (styles). Every tab reads and writes through
// Data, which is bound to the session's actor and program.
package partner

import (
	"context"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
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
	c    *common.Common // the frame's: styles and keys for the forms
	data *Data
	st   *styles.Styles
	keys *keymap.KeyMap
	hdr  *Header
	now  func() time.Time
	// copy puts text on the client's clipboard (OSC 52).
	copy func(text string) tea.Cmd
}

func (sh *shared) ctx() context.Context { return context.Background() }

// status shows text in the frame's footer.
func status(text string) tea.Cmd { return common.Status(text) }

// failure shows err in the frame's footer, in red.
func failure(err error) tea.Cmd {
	return func() tea.Msg { return common.StatusMsg{Text: errText(err), Err: true} }
}

type headerMsg struct {
	h   *Header
	err error
}

// money renders an amount with its currency: "12.50 USD".
func money(a interface{ StringFixed(int32) string }, currency string) string {
	places, ok := store.CurrencyDecimals(currency)
	if !ok {
		places = 2
	}
	return a.StringFixed(places) + " " + currency
}
