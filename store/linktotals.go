package store

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Link totals: each link's figures of all time (clicks, conversions,
// revenue, commission), so that the portal's Links tab, a merchant's
// partner detail and `link list` read a link's history in a constant
// number of records instead of one per day and campaign it ever had:
//
//	link_totals: code → Counters (JSON; clicks, conversions, revenue, commission)
//	meta link_totals_through → YYYYMMDD
//
// A link's total holds the sum of its day records (K, linkstats.go) of
// every day up to "through" and of no day after it. A link's all-time
// figures are its total plus its day records after through (linkAllTimeTx):
// one point read, then one short prefix scan per day since through.
//
//   - Rolling forward (rollLinkTotals) adds whole days' records to the
//     totals and moves through to the last of those days in the same
//     transaction, oldest day first, at most about linkTotalsBatch records
//     per transaction. It runs at open (for a database written before
//     totals existed that is the backfill: resumable, since every
//     transaction commits its days with the mark) and then once an hour,
//     up to the day before yesterday (linkTotalsLag).
//   - A counter change to a day already rolled (a refund of an older
//     order, a click stored after its day was rolled, a backfill of older
//     builds' clicks) is added to its link's total by applyDeltasTx in the
//     transaction that applies it (rolledLinkDays). Today's clicks, the
//     bulk of the writes, never reach a total: a click flush writes the
//     pages it wrote before.
//   - Links are never deleted or renamed; `affogato compact` copies the
//     totals and the mark as they are (they are consistent in every
//     committed transaction).
//   - `affogato check` recomputes every total from the day records
//     (checkLinkTotalsTx).

// bLinkTotals holds the links' totals of the rolled days.
var bLinkTotals = []byte("link_totals")

// metaLinkTotalsThrough is the last day (YYYYMMDD) summed in the totals;
// absent when none is.
var metaLinkTotalsThrough = []byte("link_totals_through")

// linkTotalsBatch is about how many day records one roll-forward
// transaction adds (whole days: a day is never split).
const linkTotalsBatch = 50_000

// linkTotalsLag is how many days before today the totals are rolled up
// to: today's and yesterday's records still take most of the changes
// (clicks, and the clicks of just before midnight), which then stay off
// the totals.
const linkTotalsLag = 2

// linkTotalsRollEvery is how often an open store rolls its totals forward.
const linkTotalsRollEvery = time.Hour

// linkTotalsUpTo is the day the totals are rolled up to at now.
func linkTotalsUpTo(now time.Time) string {
	return dayKey(now.AddDate(0, 0, -linkTotalsLag))
}

// linkTotalPart is the part of a day record's change that a total keeps.
func linkTotalPart(d *Counters) Counters {
	return Counters{Clicks: d.Clicks, Conversions: d.Conversions, Revenue: d.Revenue, Commission: d.Commission}
}

// linkTotalsThroughTx is the last day summed in the totals ("" when none
// is, or the database has no totals: a read-only file of an older build).
func linkTotalsThroughTx(tx *bolt.Tx) string {
	if tx.Bucket(bLinkTotals) == nil {
		return ""
	}
	return string(tx.Bucket(bMeta).Get(metaLinkTotalsThrough))
}

// dayAfter is the day (YYYYMMDD) after day.
func dayAfter(day string) (string, error) {
	d, err := time.Parse("20060102", day)
	if err != nil {
		return "", fmt.Errorf("day %q: %w", day, err)
	}
	return dayKey(d.AddDate(0, 0, 1)), nil
}

// linkAllTimeTx calls fn with each record that together make a link's
// figures of all time: its total (when it has one), then its day records
// of the days after the totals' mark.
func linkAllTimeTx(tx *bolt.Tx, code string, fn func(v []byte) error) error {
	from := ""
	if through := linkTotalsThroughTx(tx); through != "" {
		var err error
		if from, err = dayAfter(through); err != nil {
			return fmt.Errorf("link totals mark: %w", err)
		}
		if v := tx.Bucket(bLinkTotals).Get([]byte(code)); v != nil {
			if err := fn(v); err != nil {
				return err
			}
		}
	}
	return linkDaysTx(tx, code, from, "", func(_ string, _, v []byte) (bool, error) { // dayfirst.go
		return true, fn(v)
	})
}

// rolledLinkDays gathers, while applyDeltasTx applies a group's counter
// changes, the changes to link day records of days already summed in
// their links' totals, and adds them to the totals.
type rolledLinkDays struct {
	through string
	sums    map[string]*Counters // code → change
}

func newRolledLinkDays(tx *bolt.Tx) rolledLinkDays {
	return rolledLinkDays{through: linkTotalsThroughTx(tx)}
}

// add notes the change d to the day counters record at key k (any
// record: only a link's day up to through counts).
func (r *rolledLinkDays) add(k string, d *Counters) {
	if r.through == "" || len(k) < 10 || k[0] != linkDayPrefix || k[1:9] > r.through {
		return
	}
	code, _, _ := strings.Cut(k[9:], "\x00")
	if r.sums == nil {
		r.sums = map[string]*Counters{}
	}
	addDelta(r.sums, code, linkTotalPart(d))
}

// applyTx adds the noted changes to the totals.
func (r *rolledLinkDays) applyTx(tx *bolt.Tx) error {
	if len(r.sums) == 0 {
		return nil
	}
	return addLinkTotalsTx(tx, r.sums)
}

// addLinkTotalsTx adds sums (code → change) to the links' totals, in code
// order.
func addLinkTotalsTx(tx *bolt.Tx, sums map[string]*Counters) error {
	b := tx.Bucket(bLinkTotals)
	codes := make([]string, 0, len(sums))
	for code := range sums {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		var t Counters
		if err := get(b, []byte(code), &t); err != nil && err != ErrNotFound {
			return fmt.Errorf("link %s total: %w", code, err)
		}
		t.Add(*sums[code])
		if err := put(b, []byte(code), &t); err != nil {
			return fmt.Errorf("link %s total: %w", code, err)
		}
	}
	return nil
}

