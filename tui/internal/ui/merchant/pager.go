package merchant

import (
	"fmt"

	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/table"
)

// pager keeps a keyset-paged table's page starts: cursors[i] is the store
// cursor page i starts at (0 for the first page). The tabs whose tables
// read one page at a time share it.
type pager struct {
	t       *table.Table
	cursors []uint64
}

func newPager(t *table.Table) pager { return pager{t: t, cursors: []uint64{0}} }

// cursor is where the page on screen starts.
func (p *pager) cursor() uint64 { return p.cursors[p.t.Page] }

// got records the cursor of the page after the one just read (0: none).
func (p *pager) got(next uint64) {
	p.t.HasNext = next != 0
	if next != 0 {
		p.cursors = append(p.cursors[:p.t.Page+1], next)
	}
}

// first goes back to the first page, cursor on its first row.
func (p *pager) first() {
	p.t.Page, p.cursors = 0, []uint64{0}
	p.t.ResetCursor()
}

// turn follows what the table asked for after a key and says whether the
// page must be read again.
func (p *pager) turn(act table.Action) bool {
	switch act {
	case table.NextPage:
		p.t.Page++
	case table.PrevPage:
		p.t.Page--
	case table.FirstPage, table.FilterEdit:
		p.first()
	default:
		return false
	}
	return true
}

// refreshed is the row of a newly read page that has cur's id (cur is a
// detail view's row), or cur itself when the page no longer holds it.
func refreshed[T any](rows []T, cur *T, id func(*T) uint64) *T {
	for i := range rows {
		if id(&rows[i]) == id(cur) {
			return &rows[i]
		}
	}
	return cur
}

// pageNote is the heading's " · page N" past the first page.
func (p *pager) pageNote(c *common.Common) string {
	if p.t.Page == 0 {
		return ""
	}
	return c.Styles.Dim.Render(fmt.Sprintf(" · page %d", p.t.Page+1))
}
