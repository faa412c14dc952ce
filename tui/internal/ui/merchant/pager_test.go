package merchant

import (
	"io"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/table"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

func TestPagerKeepsPageStarts(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	c := &common.Common{Renderer: r, Styles: styles.New(r, ""), Keys: keymap.Default(), Width: 80, Height: 10}
	tb := table.New(c, []table.Column{{Title: "A", Width: 5}})
	p := newPager(tb)
	if p.cursor() != 0 || p.pageNote(c) != "" {
		t.Fatalf("first page: cursor %d, note %q", p.cursor(), p.pageNote(c))
	}
	p.got(40)
	if !tb.HasNext {
		t.Fatal("HasNext false after a next cursor")
	}
	if !p.turn(table.NextPage) || tb.Page != 1 || p.cursor() != 40 {
		t.Fatalf("after next: page %d cursor %d", tb.Page, p.cursor())
	}
	if p.pageNote(c) == "" {
		t.Fatal("no page note on page 2")
	}
	p.got(0)
	if tb.HasNext {
		t.Fatal("HasNext true on the last page")
	}
	if p.turn(table.None) || p.turn(table.FilterClose) {
		t.Fatal("turn asked for a reload without a page change")
	}
	if !p.turn(table.PrevPage) || tb.Page != 0 || p.cursor() != 0 {
		t.Fatalf("after prev: page %d cursor %d", tb.Page, p.cursor())
	}
	p.got(40) // the first page read again: the same next page
	p.turn(table.NextPage)
	p.got(80)
	p.turn(table.NextPage)
	if tb.Page != 2 || p.cursor() != 80 {
		t.Fatalf("page 3: page %d cursor %d", tb.Page, p.cursor())
	}
	if !p.turn(table.FilterEdit) || tb.Page != 0 || len(p.cursors) != 1 || p.cursor() != 0 {
		t.Fatalf("after a filter edit: page %d cursors %v", tb.Page, p.cursors)
	}
}

func TestRefreshedFindsTheRowByID(t *testing.T) {
	type row struct {
		id   uint64
		name string
	}
	id := func(r *row) uint64 { return r.id }
	rows := []row{{1, "a"}, {2, "b2"}}
	old := &row{2, "b"}
	if got := refreshed(rows, old, id); got != &rows[1] {
		t.Fatalf("refreshed = %+v, want the page's row 2", got)
	}
	gone := &row{3, "c"}
	if got := refreshed(rows, gone, id); got != gone {
		t.Fatalf("refreshed = %+v, want the old row kept", got)
	}
}
