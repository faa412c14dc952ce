package partner

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// column is one column of a table: a header and a width (0 = what is left).
type column struct {
	title string
	width int
	right bool
}

// scrollList is a cursor over rows of cells, drawn in a fixed number of lines
// and scrolled to keep the cursor visible. The rows are what was loaded:
// nearEnd tells the owner to load the next page.
type scrollList struct {
	cols   []column
	rows   [][]string
	cursor int
	offset int
	width  int
	height int // lines for the rows (the header line is extra)
	keys   *keymap.KeyMap
	st     *styles.Styles
}

func (t *scrollList) setRows(rows [][]string) {
	t.rows = rows
	t.cursor = min(t.cursor, max(0, len(rows)-1))
	t.clamp()
}

func (t *scrollList) setSize(w, h int) {
	t.width, t.height = w, max(1, h)
	t.clamp()
}

func (t *scrollList) clamp() {
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+t.height {
		t.offset = t.cursor - t.height + 1
	}
	t.offset = max(0, min(t.offset, len(t.rows)-t.height))
}

// update moves the cursor; it reports whether the key was a move.
func (t *scrollList) update(msg tea.KeyMsg) bool {
	switch {
	case key.Matches(msg, t.keys.Up):
		t.cursor = max(0, t.cursor-1)
	case key.Matches(msg, t.keys.Down):
		t.cursor = min(len(t.rows)-1, t.cursor+1)
	case key.Matches(msg, t.keys.PageUp):
		t.cursor = max(0, t.cursor-t.height)
	case key.Matches(msg, t.keys.PageDown):
		t.cursor = min(len(t.rows)-1, t.cursor+t.height)
	case key.Matches(msg, t.keys.Home):
		t.cursor = 0
	case key.Matches(msg, t.keys.End):
		t.cursor = len(t.rows) - 1
	default:
		return false
	}
	t.cursor = max(0, t.cursor)
	t.clamp()
	return true
}

// nearEnd says the cursor is within a screen of the last loaded row.
func (t *scrollList) nearEnd() bool { return t.cursor >= len(t.rows)-t.height }

func (t *scrollList) widths() []int {
	ws := make([]int, len(t.cols))
	used := 0
	flex := -1
	for i, c := range t.cols {
		if c.width == 0 {
			flex = i
			continue
		}
		ws[i] = c.width
		used += c.width + 1
	}
	if flex >= 0 {
		ws[flex] = max(4, t.width-used-1)
	}
	return ws
}

func (t *scrollList) line(cells []string, ws []int) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		c := ""
		if i < len(cells) {
			c = cells[i]
		}
		c = ansi.Truncate(c, w, "…")
		pad := strings.Repeat(" ", max(0, w-lipgloss.Width(c)))
		if t.cols[i].right {
			parts[i] = pad + c
		} else {
			parts[i] = c + pad
		}
	}
	return strings.Join(parts, " ")
}

// view draws the header and the visible rows (height+1 lines at most).
func (t *scrollList) view() string {
	ws := t.widths()
	titles := make([]string, len(t.cols))
	for i, c := range t.cols {
		titles[i] = c.title
	}
	var b strings.Builder
	b.WriteString(t.st.Heading.Render(t.line(titles, ws)))
	end := min(len(t.rows), t.offset+t.height)
	for i := t.offset; i < end; i++ {
		l := t.line(t.rows[i], ws)
		if i == t.cursor {
			l = t.st.Selected.Render(l)
		}
		b.WriteString("\n" + l)
	}
	return b.String()
}

// wrap breaks text into lines of at most w columns.
func wrap(s string, w int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, strings.Split(ansi.Wrap(para, max(10, w), ""), "\n")...)
	}
	return out
}
