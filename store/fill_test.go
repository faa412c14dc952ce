package store

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// clicksLeafBytes writes n version-1 click records in groups of 200 (as the
// group writer does) into a bucket with the given fill percent and returns
// the bytes of its leaf pages and their fill.
func clicksLeafBytes(t *testing.T, fill float64, n int) (int, float64) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "fill.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := &Click{PartnerID: 7, At: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
	h := make([]byte, 12)
	for id := 1; id <= n; {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists(bClicks)
			if err != nil {
				return err
			}
			b.FillPercent = fill
			for end := id + 200; id < end && id <= n; id++ {
				c.At = c.At.Add(time.Second)
				if err := b.Put(u64(uint64(id)), encodeClickV1(c, 1, 2, 0, h, id%3 == 0)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var alloc, inuse int
	if err := db.View(func(tx *bolt.Tx) error {
		st := tx.Bucket(bClicks).Stats()
		alloc, inuse = st.LeafAlloc, st.LeafInuse
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return alloc, float64(inuse) / float64(alloc)
}

// Clicks are appended in id order: with the clicks bucket filled to 100%
// its leaf pages take about half the space of bbolt's default 50%.
func TestClicksBucketFillPercent(t *testing.T) {
	const n = 50_000
	half, halfUse := clicksLeafBytes(t, 0.5, n)
	full, fullUse := clicksLeafBytes(t, appendFill, n)
	t.Logf("%d clicks: leaf pages %d bytes (%.1f B/click, %.0f%% used) at fill 0.5, %d bytes (%.1f B/click, %.0f%% used) at fill %.1f",
		n, half, float64(half)/n, 100*halfUse, full, float64(full)/n, 100*fullUse, appendFill)
	if float64(full) > 0.6*float64(half) {
		t.Errorf("fill %.1f: %d bytes, fill 0.5: %d bytes; want at most 60%%", appendFill, full, half)
	}
}
