package store

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// Batch heads: what a payout batch's row on the Payouts tab shows, kept
// beside the batch:
//
//	batch_heads: batchID(8) → PayoutBatchHead (JSON)
//
// A batch holds every commission id it pays, so decoding a program's
// batches to list them costs as much as the commissions paid so far (about
// 70 ms for 5 batches of 5,650 items at 10,000 partners, on the first list
// after a start). A head is a few fields; it is written in the same
// transaction as its batch (putBatchTx), so the list reads the batches
// shown, not the commissions they pay.

// bBatchHeads holds the heads.
var bBatchHeads = []byte("batch_heads")

// metaBatchHeads marks a database whose bBatchHeads is complete.
var metaBatchHeads = []byte("batch_heads_index")

// PayoutBatchHead is a payout batch without its items: its row in a list.
type PayoutBatchHead struct {
	ID        uint64          `json:"id"`
	Program   string          `json:"program"`
	Currency  string          `json:"currency"`
	Status    string          `json:"status"`
	Items     int             `json:"items"` // the number of items (partners paid)
	Total     decimal.Decimal `json:"total"`
	Provider  string          `json:"provider,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	PaidAt    time.Time       `json:"paid_at,omitempty"`
	Period    string          `json:"period,omitempty"`
}

// Head is b's row.
func (b *PayoutBatch) Head() PayoutBatchHead {
	return PayoutBatchHead{ID: b.ID, Program: b.Program, Currency: b.Currency, Status: b.Status, Items: len(b.Items),
		Total: b.Total, Provider: b.Provider, CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, PaidAt: b.PaidAt, Period: b.Period}
}

// putBatchTx stores batch b, its head and its items' rows in the partner
// → batch index (partnerbatches.go).
func putBatchTx(tx *bolt.Tx, b *PayoutBatch) error {
	if err := put(tx.Bucket(bBatches), u64(b.ID), b); err != nil {
		return err
	}
	if err := putPartnerBatchRowsTx(tx, b); err != nil {
		return err
	}
	return put(tx.Bucket(bBatchHeads), u64(b.ID), b.Head())
}

// buildBatchHeadsTx writes every batch's head, once, for a database
// written before heads existed.
func buildBatchHeadsTx(tx *bolt.Tx) error {
	meta := tx.Bucket(bMeta)
	if meta.Get(metaBatchHeads) != nil {
		return nil
	}
	heads := tx.Bucket(bBatchHeads)
	err := tx.Bucket(bBatches).ForEach(func(k, v []byte) error {
		var b PayoutBatch
		if err := getBytes(v, &b); err != nil {
			return fmt.Errorf("batch %x: %w", k, err)
		}
		return put(heads, k, b.Head())
	})
	if err != nil {
		return fmt.Errorf("batch heads: %w", err)
	}
	return meta.Put(metaBatchHeads, []byte("1"))
}

// checkBatchHeadsTx verifies that every batch has its head, equal to it,
// and no head is left without its batch.
func checkBatchHeadsTx(tx *bolt.Tx, bad func(string, ...any)) error {
	heads := tx.Bucket(bBatchHeads)
	batches := tx.Bucket(bBatches)
	err := batches.ForEach(func(k, v []byte) error {
		var b PayoutBatch
		if err := getBytes(v, &b); err != nil {
			return fmt.Errorf("batch %x: %w", k, err)
		}
		if heads.Get(k) == nil {
			bad("payout batch %d has no head", b.ID)
			return nil
		}
		var h PayoutBatchHead
		if err := get(heads, k, &h); err != nil {
			bad("payout batch %d head: %v", b.ID, err)
			return nil
		}
		w := b.Head()
		if !sameHead(h, w) {
			bad("payout batch %d head %+v differs from the batch (%+v)", b.ID, h, w)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return heads.ForEach(func(k, _ []byte) error {
		if batches.Get(k) == nil {
			bad("payout batch head %x has no batch", k)
		}
		return nil
	})
}

func sameHead(a, b PayoutBatchHead) bool {
	return a.ID == b.ID && a.Program == b.Program && a.Currency == b.Currency && a.Status == b.Status &&
		a.Items == b.Items && a.Total.Equal(b.Total) && a.Provider == b.Provider && a.CreatedAt.Equal(b.CreatedAt) &&
		a.UpdatedAt.Equal(b.UpdatedAt) && a.PaidAt.Equal(b.PaidAt) && a.Period == b.Period
}

// PayoutBatchHeads lists a program's batches without their items, in the
// order of ListPayoutBatches (its admins): O(batches), whatever they pay.
func (s *Store) PayoutBatchHeads(a Actor, slug string) ([]PayoutBatchHead, error) {
	var out []PayoutBatchHead
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		heads := tx.Bucket(bBatchHeads)
		var err error
		scanPrefix(tx.Bucket(bProgBatches), key(slug), true, func(k, _ []byte) bool {
			var h PayoutBatchHead
			if err = get(heads, k[len(k)-8:], &h); err != nil {
				err = fmt.Errorf("batch %d head: %w", btou(k[len(k)-8:]), err)
				return false
			}
			out = append(out, h)
			return true
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list payouts of %s: %w", slug, err)
	}
	return out, nil
}

// PayoutBatchHeadsSince is PayoutBatchHeads, shared (see StatsSince).
func (s *Store) PayoutBatchHeadsSince(a Actor, slug string, since uint64) ([]PayoutBatchHead, error) {
	if err := s.adminKey(a, slug); err != nil {
		return nil, fmt.Errorf("list payouts of %s: %w", slug, err)
	}
	return sharedRead(s, "batchheads\x00"+slug, since,
		func() ([]PayoutBatchHead, error) { return s.PayoutBatchHeads(a, slug) }, cloneHeads)
}

func cloneHeads(hs []PayoutBatchHead) []PayoutBatchHead { return append([]PayoutBatchHead(nil), hs...) }
