package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// Revenue by program, day and partner, for the merchant's top partners:
//
//	partner_revenue: slug 0 YYYYMMDD partnerID(8) → revenue (decimal string)
//
// Each record is the revenue (net of refunds) a partner's day counters
// carry for that day, written in the same group commit as the conversion,
// refund or attribution that changes it (through the group's counter
// changes, like the day counters). Only days with revenue have a record,
// so TopPartners reads the days shown × the partners who sold on them,
// never every partner, and clicks write nothing here.

// bPartnerRevenue holds the records above.
var bPartnerRevenue = []byte("partner_revenue")

// revenueDeltaPrefix marks, among a group's counter changes, a partner's
// revenue of one day in one program (its Revenue only); applyDeltasTx
// adds it to bPartnerRevenue.
const revenueDeltaPrefix = "\x00revenue\x00"

// metaPartnerRevenue marks a database whose bPartnerRevenue is complete.
var metaPartnerRevenue = []byte("partner_revenue_index")

func partnerRevenueKey(slug, day string, partnerID uint64) []byte {
	return key(slug, []byte(day), partnerID)
}

// addPartnerDayDelta counts d on the partner's day counters and its
// revenue on the program's per-partner revenue record of that day.
func addPartnerDayDelta(deltas map[string]*Counters, slug string, partnerID uint64, day string, d Counters) {
	addDelta(deltas, partnerDayKey(partnerID, day), d)
	if !d.Revenue.IsZero() {
		addDelta(deltas, revenueDeltaPrefix+string(partnerRevenueKey(slug, day, partnerID)), Counters{Revenue: d.Revenue})
	}
}

// applyRevenueDeltaTx adds a revenue change to its record (k without the
// prefix); a record that comes to zero is removed.
func applyRevenueDeltaTx(tx *bolt.Tx, k []byte, amount decimal.Decimal) error {
	b := tx.Bucket(bPartnerRevenue)
	sum := amount
	if v := b.Get(k); v != nil {
		old, err := decimal.NewFromString(string(v))
		if err != nil {
			return fmt.Errorf("partner revenue %x: %w", k, err)
		}
		sum = old.Add(amount)
	}
	if sum.IsZero() {
		return b.Delete(k)
	}
	return b.Put(k, []byte(sum.String()))
}

// buildPartnerRevenueTx fills bPartnerRevenue from the partners' day
// counters, once, for a database written before it existed.
func buildPartnerRevenueTx(tx *bolt.Tx) error {
	meta := tx.Bucket(bMeta)
	if meta.Get(metaPartnerRevenue) != nil {
		return nil
	}
	want, err := partnerRevenueFromCountersTx(tx)
	if err != nil {
		return fmt.Errorf("partner revenue index: %w", err)
	}
	b := tx.Bucket(bPartnerRevenue)
	for k, v := range want {
		if err := b.Put([]byte(k), []byte(v.String())); err != nil {
			return fmt.Errorf("partner revenue index: %w", err)
		}
	}
	return meta.Put(metaPartnerRevenue, []byte("1"))
}

// partnerRevenueFromCountersTx computes every bPartnerRevenue record from
// the partners' day counters (days with revenue only).
func partnerRevenueFromCountersTx(tx *bolt.Tx) (map[string]decimal.Decimal, error) {
	programs := map[uint64]string{}
	if err := tx.Bucket(bPartners).ForEach(func(k, v []byte) error {
		var p Partner
		if err := getBytes(v, &p); err != nil {
			return err
		}
		programs[p.ID] = p.Program
		return nil
	}); err != nil {
		return nil, err
	}
	out := map[string]decimal.Decimal{}
	var err error
	scanPrefix(tx.Bucket(bDaily), []byte{partnerDayPrefix}, false, func(k, v []byte) bool {
		if len(k) != 1+8+8 {
			return true
		}
		id := btou(k[9:])
		prog, ok := programs[id]
		if !ok {
			return true
		}
		var d dayTotals
		if d, err = decodeTotals(v); err != nil {
			return false
		}
		if !d.Revenue.IsZero() {
			out[string(partnerRevenueKey(prog, string(k[1:9]), id))] = d.Revenue
		}
		return true
	})
	return out, err
}

// checkPartnerRevenueTx verifies bPartnerRevenue against the partners' day
// counters.
func checkPartnerRevenueTx(tx *bolt.Tx, bad func(string, ...any)) error {
	want, err := partnerRevenueFromCountersTx(tx)
	if err != nil {
		return fmt.Errorf("partner revenue index: %w", err)
	}
	err = tx.Bucket(bPartnerRevenue).ForEach(func(k, v []byte) error {
		got, err := decimal.NewFromString(string(v))
		if err != nil {
			bad("partner revenue record %q: %v", k, err)
			return nil
		}
		if w, ok := want[string(k)]; !ok || !w.Equal(got) {
			bad("partner revenue record %q is %s, the partner's day counters say %s", k, got, w)
		}
		delete(want, string(k))
		return nil
	})
	if err != nil {
		return err
	}
	for k, w := range want {
		bad("partner revenue record %q is missing (the partner's day counters say %s)", k, w)
	}
	return nil
}

