package store

import (
	"encoding/binary"
	"fmt"
	"testing"
	"time"
)

// TestIPWindowBoundUnderFlood sends clicks from far more distinct
// addresses than the window holds within the hour: it never holds more
// than its bound, and an address that keeps clicking keeps its count.
func TestIPWindowBoundUnderFlood(t *testing.T) {
	w := ipWindow{max: 1000}
	w.init()
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	burst := []byte("burst-ip")
	var last int
	for i := range 50_000 {
		var h [8]byte
		binary.BigEndian.PutUint64(h[:], uint64(i)+1<<40)
		w.record(uint64(i%7), h[:], at.Add(time.Duration(i)*time.Millisecond))
		if i%100 == 0 {
			last = w.record(1, burst, at.Add(time.Duration(i)*time.Millisecond))
		}
		if n := w.len(); n > w.max {
			t.Fatalf("after %d clicks the window holds %d pairs, bound %d", i+1, n, w.max)
		}
	}
	if last < ipBurstLimit {
		t.Fatalf("the bursting address counts %d clicks in the hour before, want at least %d", last, ipBurstLimit)
	}
}

// TestBatchCacheBound decodes more batches than the cache holds: it keeps
// at most its bound, and every decode still gives the stored batch.
func TestBatchCacheBound(t *testing.T) {
	var c batchCache
	for id := range uint64(3 * maxCachedBatches) {
		raw := fmt.Appendf(nil, `{"id":%d,"program":"acme","items":[{"partner_id":%d,"commissions":[%d]}]}`, id, id, id*10)
		b, err := c.decode(id, raw)
		if err != nil || b.ID != id || len(b.Items) != 1 || b.Items[0].Commissions[0] != id*10 {
			t.Fatalf("batch %d: %+v %v", id, b, err)
		}
		if len(c.m) > maxCachedBatches {
			t.Fatalf("after %d batches the cache holds %d, bound %d", id+1, len(c.m), maxCachedBatches)
		}
	}
}
