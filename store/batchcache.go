package store

import (
	"bytes"
	"fmt"
	"slices"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// batchCache keeps the payout batches the lists decoded last, each with
// the stored bytes it came from. A batch holds every commission id it
// pays, so decoding a program's batches is the bulk of the Payouts tab at
// scale; a batch changes rarely (paid batches never), and comparing its
// bytes costs a small fraction of decoding them. An entry whose bytes
// differ from the stored ones is decoded again, so the cache can never
// show a batch as it no longer is.
//
// It holds at most maxCachedBatches batches (batches accumulate forever,
// one a week or a month per program); a batch decoded when it is full
// takes the place of an arbitrary one.
type batchCache struct {
	mu sync.Mutex
	m  map[uint64]cachedBatch
}

// maxCachedBatches bounds the cache: a Payouts tab shows a page of a
// program's batches, and a batch holds an id per commission it pays.
const maxCachedBatches = 256

type cachedBatch struct {
	raw []byte
	b   PayoutBatch
}

// decode returns the batch stored as raw under id (raw is copied when it
// is kept: it may be a transaction's bytes).
func (c *batchCache) decode(id uint64, raw []byte) (PayoutBatch, error) {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		return cloneBatch(e.b), nil
	}
	var b PayoutBatch
	if err := getBytes(raw, &b); err != nil {
		return b, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[uint64]cachedBatch{}
	}
	if _, ok := c.m[id]; !ok && len(c.m) >= maxCachedBatches {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[id] = cachedBatch{raw: bytes.Clone(raw), b: cloneBatch(b)}
	c.mu.Unlock()
	return b, nil
}

// cloneBatch copies b's items and their id lists, so a caller that changes
// its copy leaves the cached one as stored. The id lists share one new
// array, each capped at its own length (an append reallocates rather than
// write into the next item's ids).
func cloneBatch(b PayoutBatch) PayoutBatch {
	b.Items = slices.Clone(b.Items)
	n := 0
	for _, it := range b.Items {
		n += len(it.Commissions) + len(it.Clawbacks)
	}
	ids := make([]uint64, 0, n)
	share := func(s []uint64) []uint64 {
		if s == nil {
			return nil
		}
		at := len(ids)
		ids = append(ids, s...)
		return ids[at:len(ids):len(ids)]
	}
	for i := range b.Items {
		b.Items[i].Commissions = share(b.Items[i].Commissions)
		b.Items[i].Clawbacks = share(b.Items[i].Clawbacks)
	}
	return b
}

// cachedBatchTx reads batch id through the cache.
func (s *Store) cachedBatchTx(tx *bolt.Tx, id uint64) (PayoutBatch, error) {
	raw := tx.Bucket(bBatches).Get(u64(id))
	if raw == nil {
		return PayoutBatch{}, fmt.Errorf("payout batch %d: %w", id, ErrNotFound)
	}
	return s.batches.decode(id, raw)
}
