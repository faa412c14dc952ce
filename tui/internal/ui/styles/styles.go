// Package styles builds the dashboard's lipgloss styles from one session's
// renderer (never the global one), so colours follow that client's
// terminal profile.
package styles

import (
	"regexp"

	"github.com/charmbracelet/lipgloss"
)

// DefaultAccent is the accent colour of programs without one.
const DefaultAccent = "#C8874B"

var accentColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$|^[0-9]{1,3}$`)

// Styles are every style a screen uses.
type Styles struct {
	R *lipgloss.Renderer

	Plain, Bold, Dim, Good, Bad, Warn lipgloss.Style

	Title     lipgloss.Style // program name in the accent colour
	Role      lipgloss.Style
	Tab       lipgloss.Style
	ActiveTab lipgloss.Style

	Footer  lipgloss.Style
	MsgGood lipgloss.Style
	MsgBad  lipgloss.Style

	TableHeader lipgloss.Style
	Selected    lipgloss.Style

	Card      lipgloss.Style
	CardLabel lipgloss.Style
	CardValue lipgloss.Style

	BarA, BarB lipgloss.Style // the chart's two series

	Dialog    lipgloss.Style
	Label     lipgloss.Style
	Focused   lipgloss.Style
	FieldErr  lipgloss.Style
	Heading   lipgloss.Style
	Secret    lipgloss.Style
	HelpKey   lipgloss.Style
	HelpDesc  lipgloss.Style
	HelpSep   lipgloss.Style
	Separator lipgloss.Style
}

// New builds the styles from r with the program's accent colour (#RRGGBB
// or an ANSI number; anything else gives DefaultAccent).
func New(r *lipgloss.Renderer, accent string) *Styles {
	if !accentColour.MatchString(accent) {
		accent = DefaultAccent
	}
	a := lipgloss.Color(accent)
	s := &Styles{R: r}
	n := r.NewStyle
	s.Plain = n()
	s.Bold = n().Bold(true)
	s.Dim = n().Faint(true)
	s.Good = n().Foreground(lipgloss.Color("2"))
	s.Bad = n().Foreground(lipgloss.Color("1"))
	s.Warn = n().Foreground(lipgloss.Color("3"))
	s.Title = n().Bold(true).Foreground(a)
	s.Role = n().Faint(true)
	s.Tab = n().Faint(true)
	s.ActiveTab = n().Bold(true).Foreground(a) // no underline: lipgloss underlines rune by rune
	s.Footer = n().Faint(true)
	s.MsgGood = n().Foreground(lipgloss.Color("2"))
	s.MsgBad = n().Foreground(lipgloss.Color("1"))
	s.TableHeader = n().Bold(true)
	s.Selected = n().Reverse(true)
	s.Card = n().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Color("8")).Padding(0, 1)
	s.CardLabel = n().Faint(true)
	s.CardValue = n().Bold(true)
	s.BarA = n().Foreground(a)
	s.BarB = n().Foreground(lipgloss.Color("6"))
	s.Dialog = n().Border(lipgloss.RoundedBorder()).BorderForeground(a).Padding(0, 1)
	s.Label = n().Bold(true)
	s.Focused = n().Foreground(a)
	s.FieldErr = n().Foreground(lipgloss.Color("1"))
	s.Heading = n().Bold(true)
	s.Secret = n().Faint(true).Italic(true)
	s.HelpKey = n().Bold(true)
	s.HelpDesc = n().Faint(true)
	s.HelpSep = n().Faint(true)
	s.Separator = n().Faint(true)
	return s
}
