// Package table is the dashboard's paged table: a page of rows read from
// the store, a cursor, keys to move and page, and a `/` filter. The table
// never holds more than one page; when the cursor leaves the page it asks
// its owner for the next or previous one (Action), which reads it from the
// store by cursor.
package table

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// Column is one column: a fixed width, or Flex to take what is left.
type Column struct {
	Title    string
	Width    int
	Right    bool // right-aligned (numbers, money)
	Flex     bool
	Optional bool // dropped (rightmost first) when the width is short
}

// Action is what the owner must do after a key.
type Action int

// Actions.
const (
	None        Action = iota
	NextPage           // load the page after this one
	PrevPage           // load the page before this one
	FirstPage          // load the first page
	FilterEdit         // the filter text changed: reload from the first page
	FilterClose        // the filter line closed (its text is kept)
)

// Table is a page of rows with a cursor.
type Table struct {
	c       *common.Common
	cols    []Column
	rows    [][]string
	cursor  int
	offset  int
	width   int
	height  int
	HasNext bool   // another page follows
	Page    int    // 0 = the first page
	Empty   string // shown without rows
	// Filtering: the `/` line.
	filter    textinput.Model
	filtering bool
	// Filterable enables `/`.
	Filterable bool
	// atEnd moves the cursor to the last row when the next rows arrive
	// (paging back up).
	atEnd bool
}

// New makes a table with cols.
func New(c *common.Common, cols []Column) *Table {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.CharLimit = 64
	ti.KeyMap.Paste.SetEnabled(false)      // would read the server's clipboard, not the user's
	ti.Cursor.SetMode(cursor.CursorStatic) // a blinking cursor would send bytes twice a second
	ti.Cursor.Style = c.Styles.Selected.Style
	ti.TextStyle = c.Styles.Plain.Style
	ti.PromptStyle = c.Styles.Dim.Style
	ti.PlaceholderStyle = c.Styles.Dim.Style
	ti.Cursor.TextStyle = c.Styles.Plain.Style
	return &Table{c: c, cols: cols, filter: ti, Empty: "Nothing here yet."}
}

// SetSize sets the table's area; PageSize follows from the height.
func (t *Table) SetSize(w, h int) {
	t.width, t.height = w, h
	t.clamp()
}

// PageSize is how many rows one page shows.
func (t *Table) PageSize() int {
	n := t.height - 1 // header
	if t.filtering || t.filter.Value() != "" {
		n-- // filter line
	}
	return max(n, 1)
}

// SetRows replaces the page's rows.
func (t *Table) SetRows(rows [][]string) {
	t.rows = rows
	if t.atEnd {
		t.cursor = len(rows) - 1
		t.atEnd = false
	}
	t.clamp()
}

// Rows is the number of rows on the page.
func (t *Table) Rows() int { return len(t.rows) }

// Cursor is the selected row's index on the page (-1 without rows).
func (t *Table) Cursor() int {
	if len(t.rows) == 0 {
		return -1
	}
	return t.cursor
}

// ResetCursor puts the cursor on the first row.
func (t *Table) ResetCursor() { t.cursor, t.offset = 0, 0 }

// Query is the filter text.
func (t *Table) Query() string { return strings.TrimSpace(t.filter.Value()) }

// Filtering says the filter line has the keyboard.
func (t *Table) Filtering() bool { return t.filtering }

func (t *Table) clamp() {
	if t.cursor >= len(t.rows) {
		t.cursor = len(t.rows) - 1
	}
	if t.cursor < 0 {
		t.cursor = 0
	}
	ps := t.PageSize()
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+ps {
		t.offset = t.cursor - ps + 1
	}
	if t.offset < 0 {
		t.offset = 0
	}
}

