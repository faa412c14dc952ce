package footer

import (
	"io"
	"testing"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// The footer's short help is bubbles/help's, byte for byte, at every
// width (the ellipsis, a binding that does not fit, disabled bindings,
// text with a newline) and colour profile.
func TestShortHelpAsBubbles(t *testing.T) {
	disabled := key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "off"))
	disabled.SetEnabled(false)
	bindings := []key.Binding{
		key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "7/30/90 days")),
		disabled,
		key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new link")),
		key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "two\nlines")),
		key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
	}
	for _, p := range []termenv.Profile{termenv.Ascii, termenv.ANSI256, termenv.TrueColor} {
		r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(p))
		st := styles.New(r, "")
		m := help.New()
		m.Styles = help.Styles{ShortKey: st.HelpKey.Style, ShortDesc: st.HelpDesc.Style, ShortSeparator: st.HelpSep.Style, Ellipsis: st.HelpSep.Style}
		for _, bs := range [][]key.Binding{nil, bindings[:1], bindings[1:2], bindings} {
			for w := range 90 {
				m.Width = w
				if got, want := shortHelp(st, w, bs), m.ShortHelpView(bs); got != want {
					t.Fatalf("profile %v width %d, %d bindings:\n%q\nbubbles/help draws\n%q", p, w, len(bs), got, want)
				}
			}
		}
	}
}
