package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// view calls fn with batch id as stored under raw: the cached batch when
// the cache holds these bytes, else the batch decoded (and cached). fn
// reads it only: it must neither keep nor change it. A partner's payout
// history reads its own items of each batch this way, without copying
// every other partner's items (a batch holds one per partner paid).
func (c *batchCache) view(id uint64, raw []byte, fn func(b *PayoutBatch)) error {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && bytes.Equal(e.raw, raw) {
		fn(&e.b)
		return nil
	}
	b, err := c.decode(id, raw)
	if err != nil {
		return err
	}
	fn(&b)
	return nil
}

// partnerPayoutRowTx appends the partner's payout stored under k, v in
// the partner → batch index to out: its row (partnerbatches.go), or, for
// an entry not filled yet, its item read from the batch.
func (s *Store) partnerPayoutRowTx(tx *bolt.Tx, k, v []byte, out []PartnerPayout) ([]PartnerPayout, error) {
	if len(v) == 0 {
		return s.partnerPayoutsTx(tx, btou(k[8:16]), btou(k[:8]), out)
	}
	p, err := decodePartnerBatchRow(k, v)
	if err != nil {
		return out, err
	}
	return append(out, p), nil
}

// partnerPayoutsTx appends the partner's items of batch id to out, newest
// batch first as the caller walks them, as partnerPayoutOf gives them.
func (s *Store) partnerPayoutsTx(tx *bolt.Tx, id, partnerID uint64, out []PartnerPayout) ([]PartnerPayout, error) {
	raw := tx.Bucket(bBatches).Get(u64(id))
	if raw == nil {
		return out, fmt.Errorf("payout batch %d: %w", id, ErrNotFound)
	}
	err := s.batches.view(id, raw, func(b *PayoutBatch) {
		for _, it := range b.Items {
			if it.PartnerID == partnerID {
				out = append(out, partnerPayoutOf(b, it))
			}
		}
	})
	return out, err
}