// Update handles a key and says what the owner must load.
func (t *Table) Update(msg tea.KeyMsg) (Action, tea.Cmd) {
	k := t.c.Keys
	if t.filtering {
		switch msg.String() {
		case "enter":
			t.filtering = false
			t.filter.Blur()
			return FilterClose, nil
		case "esc":
			t.filtering = false
			t.filter.Blur()
			t.filter.SetValue("")
			return FilterEdit, nil
		}
		before := t.filter.Value()
		var cmd tea.Cmd
		t.filter, cmd = t.filter.Update(msg)
		if t.filter.Value() != before {
			return FilterEdit, cmd
		}
		return None, cmd
	}
	switch {
	case t.Filterable && key.Matches(msg, k.Filter):
		t.filtering = true
		return None, t.filter.Focus()
	case t.Filterable && key.Matches(msg, k.Back) && t.filter.Value() != "":
		t.filter.SetValue("")
		return FilterEdit, nil
	case key.Matches(msg, k.Up):
		if t.cursor == 0 && t.Page > 0 {
			t.atEnd = true
			return PrevPage, nil
		}
		t.cursor--
	case key.Matches(msg, k.Down):
		if t.cursor >= len(t.rows)-1 && t.HasNext {
			t.cursor = 0
			return NextPage, nil
		}
		t.cursor++
	case key.Matches(msg, k.PageDown):
		if t.HasNext {
			t.cursor = 0
			return NextPage, nil
		}
		t.cursor = len(t.rows) - 1
	case key.Matches(msg, k.PageUp):
		if t.Page > 0 {
			t.cursor = 0
			return PrevPage, nil
		}
		t.cursor = 0
	case key.Matches(msg, k.Home):
		t.cursor = 0
		if t.Page > 0 {
			return FirstPage, nil
		}
	case key.Matches(msg, k.End):
		t.cursor = len(t.rows) - 1
	}
	t.clamp()
	return None, nil
}

// widths gives each column its width for the table's width; dropped
// optional columns get 0.
func (t *Table) widths() []int {
	ws := make([]int, len(t.cols))
	used, flex := 0, -1
	for i, c := range t.cols {
		ws[i] = c.Width
		used += c.Width + 1
		if c.Flex && flex < 0 {
			flex = i
		}
	}
	for i := len(t.cols) - 1; i >= 0 && used-1 > t.width; i-- {
		if t.cols[i].Optional {
			used -= ws[i] + 1
			ws[i] = -1
		}
	}
	if flex >= 0 && t.width > used-1 {
		ws[flex] += t.width - (used - 1)
	}
	return ws
}

// View renders the header, the visible rows and the filter line.
func (t *Table) View() string {
	st := t.c.Styles
	ws := t.widths()
	var b strings.Builder
	line := func(cells []string) string {
		var l strings.Builder
		first := true
		for i, c := range t.cols {
			if i >= len(cells) {
				break
			}
			if ws[i] < 0 {
				continue
			}
			if !first {
				l.WriteByte(' ')
			}
			first = false
			if c.Right {
				l.WriteString(common.PadLeft(cells[i], ws[i]))
			} else {
				l.WriteString(common.Pad(cells[i], ws[i]))
			}
		}
		return common.Truncate(l.String(), t.width)
	}
	titles := make([]string, len(t.cols))
	for i, c := range t.cols {
		titles[i] = c.Title
	}
	b.WriteString(st.TableHeader.Render(line(titles)))
	if len(t.rows) == 0 {
		b.WriteString("\n" + st.Dim.Render(t.Empty))
	}
	end := min(len(t.rows), t.offset+t.PageSize())
	for i := t.offset; i < end; i++ {
		l := line(t.rows[i])
		if i == t.cursor {
			l = st.Selected.Render(common.Pad(l, t.width))
		}
		b.WriteString("\n" + l)
	}
	if t.filtering || t.filter.Value() != "" {
		rest := t.height - 1 - (end - t.offset)
		if len(t.rows) == 0 {
			rest--
		}
		for range max(rest-1, 0) {
			b.WriteString("\n")
		}
		if t.filtering {
			b.WriteString("\n" + t.filter.View())
		} else {
			b.WriteString("\n" + st.Dim.Render("filter: "+t.filter.Value()+"  (esc clears)"))
		}
	}
	return b.String()
}
