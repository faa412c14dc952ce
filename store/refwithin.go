package store

import (
	"bytes"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Whether a referral code was clicked within a cookie lifetime before a
// payment is asked of every conversion that names a ref, inside the group
// commit (twice: to attribute and to warn). It reads the link's day
// records (linkstats.go), keyed day first, one short prefix scan per day:
// newest day first, since the click that makes a referral young enough is
// almost always recent, and each record's click count and first and last
// click times straight from its bytes (clickTimes).

// clickedWithinTx says whether code was clicked at some time in
// [from, to]. It reads the link's day counters from to's day back to
// from's day, and stops at the first day that shows such a click.
func clickedWithinTx(tx *bolt.Tx, code string, from, to time.Time) bool {
	if to.Before(from) {
		return false
	}
	lo, hi, ok := counterDaysTx(tx, linkDayPrefix)
	if !ok {
		return false
	}
	first, last := dayKey(from), dayKey(to)
	c := tx.Bucket(bDaily).Cursor()
	t := to.UTC()
	for day := last; day >= first && day >= lo; day = dayKey(t) {
		if day <= hi {
			within := false
			_, _ = linkDayTx(c, code, day, func(_, v []byte) (bool, error) {
				clicks, fc, lc := clickTimes(v)
				if clicks != 0 && (day != first || !lc.Before(from)) && (day != last || !fc.After(to)) {
					within = true
					return false, nil
				}
				return true, nil
			})
			if within {
				return true
			}
		}
		t = t.AddDate(0, 0, -1)
	}
	return false
}

// clickTimes reads a link day record's clicks and first and last click
// times: straight from the bytes when the record looks as Counters'
// encoding writes it (clicks first, the two times last), through the
// JSON decoder otherwise. A record that does not decode counts no click.
func clickTimes(v []byte) (clicks int64, first, last time.Time) {
	const head, firstField, lastField = `{"clicks":`, `,"first_click":"`, `","last_click":"`
	if bytes.HasPrefix(v, []byte(head)) && bytes.HasSuffix(v, []byte(`"}`)) {
		n, i := leadingInt(v[len(head):])
		j := bytes.LastIndex(v, []byte(firstField))
		if i > 0 && j > 0 {
			times := v[j+len(firstField) : len(v)-2]
			if k := bytes.Index(times, []byte(lastField)); k >= 0 {
				f, err1 := time.Parse(time.RFC3339Nano, string(times[:k]))
				l, err2 := time.Parse(time.RFC3339Nano, string(times[k+len(lastField):]))
				if err1 == nil && err2 == nil {
					return n, f, l
				}
			}
		}
	}
	var c Counters
	if getBytes(v, &c) != nil {
		return 0, time.Time{}, time.Time{}
	}
	return c.Clicks, c.FirstClickAt, c.LastClickAt
}

// refWithinMemo keeps, for one run of a conversion's change, the link its
// ref names and the answer of refClickedWithinTx for the code, payment
// time and lifetime last asked, so attributing and warning read them once.
type refWithinMemo struct {
	linkRead bool
	link     *Link // nil: the ref names no link
	set      bool
	code     string
	paidAt   time.Time
	lifetime time.Duration
	within   bool
}

// refLinkTx reads the link req's ref names (nil when none), once per run
// of its change.
func refLinkTx(tx *bolt.Tx, req *conversionRequest) *Link {
	m := &req.refMemo
	if !m.linkRead {
		var l Link
		m.linkRead, m.link = true, nil
		if get(tx.Bucket(bLinks), []byte(req.in.Ref), &l) == nil {
			m.link = &l
		}
	}
	return m.link
}
