package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Day counters are stored as JSON of Counters with the zero fields left
// out (omitzero; most days of most links and partners have clicks and
// nothing else): {"clicks":N,"unique_clicks":M} and, for a link, its first
// and last click times. Records written before carry every field; both
// decode the same, and `affogato compact` rewrites them in the short form
// (compactCounters).

// IsZero says whether every status sum is zero (so a day's counters can
// leave the status out).
func (b Balance) IsZero() bool {
	return b.Pending.IsZero() && b.Approved.IsZero() && b.InPayout.IsZero() && b.Paid.IsZero() && b.Clawback.IsZero()
}

// compactCounters re-encodes a stored day counters record in the short
// form; ok is false when v does not decode as Counters.
func compactCounters(v []byte) (out []byte, ok bool) {
	var c Counters
	if err := getBytes(v, &c); err != nil {
		return nil, false
	}
	out, err := json.Marshal(&c)
	if err != nil {
		return nil, false
	}
	return out, true
}

func programDayKey(slug, day string) string { return "P" + slug + "\x00" + day }

// The day counters of partners and links are keyed day first (see
// dayfirst.go): a flush of the clicks of the last 100 ms writes today's
// records of every partner and link clicked, and day-first keys keep those
// records together on a few hundred leaf pages instead of one page per
// partner and per link (about 17,000 dirty 4 KiB pages per commit on the
// 10,000-partner seed, each copied into bbolt's buffers on the Go heap).
//
//	D YYYYMMDD partnerID(8)        a partner's day
//	K YYYYMMDD code 0 sub          a link's day by campaign (linkstats.go)
const (
	partnerDayPrefix = 'D'
	linkDayPrefix    = 'K'
)

func partnerDayKey(partnerID uint64, day string) string {
	return string(partnerDayPrefix) + day + string(u64(partnerID))
}

func addDelta(m map[string]*Counters, k string, d Counters) {
	c := m[k]
	if c == nil {
		c = &Counters{}
		m[k] = c
	}
	c.Add(d)
}

// applyDeltasTx adds each day's counter changes to the stored counters.
func applyDeltasTx(tx *bolt.Tx, deltas map[string]*Counters) error {
	b := tx.Bucket(bDaily)
	for k, d := range deltas { // clicks of a record that changes otherwise too go with the rest
		if full, ok := strings.CutPrefix(k, clickDeltaPrefix); ok && deltas[full] != nil {
			deltas[full].Add(*d)
			delete(deltas, k)
		}
	}
	// In key order: neighbouring records share pages, so a large group
	// reads and dirties each page once, front to back.
	keys := make([]string, 0, len(deltas))
	for k := range deltas {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return strings.Compare(strings.TrimPrefix(a, clickDeltaPrefix), strings.TrimPrefix(b, clickDeltaPrefix))
	})
	rolled := newRolledLinkDays(tx) // linktotals.go
	for _, k := range keys {
		d := deltas[k]
		if rk, ok := isRevenueDelta(k); ok {
			if err := applyRevenueDeltaTx(tx, rk, d.Revenue); err != nil {
				return err
			}
			continue
		}
		rolled.add(strings.TrimPrefix(k, clickDeltaPrefix), d)
		if full, ok := strings.CutPrefix(k, clickDeltaPrefix); ok {
			if out, ok := addClicksJSON(b.Get([]byte(full)), d); ok {
				if err := b.Put([]byte(full), out); err != nil {
					return err
				}
				continue
			}
			k = full
		}
		var c Counters
		if err := get(b, []byte(k), &c); err != nil && err != ErrNotFound {
			return fmt.Errorf("counters: %w", err)
		}
		c.Add(*d)
		if err := put(b, []byte(k), &c); err != nil {
			return err
		}
	}
	return rolled.applyTx(tx)
}

func readCountersTx(tx *bolt.Tx, k string) (Counters, error) {
	var c Counters
	if err := get(tx.Bucket(bDaily), []byte(k), &c); err != nil && err != ErrNotFound {
		return c, err
	}
	return c, nil
}
