package store

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// The merchant Overview's top partners, materialized in memory: per
// program, each partner's revenue of each of the last 90 days (from
// bPartnerRevenue) and the running sums of the windows the screens ask
// for (7, 30 and 90 days). It is built at Open with one scan of the last
// 90 days, changed by the group writer after each committed group (a
// rolled-back group changes nothing: the changes go through
// bolt.Tx.OnCommit), and rolled forward when the day changes. TopPartners
// then reads the leaders from memory instead of parsing every record of
// the window; other windows, and a clock that went back, use the scan.
// Each window's partners are also kept in revenue order (order), moved
// one place range at a time as their sums change, so the leaders are
// read from the front: O(n), not O(partners who sold in the window).

// topViewDays is the longest window the view keeps.
const topViewDays = 90

// topViewWindows are the windows whose sums the view keeps.
var topViewWindows = [...]int{7, 30, topViewDays}

// topView is the materialized view above; its zero value is empty and
// unusable (ready false) until build.
type topView struct {
	mu    sync.Mutex
	ready bool
	today string // the day (YYYYMMDD) the sums end on
	progs map[string]*topViewProgram
	// txid is the bbolt transaction whose revenue records the view holds:
	// the one it was built from, then each group writer commit's
	// (topview_check.go compares the view with a snapshot of that id).
	txid int
}

// topViewProgram is one program's part of the view.
type topViewProgram struct {
	days map[string]map[uint64]decimal.Decimal           // day → partner → revenue
	sums [len(topViewWindows)]map[uint64]decimal.Decimal // window → partner → revenue
	// order holds each window's sums as candidates, highest revenue
	// first, ties by partner id (ascending); valid while sorted is true
	// (build and roll fill the sums, then sort).
	order  [len(topViewWindows)][]topCand
	sorted bool
}

// topViewSince is the first day of a window of days ending on today.
func topViewSince(today string, days int) string {
	t, err := time.Parse("20060102", today)
	if err != nil {
		return today
	}
	return dayKey(t.AddDate(0, 0, -(days - 1)))
}

// build fills the view from bPartnerRevenue for the day of now.
func (v *topView) build(tx *bolt.Tx, now time.Time) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.ready = false
	v.today = dayKey(now.UTC())
	v.progs = map[string]*topViewProgram{}
	since := topViewSince(v.today, topViewDays)
	err := tx.Bucket(bPartnerRevenue).ForEach(func(k, val []byte) error {
		slug, day, id, ok := splitPartnerRevenueKey(k)
		if !ok || day < since {
			return nil
		}
		d, err := decimal.NewFromString(string(val))
		if err != nil {
			return fmt.Errorf("partner revenue %x: %w", k, err)
		}
		v.add(slug, day, id, d, false)
		return nil
	})
	if err != nil {
		return fmt.Errorf("top partners view: %w", err)
	}
	for _, p := range v.progs {
		p.sortAll()
	}
	v.ready = true
	v.txid = tx.ID()
	return nil
}

// splitPartnerRevenueKey splits a bPartnerRevenue key (slug 0 day id).
func splitPartnerRevenueKey(k []byte) (slug, day string, id uint64, ok bool) {
	i := bytes.IndexByte(k, 0)
	if i < 0 || len(k) != i+1+8+8 {
		return "", "", 0, false
	}
	return string(k[:i]), string(k[i+1 : i+9]), btou(k[i+9:]), true
}

// addLocked adds a partner's revenue change of a day; v.mu is held.
func (v *topView) addLocked(slug, day string, id uint64, d decimal.Decimal) {
	v.add(slug, day, id, d, true)
}

// add is addLocked; keepOrder false leaves the windows' order unsorted
// (for a build that sorts once at the end).
func (v *topView) add(slug, day string, id uint64, d decimal.Decimal, keepOrder bool) {
	if day < topViewSince(v.today, topViewDays) || d.IsZero() {
		return
	}
	p := v.progs[slug]
	if p == nil {
		p = &topViewProgram{days: map[string]map[uint64]decimal.Decimal{}}
		for i := range p.sums {
			p.sums[i] = map[uint64]decimal.Decimal{}
		}
		v.progs[slug] = p
	}
	dm := p.days[day]
	if dm == nil {
		dm = map[uint64]decimal.Decimal{}
		p.days[day] = dm
	}
	addOrDelete(dm, id, d)
	if len(dm) == 0 {
		delete(p.days, day)
	}
	defer func() {
		if len(p.days) == 0 { // its sums are empty too: they add up days kept
			delete(v.progs, slug)
		}
	}()
	if day > v.today {
		return // counted when the day comes
	}
	if !keepOrder {
		p.sorted = false
	}
	for i, w := range topViewWindows {
		if day >= topViewSince(v.today, w) {
			old := p.sums[i][id]
			addOrDelete(p.sums[i], id, d)
			if p.sorted {
				p.reorder(i, id, old, p.sums[i][id])
			}
		}
	}
}

// before says whether a ranks ahead of b in a window's order.
func (a topCand) before(b topCand) bool {
	if c := a.rev.Cmp(b.rev); c != 0 {
		return c > 0
	}
	return a.id < b.id
}

// compareCands orders candidates as before does.
func compareCands(a, b topCand) int {
	if a.before(b) {
		return -1
	}
	if b.before(a) {
		return 1
	}
	return 0
}

