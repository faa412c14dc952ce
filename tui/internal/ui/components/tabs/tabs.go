// Package tabs renders the header line: the program's name in its accent
// colour, the role, and the numbered tabs (narrowed to numbers when the
// names do not fit).
package tabs

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// Header renders one line of width columns.
func Header(c *common.Common, width int, program, role string, titles []string, active int) string {
	st := c.Styles
	left := st.Title.Render(common.Truncate(common.Clean(program), max(width/3, 10)))
	if role != "" {
		left += st.Role.Render(" · " + role)
	}
	render := func(full bool) string {
		var parts []string
		for i, t := range titles {
			n := strconv.Itoa(i + 1)
			switch {
			case i == active:
				parts = append(parts, st.ActiveTab.Render(n+" "+t))
			case full:
				parts = append(parts, st.Tab.Render(n+" "+t))
			default:
				parts = append(parts, st.Tab.Render(n))
			}
		}
		return strings.Join(parts, " ")
	}
	tabs := render(true)
	if lipgloss.Width(left)+2+lipgloss.Width(tabs) > width {
		tabs = render(false)
	}
	gap := width - lipgloss.Width(left) - lipgloss.Width(tabs)
	if gap < 1 {
		return common.Truncate(left+" "+tabs, width)
	}
	return left + strings.Repeat(" ", gap) + tabs
}