// rollLinkTotals adds the link day records of the days up to upTo
// (YYYYMMDD) not summed yet to their links' totals, in transactions of
// about batch records, and returns how many records it added.
func rollLinkTotals(db *bolt.DB, upTo string, batch int) (int, error) {
	total := 0
	for {
		var n int
		var more bool
		err := db.Update(func(tx *bolt.Tx) error {
			var err error
			n, more, err = rollLinkTotalsTx(tx, upTo, batch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("link totals: %w", err)
		}
		total += n
		if !more {
			return total, nil
		}
	}
}

// rollLinkTotalsTx adds whole days of link day records after the mark, up
// to upTo, to the totals until batch records are added, and moves the
// mark; more says days are left.
func rollLinkTotalsTx(tx *bolt.Tx, upTo string, batch int) (n int, more bool, err error) {
	meta := tx.Bucket(bMeta)
	through := string(meta.Get(metaLinkTotalsThrough))
	if through >= upTo {
		return 0, false, nil
	}
	sums := map[string]*Counters{}
	c := tx.Bucket(bDaily).Cursor()
	// Every key of the day through sorts below K through 0xff, every key of
	// a later day above it (days are eight digits).
	seek := []byte{linkDayPrefix}
	if through != "" {
		seek = append(seek, through+"\xff"...)
	}
	k, v := c.Seek(seek)
	for {
		if k == nil || k[0] != linkDayPrefix || len(k) < 9 || string(k[1:9]) > upTo {
			through = upTo // no record of a day up to upTo is left
			break
		}
		if n >= batch {
			more = true
			break
		}
		day := bytes.Clone(k[1:9])
		for ; len(k) >= 9 && k[0] == linkDayPrefix && bytes.Equal(k[1:9], day); k, v = c.Next() {
			code, _, _ := bytes.Cut(k[9:], []byte{0})
			t, err := decodeTotals(v) // totalsfast.go
			if err != nil {
				return 0, false, fmt.Errorf("record %q: %w", k, err)
			}
			addDelta(sums, string(code), Counters{Clicks: t.Clicks, Conversions: t.Conversions, Revenue: t.Revenue, Commission: t.Commission})
			n++
		}
		through = string(day)
	}
	if err := addLinkTotalsTx(tx, sums); err != nil {
		return 0, false, err
	}
	return n, more, meta.Put(metaLinkTotalsThrough, []byte(through))
}

// linkTotalsRoller rolls an open store's totals forward once an hour.
type linkTotalsRoller struct {
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

func (s *Store) startLinkTotalsRoller(every time.Duration) *linkTotalsRoller {
	r := &linkTotalsRoller{stop: make(chan struct{})}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-r.stop:
				return
			case <-tick.C:
				// A failure is tried again at the next tick; reads are
				// exact whatever the mark.
				_, _ = rollLinkTotals(s.db, linkTotalsUpTo(s.now()), linkTotalsBatch)
			}
		}
	}()
	return r
}

// close stops the roller and waits for a roll in progress; safe on nil.
func (r *linkTotalsRoller) close() {
	if r == nil {
		return
	}
	r.once.Do(func() { close(r.stop) })
	r.wg.Wait()
}

// checkLinkTotalsTx verifies every link's total against its day records
// of the days up to the mark: equal clicks, conversions, revenue and
// commission, and no total of a link without such records.
func checkLinkTotalsTx(tx *bolt.Tx, bad func(string, ...any)) error {
	through := linkTotalsThroughTx(tx)
	totals := tx.Bucket(bLinkTotals)
	if through == "" {
		if totals != nil {
			if k, _ := totals.Cursor().First(); k != nil {
				bad("link totals are stored but no day is marked summed (first: link %s)", k)
			}
		}
		return nil
	}
	sums := map[string]*Counters{}
	c := tx.Bucket(bDaily).Cursor()
	for k, v := c.Seek([]byte{linkDayPrefix}); k != nil && k[0] == linkDayPrefix && len(k) >= 9 && string(k[1:9]) <= through; k, v = c.Next() {
		code, _, _ := bytes.Cut(k[9:], []byte{0})
		t, err := decodeTotals(v)
		if err != nil {
			bad("link day record %q: %v", k, err)
			continue
		}
		addDelta(sums, string(code), Counters{Clicks: t.Clicks, Conversions: t.Conversions, Revenue: t.Revenue, Commission: t.Commission})
	}
	err := totals.ForEach(func(k, v []byte) error {
		var got Counters
		if err := getBytes(v, &got); err != nil {
			bad("link %s total: %v", k, err)
			return nil
		}
		want := sums[string(k)]
		delete(sums, string(k))
		if want == nil {
			want = &Counters{}
		}
		if got.Clicks != want.Clicks || got.Conversions != want.Conversions || !got.Revenue.Equal(want.Revenue) || !got.Commission.Equal(want.Commission) {
			bad("link %s total through %s: %d clicks, %d conversions, revenue %s, commission %s; its day records sum to %d, %d, %s, %s",
				k, through, got.Clicks, got.Conversions, got.Revenue, got.Commission, want.Clicks, want.Conversions, want.Revenue, want.Commission)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for code, want := range sums {
		if want.Clicks == 0 && want.Conversions == 0 && want.Revenue.IsZero() && want.Commission.IsZero() {
			continue // a total of zeros may be missing
		}
		bad("link %s has no total, but its day records through %s sum to %d clicks, %d conversions", code, through, want.Clicks, want.Conversions)
	}
	return nil
}
