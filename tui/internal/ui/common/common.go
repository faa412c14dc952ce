// Package common is what every piece of the dashboard shares within one
// SSH session: the session-bound data access (Data), the renderer and
// styles, the key map, the size of the content area and the clock; the
// Tab interface every page implements; and the messages pieces send each
// other.
package common

import (
	"context"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/shopspring/decimal"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/errs"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// Common is one session's shared context. Pieces keep a pointer to it, so
// a resize or an accent change is seen by all.
type Common struct {
	Ctx      context.Context // the session's: ends when the session ends
	Data     *Data
	Renderer *lipgloss.Renderer
	Styles   *styles.Styles
	Keys     *keymap.KeyMap
	Width    int // of the content area between header and footer
	Height   int
	Now      func() time.Time
	// Hint is how users reach this server ("ssh -p PORT HOST", with a
	// username: "ssh -p PORT USER@HOST").
	Hint func(user string) string
	// Link is a partner's referral link for a code.
	Link func(code string) string
}

// SetAccent rebuilds the styles with a program's accent colour (kept
// when they are already in it).
func (c *Common) SetAccent(accent string) {
	if c.Styles != nil && c.Styles.R == c.Renderer && c.Styles.Accent == styles.AccentOf(accent) {
		return // the same styles: a session opening a program in the default colour
	}
	c.Styles = styles.New(c.Renderer, accent)
}

// Tab is one page of a console (a merchant tab, a partner tab): a Bubble
// Tea component with its own key help, which the footer and the full help
// ask for.
type Tab interface {
	// Title is the tab's name in the header.
	Title() string
	// Init starts the tab's first load.
	Init() tea.Cmd
	// Reload reloads what the tab shows (after a change signal). It must be
	// cheap when nothing is shown yet.
	Reload() tea.Cmd
	// Update handles a message: keys only when the tab is active, every
	// other message always (load results find their tab).
	Update(msg tea.Msg) (Tab, tea.Cmd)
	View() string
	// SetSize is the content area's size.
	SetSize(width, height int)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Capturing says the tab has the keyboard (a text field, a filter, a
	// y/n question): the frame's single-letter keys go to the tab then.
	Capturing() bool
}

// StatusMsg puts a message in the footer: success in green, error in red.
type StatusMsg struct {
	Text string
	Err  bool
}

// Status is a command that shows text in the footer.
func Status(text string) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: text} }
}

// Fail is a command that shows err in the footer as a plain sentence.
func Fail(err error) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: ErrText(err), Err: true} }
}

// ErrText is an error as one plain sentence for the footer.
func ErrText(err error) string {
	if err == nil {
		return ""
	}
	if errs.CodeOf(err) == errs.EInternal {
		if err == context.Canceled {
			return "cancelled"
		}
		return "something went wrong on the server (it is logged)"
	}
	msg := errs.MessageOf(err)
	switch errs.CodeOf(err) {
	case errs.ENotFound:
		if msg == "not found" {
			return "not found"
		}
	case errs.EForbidden:
		if !strings.Contains(msg, "not allowed") {
			msg = "not allowed: " + msg
		}
	}
	return sanitize.Line(msg)
}

// Money is an amount with its currency for people: "12.50 USD".
func Money(d decimal.Decimal, currency string) string {
	return store.FormatMoney(d, currency) + " " + currency
}

// Amount is an amount without its currency: "12.50".
func Amount(d decimal.Decimal, currency string) string {
	return store.FormatMoney(d, currency)
}

// Clean is outside text made safe for one line of the terminal.
func Clean(s string) string { return sanitize.Line(s) }

// Truncate cuts s to width cells with "…".
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && lipgloss.Width(string(r))+1 > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// Pad pads (or cuts) s to exactly width cells.
func Pad(s string, width int) string {
	s = Truncate(s, width)
	if w := lipgloss.Width(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// PadLeft right-aligns s in width cells.
func PadLeft(s string, width int) string {
	s = Truncate(s, width)
	if w := lipgloss.Width(s); w < width {
		s = strings.Repeat(" ", width-w) + s
	}
	return s
}

// FitLines cuts or pads text to exactly height lines.
func FitLines(s string, height int) string {
	if height <= 0 {
		return ""
	}
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// Date is a time as the screens show it (UTC).
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// Day is a date without time (UTC).
func Day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}
