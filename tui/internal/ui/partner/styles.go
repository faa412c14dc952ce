// Package partner is the partner portal: the six tabs a partner of one
// program sees over SSH (SPEC 6.3): Dashboard, Links, Assets, Earnings,
// Payouts and Profile. Every tab reads and writes through Data, which is
// bound to the session's actor and program.
package partner

import (
	"regexp"

	"github.com/charmbracelet/lipgloss"
)

// DefaultAccent is the accent of a program without its own colour.
const DefaultAccent = "#C8874B"

var accentRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$|^[0-9]{1,3}$`)

// Styles are the portal's styles, built from the session's renderer (never
// the global one) and the program's accent colour.
type Styles struct {
	Accent   lipgloss.Style // the program's colour, bold
	Heading  lipgloss.Style
	Dim      lipgloss.Style
	Good     lipgloss.Style
	Bad      lipgloss.Style
	Warn     lipgloss.Style
	Selected lipgloss.Style // the cursor row
	Label    lipgloss.Style // form labels and KPI captions
	Value    lipgloss.Style // KPI figures
	Input    lipgloss.Style // a focused field
	Box      lipgloss.Style // KPI cards
	Plain    lipgloss.Style
	Color    lipgloss.Color // the accent itself, for charts
}

// NewStyles builds the styles from r with accent (#RRGGBB or an ANSI
// colour number; anything else falls back to DefaultAccent).
func NewStyles(r *lipgloss.Renderer, accent string) Styles {
	if !accentRe.MatchString(accent) {
		accent = DefaultAccent
	}
	c := lipgloss.Color(accent)
	return Styles{
		Accent:   r.NewStyle().Bold(true).Foreground(c),
		Heading:  r.NewStyle().Bold(true),
		Dim:      r.NewStyle().Faint(true),
		Good:     r.NewStyle().Foreground(lipgloss.Color("2")),
		Bad:      r.NewStyle().Foreground(lipgloss.Color("1")),
		Warn:     r.NewStyle().Foreground(lipgloss.Color("3")),
		Selected: r.NewStyle().Reverse(true),
		Label:    r.NewStyle().Faint(true),
		Value:    r.NewStyle().Bold(true),
		Input:    r.NewStyle().Foreground(c),
		Box:      r.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(c).Padding(0, 1),
		Plain:    r.NewStyle(),
		Color:    c,
	}
}
