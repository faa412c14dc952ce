package store

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// topViewCheckTries bounds checkTopView's attempts at a snapshot that
// matches the view.
const topViewCheckTries = 100

// checkTopView compares the top partners view (topview.go) with
// bPartnerRevenue, the last 90 days of the view's day. The view takes a
// commit's changes once bbolt has made them visible (tx.OnCommit), so on a
// busy store a snapshot can hold a commit the view has not taken yet, and
// the view can hold commits made after the snapshot: comparing the two
// would report differences that are only timing. The view is therefore
// copied only when it holds exactly the snapshot's transaction: a commit
// through the group writer makes its transaction the latest, a read
// transaction begins, and if another commit came in between it tries
// again.
func (s *Store) checkTopView(bad func(string, ...any)) error {
	for range topViewCheckTries {
		if err := s.writer.flushClicks(context.Background()); err != nil {
			return fmt.Errorf("top partners view: %w", err)
		}
		matched := false
		err := s.db.View(func(tx *bolt.Tx) error {
			got, ok := s.top.copyAt(tx.ID())
			if !ok {
				return nil
			}
			matched = true
			if got == nil { // not built: nothing to compare
				return nil
			}
			return got.compareTx(tx, bad)
		})
		if err != nil || matched {
			return err
		}
	}
	return fmt.Errorf("top partners view: the store kept committing, no snapshot matched the view in %d tries", topViewCheckTries)
}

// copyAt returns a copy of the view when it holds the revenue records of
// transaction txid (ok false when it holds another's); nil and ok when
// the view is not built.
func (v *topView) copyAt(txid int) (c *topView, ok bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.ready {
		return nil, true
	}
	if v.txid != txid {
		return nil, false
	}
	c = &topView{ready: true, today: v.today, txid: v.txid, progs: make(map[string]*topViewProgram, len(v.progs))}
	for slug, p := range v.progs {
		cp := &topViewProgram{days: make(map[string]map[uint64]decimal.Decimal, len(p.days))}
		for day, dm := range p.days {
			cp.days[day] = maps.Clone(dm)
		}
		for i := range p.sums {
			cp.sums[i] = maps.Clone(p.sums[i])
			cp.order[i] = slices.Clone(p.order[i])
		}
		cp.sorted = p.sorted
		c.progs[slug] = cp
	}
	return c, true
}

// compareTx reports where the view (a copy no commit changes) differs from
// bPartnerRevenue in tx.
func (v *topView) compareTx(tx *bolt.Tx, bad func(string, ...any)) error {
	want := topView{today: v.today, progs: map[string]*topViewProgram{}}
	if err := tx.Bucket(bPartnerRevenue).ForEach(func(k, val []byte) error {
		slug, day, id, ok := splitPartnerRevenueKey(k)
		if !ok {
			return nil
		}
		d, err := decimal.NewFromString(string(val))
		if err != nil {
			return nil // reported by checkPartnerRevenueTx
		}
		want.add(slug, day, id, d, false)
		return nil
	}); err != nil {
		return fmt.Errorf("top partners view: %w", err)
	}
	same := func(a, b map[uint64]decimal.Decimal) bool {
		if len(a) != len(b) {
			return false
		}
		for id, d := range a {
			if e, ok := b[id]; !ok || !e.Equal(d) {
				return false
			}
		}
		return true
	}
	for slug := range mergeKeys(v.progs, want.progs) {
		got, exp := v.progs[slug], want.progs[slug]
		if got == nil {
			got = &topViewProgram{}
		}
		if exp == nil {
			exp = &topViewProgram{}
		}
		for i, w := range topViewWindows {
			if !same(got.sums[i], exp.sums[i]) {
				bad("top partners view of %q: the %d-day sums differ from partner_revenue", slug, w)
			}
			if got.sorted && !orderMatches(got.order[i], got.sums[i]) { // topview.go
				bad("top partners view of %q: the %d-day order is not its sums by revenue", slug, w)
			}
		}
		for day := range mergeKeys(got.days, exp.days) {
			if !same(got.days[day], exp.days[day]) {
				bad("top partners view of %q: day %s differs from partner_revenue", slug, day)
			}
		}
	}
	return nil
}

func mergeKeys[V any](a, b map[string]V) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
