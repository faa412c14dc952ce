package table

import (
	"io"
	"testing"

	"github.com/charmbracelet/lipgloss"

	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

func TestPagerKeepsPageStarts(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	c := &common.Common{Renderer: r, Styles: styles.New(r, ""), Keys: keymap.Default(), Width: 80, Height: 10}
	tb := New(c, []Column{{Title: "A", Width: 5}})
	p := NewPager[uint64](tb)
	if p.Cursor() != 0 || p.PageNote(c) != "" {
		t.Fatalf("first page: cursor %d, note %q", p.Cursor(), p.PageNote(c))
	}
	p.Got(40)
	if !tb.HasNext {
		t.Fatal("HasNext false after a next cursor")
	}
	if !p.Turn(NextPage) || tb.Page != 1 || p.Cursor() != 40 {
		t.Fatalf("after next: page %d cursor %d", tb.Page, p.Cursor())
	}
	if p.PageNote(c) == "" {
		t.Fatal("no page note on page 2")
	}
	p.Got(0)
	if tb.HasNext {
		t.Fatal("HasNext true on the last page")
	}
	if p.Turn(None) || p.Turn(FilterClose) {
		t.Fatal("turn asked for a reload without a page change")
	}
	if !p.Turn(PrevPage) || tb.Page != 0 || p.Cursor() != 0 {
		t.Fatalf("after prev: page %d cursor %d", tb.Page, p.Cursor())
	}
	p.Got(40) // the first page read again: the same next page
	p.Turn(NextPage)
	p.Got(80)
	p.Turn(NextPage)
	if tb.Page != 2 || p.Cursor() != 80 {
		t.Fatalf("page 3: page %d cursor %d", tb.Page, p.Cursor())
	}
	if !p.Turn(FilterEdit) || tb.Page != 0 || len(p.cursors) != 1 || p.Cursor() != 0 {
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
	if got := Refreshed(rows, old, id); got != &rows[1] {
		t.Fatalf("refreshed = %+v, want the page's row 2", got)
	}
	gone := &row{3, "c"}
	if got := Refreshed(rows, gone, id); got != gone {
		t.Fatalf("refreshed = %+v, want the old row kept", got)
	}
}
