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
	// Accent is the accent colour the styles were built with (after
	// New's check: DefaultAccent for none or an invalid one).
	Accent string

	Plain, Bold, Dim, Good, Bad, Warn Style

	Title     Style // program name in the accent colour
	Role      Style
	Tab       Style
	ActiveTab Style

	Footer  Style
	MsgGood Style
	MsgBad  Style

	TableHeader Style
	Selected    Style

	Card      Style
	CardLabel Style
	CardValue Style

	BarA, BarB Style // the chart's two series

	Dialog    Style
	Label     Style
	Focused   Style
	FieldErr  Style
	Heading   Style
	Secret    Style
	HelpKey   Style
	HelpDesc  Style
	HelpSep   Style
	Separator Style
}

// AccentOf is the accent colour New builds with for accent.
func AccentOf(accent string) string {
	if !accentColour.MatchString(accent) {
		return DefaultAccent
	}
	return accent
}

// New builds the styles from r with the program's accent colour (#RRGGBB
// or an ANSI number; anything else gives DefaultAccent).
func New(r *lipgloss.Renderer, accent string) *Styles {
	accent = AccentOf(accent)
	a := lipgloss.Color(accent)
	s := &Styles{R: r, Accent: accent}
	n := r.NewStyle
	s.Plain = Wrap(n())
	s.Bold = Wrap(n().Bold(true))
	s.Dim = Wrap(n().Faint(true))
	s.Good = Wrap(n().Foreground(lipgloss.Color("2")))
	s.Bad = Wrap(n().Foreground(lipgloss.Color("1")))
	s.Warn = Wrap(n().Foreground(lipgloss.Color("3")))
	s.Title = Wrap(n().Bold(true).Foreground(a))
	s.Role = Wrap(n().Faint(true))
	s.Tab = Wrap(n().Faint(true))
	s.ActiveTab = Wrap(n().Bold(true).Foreground(a)) // no underline: lipgloss underlines rune by rune
	s.Footer = Wrap(n().Faint(true))
	s.MsgGood = Wrap(n().Foreground(lipgloss.Color("2")))
	s.MsgBad = Wrap(n().Foreground(lipgloss.Color("1")))
	s.TableHeader = Wrap(n().Bold(true))
	s.Selected = Wrap(n().Reverse(true))
	s.Card = Wrap(n().Border(lipgloss.RoundedBorder()).BorderForeground(lipgloss.Color("8")).Padding(0, 1))
	s.CardLabel = Wrap(n().Faint(true))
	s.CardValue = Wrap(n().Bold(true))
	s.BarA = Wrap(n().Foreground(a))
	s.BarB = Wrap(n().Foreground(lipgloss.Color("6")))
	s.Dialog = Wrap(n().Border(lipgloss.RoundedBorder()).BorderForeground(a).Padding(0, 1))
	s.Label = Wrap(n().Bold(true))
	s.Focused = Wrap(n().Foreground(a))
	s.FieldErr = Wrap(n().Foreground(lipgloss.Color("1")))
	s.Heading = Wrap(n().Bold(true))
	s.Secret = Wrap(n().Faint(true).Italic(true))
	s.HelpKey = Wrap(n().Bold(true))
	s.HelpDesc = Wrap(n().Faint(true))
	s.HelpSep = Wrap(n().Faint(true))
	s.Separator = Wrap(n().Faint(true))
	return s
}