// TopPartners returns the program's n partners with the most revenue over
// the last days days (merchant), ties by clicks. It sums the program's
// per-partner revenue of the days shown, then reads the day counters of
// the leaders only: O(days × partners with sales on them + n × days).
// When fewer than n partners sold in the period, the rest are ranked by
// clicks, which needs every partner's counters.
func (s *Store) TopPartners(ctx context.Context, a Actor, slug string, days, n int) ([]TopPartner, error) {
	if days < 1 || days > 3660 {
		return nil, invalid("days", fmt.Sprintf("%d must be from 1 to 3660", days))
	}
	now := s.now().UTC()
	since := dayKey(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(days - 1)))
	var top []TopPartner
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		var ok bool
		var err error
		if cands, known, enough := s.top.leaders(slug, dayKey(now), days, n); known {
			if enough {
				if top, ok, err = rankTopTx(tx, cands, since, n); err != nil || ok {
					return err
				}
			}
		} else if top, ok, err = topPartnersIndexedTx(ctx, tx, slug, since, n); err != nil || ok {
			return err
		}
		top, err = topPartnersScanTx(ctx, tx, slug, since, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("top partners of %s: %w", slug, err)
	}
	return top, nil
}

// topPartnersIndexedTx ranks by the revenue index; ok is false when fewer
// than n partners had positive revenue (the ranking then depends on the
// partners without sales too).
func topPartnersIndexedTx(ctx context.Context, tx *bolt.Tx, slug, since string, n int) ([]TopPartner, bool, error) {
	if n <= 0 {
		return nil, true, nil
	}
	prefix := key(slug)
	rev := map[uint64]decimal.Decimal{}
	c := tx.Bucket(bPartnerRevenue).Cursor()
	i := 0
	for k, v := c.Seek(append(bytes.Clone(prefix), since...)); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if i++; i%1024 == 0 && ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		if len(k) != len(prefix)+8+8 {
			continue
		}
		d, err := decimal.NewFromString(string(v))
		if err != nil {
			return nil, false, fmt.Errorf("partner revenue %x: %w", k, err)
		}
		id := btou(k[len(prefix)+8:])
		rev[id] = rev[id].Add(d)
	}
	var cands []topCand
	for id, r := range rev {
		if r.Sign() > 0 {
			cands = append(cands, topCand{id, r})
		}
	}
	if len(cands) < n {
		return nil, false, nil
	}
	slices.SortFunc(cands, func(a, b topCand) int { return b.rev.Cmp(a.rev) })
	// Every partner tied with the n-th on revenue may win on clicks.
	cut := n
	for cut < len(cands) && cands[cut].rev.Equal(cands[n-1].rev) {
		cut++
	}
	return rankTopTx(tx, cands[:cut], since, n)
}

// rankTopTx ranks the leaders by revenue (at least n: the n with the most
// and everyone tied with the n-th) with their counters since the day; ok
// is false when one of them has no clicks or conversions in the period
// (the ranking then depends on every partner).
func rankTopTx(tx *bolt.Tx, cands []topCand, since string, n int) ([]TopPartner, bool, error) {
	if n <= 0 {
		return nil, true, nil
	}
	top := make([]TopPartner, 0, len(cands))
	for _, cd := range cands {
		var p Partner
		if err := get(tx.Bucket(bPartners), u64(cd.id), &p); err != nil {
			return nil, false, fmt.Errorf("partner %d: %w", cd.id, err)
		}
		tc, err := partnerTotalsTx(tx, cd.id, since)
		if err != nil {
			return nil, false, err
		}
		if tc.Clicks == 0 && tc.Conversions == 0 {
			return nil, false, nil // not ranked by the full read either
		}
		name := p.Name
		if name == "" {
			name = p.Email
		}
		top = append(top, TopPartner{PartnerID: cd.id, Name: name, Counters: tc})
	}
	slices.SortFunc(top, compareTop)
	return top[:n], true, nil
}

// compareTop orders by revenue, then clicks (both highest first), then the
// partners' ids (oldest first, the order of a program's partners).
func compareTop(a, b TopPartner) int {
	if c := b.Revenue.Cmp(a.Revenue); c != 0 {
		return c
	}
	if a.Clicks != b.Clicks {
		if a.Clicks > b.Clicks {
			return -1
		}
		return 1
	}
	switch {
	case a.PartnerID < b.PartnerID:
		return -1
	case a.PartnerID > b.PartnerID:
		return 1
	}
	return 0
}

// topPartnersScanTx ranks every partner of the program with activity
// since the day: one read of every partner's counters of each day shown
// (O(days × partners)).
func topPartnersScanTx(ctx context.Context, tx *bolt.Tx, slug, since string, n int) ([]TopPartner, error) {
	sums := map[uint64]*Counters{}
	if _, last, ok := counterDaysTx(tx, partnerDayPrefix); ok {
		c := tx.Bucket(bDaily).Cursor()
		i := 0
		if err := eachDay(since, last, func(day string) (bool, error) {
			prefix := []byte(string(partnerDayPrefix) + day)
			for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
				if i++; i%1024 == 0 && ctx.Err() != nil {
					return false, ctx.Err()
				}
				if len(k) != len(prefix)+8 {
					continue
				}
				id := btou(k[len(prefix):])
				sum := sums[id]
				if sum == nil {
					sum = &Counters{}
					sums[id] = sum
				}
				if err := addTotals(sum, v); err != nil {
					return false, err
				}
			}
			return true, nil
		}); err != nil {
			return nil, err
		}
	}
	var top []TopPartner
	err := eachPartnerTx(tx, slug, func(p *Partner) error {
		c := sums[p.ID]
		if c == nil || (c.Clicks == 0 && c.Conversions == 0) {
			return nil
		}
		name := p.Name
		if name == "" {
			name = p.Email
		}
		top = append(top, TopPartner{PartnerID: p.ID, Name: name, Counters: *c})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(top, compareTop)
	if len(top) > n {
		top = top[:max(n, 0)]
	}
	return top, nil
}

// isRevenueDelta reports whether a group's counter change k is a partner
// revenue record's, and its record key.
func isRevenueDelta(k string) ([]byte, bool) {
	rest, ok := strings.CutPrefix(k, revenueDeltaPrefix)
	return []byte(rest), ok
}