// sortAll rebuilds every window's order from its sums.
func (p *topViewProgram) sortAll() {
	for i, sums := range p.sums {
		ord := make([]topCand, 0, len(sums))
		for id, r := range sums {
			ord = append(ord, topCand{id, r})
		}
		slices.SortFunc(ord, compareCands)
		p.order[i] = ord
	}
	p.sorted = true
}

// reorder moves partner id in window i's order from revenue from to to
// (a zero revenue is not in the order: it enters or leaves). Only the
// entries between its old and new place move.
func (p *topViewProgram) reorder(i int, id uint64, from, to decimal.Decimal) {
	ord := p.order[i]
	pos := -1
	if !from.IsZero() {
		pos, _ = slices.BinarySearchFunc(ord, topCand{id, from}, compareCands)
		if pos >= len(ord) || ord[pos].id != id {
			p.sortAll() // not where its sum says: never expected, but stay exact
			return
		}
	}
	x := topCand{id, to}
	switch {
	case pos < 0 && to.IsZero():
	case pos < 0: // enters
		at := sort.Search(len(ord), func(k int) bool { return x.before(ord[k]) })
		p.order[i] = slices.Insert(ord, at, x)
	case to.IsZero(): // leaves
		p.order[i] = slices.Delete(ord, pos, pos+1)
	default:
		if at := sort.Search(pos, func(k int) bool { return x.before(ord[k]) }); at < pos { // up
			copy(ord[at+1:pos+1], ord[at:pos])
			ord[at] = x
			return
		}
		rest := ord[pos+1:]
		at := pos + sort.Search(len(rest), func(k int) bool { return x.before(rest[k]) }) // down
		copy(ord[pos:at], ord[pos+1:at+1])
		ord[at] = x
	}
}

func addOrDelete(m map[uint64]decimal.Decimal, id uint64, d decimal.Decimal) {
	if s := m[id].Add(d); s.IsZero() {
		delete(m, id)
	} else {
		m[id] = s
	}
}

// stageTx makes the view take a group's revenue changes once tx commits.
func (v *topView) stageTx(tx *bolt.Tx, deltas map[string]*Counters) {
	type change struct {
		slug, day string
		id        uint64
		d         decimal.Decimal
	}
	var changes []change
	for k, d := range deltas {
		rk, ok := isRevenueDelta(k)
		if !ok || d.Revenue.IsZero() {
			continue
		}
		slug, day, id, ok := splitPartnerRevenueKey(rk)
		if !ok {
			continue
		}
		changes = append(changes, change{slug, day, id, d.Revenue})
	}
	id := tx.ID()
	tx.OnCommit(func() { // every commit, with changes or not: it moves txid
		v.mu.Lock()
		defer v.mu.Unlock()
		for _, c := range changes {
			v.addLocked(c.slug, c.day, c.id, c.d)
		}
		v.txid = id
	})
}

// rollLocked moves the view's sums to end on today (a later day): the
// days that left the longest window are dropped and the sums recomputed
// from the days kept. v.mu is held.
func (v *topView) rollLocked(today string) {
	v.today = today
	since := topViewSince(today, topViewDays)
	for slug, p := range v.progs {
		for day := range p.days {
			if day < since {
				delete(p.days, day)
			}
		}
		if len(p.days) == 0 {
			delete(v.progs, slug)
			continue
		}
		for i, w := range topViewWindows {
			clear(p.sums[i])
			from := topViewSince(today, w)
			for day, dm := range p.days {
				if day < from || day > today {
					continue
				}
				for id, d := range dm {
					addOrDelete(p.sums[i], id, d)
				}
			}
		}
		p.sortAll()
	}
}

// topCand is a partner and its revenue over a window.
type topCand struct {
	id  uint64
	rev decimal.Decimal
}

// leaders returns the program's partners with positive revenue over the
// last days days ending on today whose revenue is at least the n-th
// highest (the n leaders and everyone tied with the n-th), in no order.
// known is false when the view cannot answer (not built, a window it
// does not keep, or a day before its own); enough is false when fewer
// than n partners had positive revenue.
func (v *topView) leaders(slug, today string, days, n int) (top []topCand, known, enough bool) {
	w := -1
	for i, d := range topViewWindows {
		if d == days {
			w = i
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.ready || w < 0 || today < v.today {
		return nil, false, false
	}
	if today > v.today {
		v.rollLocked(today)
	}
	p := v.progs[slug]
	if p == nil {
		return nil, true, n <= 0
	}
	if n <= 0 {
		return nil, true, true
	}
	if !p.sorted {
		p.sortAll()
	}
	ord := p.order[w] // highest first: the positive sums lead
	if len(ord) < n || ord[n-1].rev.Sign() <= 0 {
		return nil, true, false
	}
	cut := n
	for cut < len(ord) && ord[cut].rev.Equal(ord[n-1].rev) {
		cut++
	}
	return slices.Clone(ord[:cut]), true, true
}

// orderMatches says whether ord is exactly sums, highest revenue first
// (ties by partner id).
func orderMatches(ord []topCand, sums map[uint64]decimal.Decimal) bool {
	if len(ord) != len(sums) {
		return false
	}
	for k, c := range ord {
		if r, ok := sums[c.id]; !ok || !r.Equal(c.rev) || (k > 0 && !ord[k-1].before(c)) {
			return false
		}
	}
	return true
}
