// Package kpi lays out the dashboard's key figures as cards: a dim label
// over a bold value, as many per row as the width allows.
package kpi

import (
	"strings"

	"github.com/charmbracelet/lipgloss"

	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// Card is one figure.
type Card struct {
	Label string
	Value string
}

// Cards renders cards in rows within width; each card is cardWidth wide
// (0: 19 columns).
func Cards(c *common.Common, width, cardWidth int, cards []Card) string {
	if cardWidth <= 0 {
		cardWidth = 19
	}
	per := max(width/cardWidth, 1)
	st := c.Styles
	var rows []string
	for i := 0; i < len(cards); i += per {
		var labels, values []string
		for _, cd := range cards[i:min(i+per, len(cards))] {
			labels = append(labels, st.CardLabel.Render(common.Pad(cd.Label, cardWidth)))
			values = append(values, st.CardValue.Render(common.Pad(cd.Value, cardWidth)))
		}
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, labels...)+"\n"+lipgloss.JoinHorizontal(lipgloss.Top, values...))
	}
	return strings.Join(rows, "\n")
}
