package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Reading day-first counters (counters.go): a partner's or a link's
// counters over a range of days are one point read (partners) or one
// short prefix scan (links, by campaign) per day. A range "of all time"
// starts at the oldest day any partner or link has counters on and ends at
// the newest (counterDaysTx), both found with one seek.

// counterDaysTx returns the first and last day (YYYYMMDD) of the day-first
// counters under prefix (partnerDayPrefix or linkDayPrefix); ok is false
// when there are none.
func counterDaysTx(tx *bolt.Tx, prefix byte) (first, last string, ok bool) {
	c := tx.Bucket(bDaily).Cursor()
	k, _ := c.Seek([]byte{prefix})
	if k == nil || k[0] != prefix || len(k) < 9 {
		return "", "", false
	}
	first = string(k[1:9])
	k, _ = c.Seek([]byte{prefix + 1})
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if k == nil || k[0] != prefix || len(k) < 9 {
		return "", "", false
	}
	return first, string(k[1:9]), true
}

// eachDay calls fn for every day from from to to (YYYYMMDD, both
// included), oldest first, until fn returns false or an error.
func eachDay(from, to string, fn func(day string) (bool, error)) error {
	if from > to {
		return nil
	}
	d, err := time.Parse("20060102", from)
	if err != nil {
		return fmt.Errorf("day %q: %w", from, err)
	}
	for day := from; day <= to; day = dayKey(d) {
		more, err := fn(day)
		if err != nil || !more {
			return err
		}
		d = d.AddDate(0, 0, 1)
	}
	return nil
}

// partnerDaysTx calls fn with each of a partner's day counters records
// from day since (YYYYMMDD, "" = the oldest) to the newest day any partner
// has counters on, oldest first: one point read per day.
func partnerDaysTx(tx *bolt.Tx, partnerID uint64, since string, fn func(day string, v []byte) error) error {
	first, last, ok := counterDaysTx(tx, partnerDayPrefix)
	if !ok {
		return nil
	}
	b := tx.Bucket(bDaily)
	return eachDay(max(first, since), last, func(day string) (bool, error) {
		if v := b.Get([]byte(partnerDayKey(partnerID, day))); v != nil {
			return true, fn(day, v)
		}
		return true, nil
	})
}

// linkDayTx calls fn with a link's records of one day, by campaign (sub
// "" = none), until fn returns false or an error.
func linkDayTx(c *bolt.Cursor, code, day string, fn func(sub, v []byte) (bool, error)) (bool, error) {
	prefix := []byte(linkDayKey(code, day, ""))
	for k, v := c.Seek(prefix); k != nil && len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
		if more, err := fn(k[len(prefix):], v); err != nil || !more {
			return more, err
		}
	}
	return true, nil
}

// linkDaysTx calls fn with a link's records from day from to day to
// (YYYYMMDD; "" = the oldest and the newest day any link has counters on),
// oldest day first, by campaign within a day, until fn returns false or
// an error: one short prefix scan per day.
func linkDaysTx(tx *bolt.Tx, code, from, to string, fn func(day string, sub, v []byte) (bool, error)) error {
	first, last, ok := counterDaysTx(tx, linkDayPrefix)
	if !ok {
		return nil
	}
	if to == "" || to > last {
		to = last
	}
	c := tx.Bucket(bDaily).Cursor()
	return eachDay(max(first, from), to, func(day string) (bool, error) {
		return linkDayTx(c, code, day, func(sub, v []byte) (bool, error) { return fn(day, sub, v) })
	})
}
