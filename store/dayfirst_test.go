package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// flushNodes fills a daily bucket with days days of clicks for partners
// partners (one link each, keyed by keyOf from the day-first key), then
// applies one click of each on the last day as a counter flush does, and
// returns how many nodes (pages read to be rewritten) that flush
// materialised.
func flushNodes(t *testing.T, partners, days int, keyOf func(string) string) int64 {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "f.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	code := func(p int) string { return fmt.Sprintf("code%05d", p) }
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bDaily)
		if err != nil {
			return err
		}
		for d := range days {
			day := dayKey(start.AddDate(0, 0, d))
			for p := range partners {
				v := []byte(`{"clicks":12,"unique_clicks":9}`)
				if err := b.Put([]byte(keyOf(partnerDayKey(uint64(p+1), day))), v); err != nil {
					return err
				}
				if err := b.Put([]byte(keyOf(linkDayKey(code(p), day, ""))), v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	last := start.AddDate(0, 0, days-1)
	var nodes int64
	err = db.Update(func(tx *bolt.Tx) error {
		st := tx.Stats()
		before := st.GetNodeCount()
		deltas := map[string]*Counters{}
		for p := range partners {
			addDelta(deltas, keyOf(partnerDayKey(uint64(p+1), dayKey(last))), Counters{Clicks: 1, UniqueClicks: 1})
			addDelta(deltas, keyOf(linkDayKey(code(p), dayKey(last), "")), Counters{Clicks: 1})
		}
		if err := applyDeltasTx(tx, deltas); err != nil {
			return err
		}
		st = tx.Stats()
		nodes = st.GetNodeCount() - before
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return nodes
}

// A counter flush under load counts today's clicks of every partner and
// link clicked. Keyed day first, their records sit together: the flush
// rewrites a few dozen pages, where the partner-first keys of older
// builds made it rewrite a page or more per partner and per link (their
// copies are held on the Go heap until the commit).
func TestCounterFlushTouchesFewPages(t *testing.T) {
	const partners, days = 1000, 14
	dayFirst := flushNodes(t, partners, days, func(k string) string { return k })
	old := flushNodes(t, partners, days, func(k string) string {
		o, ok := oldDayKey([]byte(k))
		if !ok {
			t.Fatalf("no old key for %q", k)
		}
		return string(o)
	})
	t.Logf("one flush of %d partners and links: %d nodes day first, %d partner first", partners, dayFirst, old)
	if dayFirst > partners/10 {
		t.Errorf("a flush of %d partners' and links' clicks rewrote %d nodes, want at most %d", partners, dayFirst, partners/10)
	}
	if old < partners/2 {
		t.Errorf("partner-first keys: %d nodes, want at least %d (the contrast this test shows)", old, partners/2)
	}
}
