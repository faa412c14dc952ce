package store

import (
	"fmt"
	"testing"
)

func TestPageLimit(t *testing.T) {
	for in, want := range map[int]int{0: MaxPage, -1: MaxPage, 1: 1, 999: 999, MaxPage: MaxPage, MaxPage + 1: MaxPage, 1 << 30: MaxPage} {
		if got := (Page{Limit: in}).limit(); got != want {
			t.Errorf("Page{Limit: %d}.limit() = %d, want %d", in, got, want)
		}
	}
}

// Paging with a cursor visits every row exactly once, in order, and the
// last page says there is no next one.
func TestCursorPaging(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p1, a1 := e.partner("acme")
	p2, _ := e.partner("acme")
	for i := range 23 {
		ref := p1.Code
		if i%3 == 0 {
			ref = p2.Code
		}
		e.convert("acme", ConversionInput{OrderID: fmt.Sprintf("o%02d", i), CustomerID: fmt.Sprintf("c%d", i), Amount: "10.00", Ref: ref})
	}
	for i := range 3 {
		e.partner("acme")
		_ = i
	}
	type pager func(after uint64) ([]uint64, uint64, error)
	conv := func(a Actor) pager {
		return func(after uint64) ([]uint64, uint64, error) {
			rows, next, err := e.st.ConversionsPage(a, "acme", Page{After: after, Limit: 5})
			var ids []uint64
			for _, r := range rows {
				ids = append(ids, r.Conversion.ID)
			}
			return ids, next, err
		}
	}
	comm := func(a Actor, status string) pager {
		return func(after uint64) ([]uint64, uint64, error) {
			rows, next, err := e.st.CommissionsPage(a, "acme", status, Page{After: after, Limit: 4})
			var ids []uint64
			for _, r := range rows {
				ids = append(ids, r.ID)
			}
			return ids, next, err
		}
	}
	partners := func(after uint64) ([]uint64, uint64, error) {
		rows, next, err := e.st.PartnersPage(e.admin, "acme", "", Page{After: after, Limit: 2})
		var ids []uint64
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		return ids, next, err
	}
	walk := func(name string, p pager, wantN int, newestFirst bool) {
		t.Helper()
		var all []uint64
		var after uint64
		for pages := 0; ; pages++ {
			ids, next, err := p(after)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			all = append(all, ids...)
			if next == 0 {
				break
			}
			if next != ids[len(ids)-1] || pages > 100 {
				t.Fatalf("%s: next %d after page %v", name, next, ids)
			}
			after = next
		}
		if len(all) != wantN {
			t.Fatalf("%s: %d rows, want %d: %v", name, len(all), wantN, all)
		}
		for i := 1; i < len(all); i++ {
			if (newestFirst && all[i] >= all[i-1]) || (!newestFirst && all[i] <= all[i-1]) {
				t.Fatalf("%s: out of order or repeated: %v", name, all)
			}
		}
	}
	walk("merchant conversions", conv(e.admin), 23, true)
	walk("partner conversions", conv(a1), 15, true)
	walk("merchant commissions", comm(e.admin, ""), 23, true)
	walk("partner commissions", comm(a1, CommissionPending), 15, true)
	walk("partners", partners, 5, false)
	// An exact multiple of the page size ends with an empty next.
	rows, next, err := e.st.PartnersPage(e.admin, "acme", "", Page{Limit: 5})
	if err != nil || len(rows) != 5 || next != 0 {
		t.Errorf("full last page: %d rows, next %d, %v", len(rows), next, err)
	}
}
