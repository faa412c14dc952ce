package footer

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"

	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// shortHelp is bubbles/help's ShortHelpView (" • " between the bindings,
// " …" when the next one does not fit in width) drawn with the session's
// styles.Style: the footer is part of every first frame, and lipgloss
// building each key's and description's escape sequences again was most
// of its cost. The output is bubbles/help's, byte for byte
// (TestShortHelpAsBubbles).
func shortHelp(st *styles.Styles, width int, bindings []key.Binding) string {
	if len(bindings) == 0 {
		return ""
	}
	var b strings.Builder
	total := 0
	sep := inline(st.HelpSep, " • ")
	for _, kb := range bindings {
		if !kb.Enabled() {
			continue
		}
		s := ""
		if total > 0 {
			s = sep
		}
		h := kb.Help()
		s += inline(st.HelpKey, h.Key) + " " + inline(st.HelpDesc, h.Desc)
		w := lipgloss.Width(s)
		if width > 0 && total+w > width {
			tail := " " + inline(st.HelpSep, "…")
			if total+lipgloss.Width(tail) < width {
				b.WriteString(tail)
				break
			}
		}
		total += w
		b.WriteString(s)
	}
	return b.String()
}

// inline renders text as lipgloss's Inline(true) does: newlines dropped.
func inline(s styles.Style, text string) string {
	if strings.ContainsAny(text, "\r\n") {
		return s.Style.Inline(true).Render(text)
	}
	return s.Render(text)
}
