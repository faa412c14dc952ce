// Package footer renders the footer line: the current screen's short key
// help (as bubbles/help draws it, shorthelp.go; the full help is
// bubbles/help's) and the last message, green
// for success and red for errors.
package footer

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// Footer holds the help renderer and the last message.
type Footer struct {
	c    *common.Common
	help help.Model
	Msg  common.StatusMsg
	// The last line drawn and what it was drawn from: a frame redrawn for
	// new data (live updates) mostly has the same footer.
	memoKey  string
	memoLine string
}

// New makes a footer.
func New(c *common.Common) *Footer {
	f := &Footer{c: c, help: help.New()}
	f.restyle()
	return f
}

// restyle takes the session's styles (help's defaults use the global renderer).
func (f *Footer) restyle() {
	st := f.c.Styles
	f.help.Styles = help.Styles{
		ShortKey: st.HelpKey.Style, ShortDesc: st.HelpDesc.Style, ShortSeparator: st.HelpSep.Style,
		FullKey: st.HelpKey.Style, FullDesc: st.HelpDesc.Style, FullSeparator: st.HelpSep.Style,
		Ellipsis: st.HelpSep.Style,
	}
}

// View renders one line of width columns with bindings as the short help.
func (f *Footer) View(width int, bindings []key.Binding) string {
	var k strings.Builder
	fmt.Fprintf(&k, "%p\x00%d\x00%t\x00%s", f.c.Styles, width, f.Msg.Err, f.Msg.Text)
	for _, b := range bindings {
		h := b.Help()
		fmt.Fprintf(&k, "\x00%t\x00%s\x00%s", b.Enabled(), h.Key, h.Desc)
	}
	if k.String() == f.memoKey {
		return f.memoLine
	}
	f.memoKey, f.memoLine = k.String(), f.view(width, bindings)
	return f.memoLine
}

func (f *Footer) view(width int, bindings []key.Binding) string {
	st := f.c.Styles
	msg := ""
	if f.Msg.Text != "" {
		text := common.Truncate(f.Msg.Text, max(width/2, 20))
		if f.Msg.Err {
			msg = st.MsgBad.Render(text)
		} else {
			msg = st.MsgGood.Render(text)
		}
	}
	hw := max(width-lipgloss.Width(msg)-2, 10)
	h := shortHelp(st, hw, bindings)
	if lipgloss.Width(h) > hw { // help gives up its ellipsis when it does not fit
		h = ansi.Truncate(h, hw-1, "…")
	}
	gap := width - lipgloss.Width(h) - lipgloss.Width(msg)
	if gap < 1 {
		return common.Truncate(h, width)
	}
	return h + strings.Repeat(" ", gap) + msg
}

// Full renders the full help of groups in width columns.
func (f *Footer) Full(width int, groups [][]key.Binding) string {
	f.restyle()
	f.help.Width = width
	return f.help.FullHelpView(groups)
}
