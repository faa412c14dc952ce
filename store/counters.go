package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

func programDayKey(slug, day string) string { return "P" + slug + "\x00" + day }

func partnerDayKey(partnerID uint64, day string) string {
	return "A" + string(u64(partnerID)) + day
}

func addDelta(m map[string]*Counters, k string, d Counters) {
	c := m[k]
	if c == nil {
		c = &Counters{}
		m[k] = c
	}
	if clicksOnly(&d) { // a click: no decimal arithmetic on the redirector's path
		c.Clicks += d.Clicks
		c.UniqueClicks += d.UniqueClicks
		return
	}
	c.Add(d)
}

// applyDeltasTx adds each day's counter changes to the stored counters.
func applyDeltasTx(tx *bolt.Tx, deltas map[string]*Counters) error {
	b := tx.Bucket(bDaily)
	for k, d := range deltas {
		if out, ok := addClicksJSON(b.Get([]byte(k)), d); ok {
			if err := b.Put([]byte(k), out); err != nil {
				return err
			}
			continue
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
	return nil
}

func readCountersTx(tx *bolt.Tx, k string) (Counters, error) {
	var c Counters
	if err := get(tx.Bucket(bDaily), []byte(k), &c); err != nil && err != ErrNotFound {
		return c, err
	}
	return c, nil
}
