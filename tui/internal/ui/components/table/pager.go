package table

import (
	"fmt"

	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// Pager keeps a keyset-paged table's page starts: cursors[i] is the store
// cursor page i starts at (C's zero value for the first page, and for "no
// next page"). Every screen whose table reads one page at a time from the
// store uses it: C is uint64 for id cursors, string for code cursors.
type Pager[C comparable] struct {
	t       *Table
	cursors []C
}

// NewPager makes the pager of t, on the first page.
func NewPager[C comparable](t *Table) Pager[C] {
	var zero C
	return Pager[C]{t: t, cursors: []C{zero}}
}

// Cursor is where the page on screen starts.
func (p *Pager[C]) Cursor() C { return p.cursors[p.t.Page] }

// Got records the cursor of the page after the one just read (the zero
// value: none).
func (p *Pager[C]) Got(next C) {
	var zero C
	p.t.HasNext = next != zero
	if next != zero {
		p.cursors = append(p.cursors[:p.t.Page+1], next)
	}
}

// First goes back to the first page, cursor on its first row.
func (p *Pager[C]) First() {
	var zero C
	p.t.Page, p.cursors = 0, []C{zero}
	p.t.ResetCursor()
}

// Turn follows what the table asked for after a key and says whether the
// page must be read again.
func (p *Pager[C]) Turn(act Action) bool {
	switch act {
	case NextPage:
		p.t.Page++
	case PrevPage:
		p.t.Page--
	case FirstPage, FilterEdit:
		p.First()
	default:
		return false
	}
	return true
}

// PageNote is the heading's " · page N" past the first page.
func (p *Pager[C]) PageNote(c *common.Common) string {
	if p.t.Page == 0 {
		return ""
	}
	return c.Styles.Dim.Render(fmt.Sprintf(" · page %d", p.t.Page+1))
}

// Refreshed is the row of a newly read page that has cur's id (cur is a
// detail view's row), or cur itself when the page no longer holds it.
func Refreshed[T any](rows []T, cur *T, id func(*T) uint64) *T {
	for i := range rows {
		if id(&rows[i]) == id(cur) {
			return &rows[i]
		}
	}
	return cur
}
