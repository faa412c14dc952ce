package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The partner → batch index (bPartnerBatch, partnerID|batchID) holds, for
// each batch that pays a partner, the partner's own row of it: the item
// as the partner's payout history shows it (amount, currency, method,
// status, payout email, error) and the batch's program and date. A
// partner's Payouts tab and `payout history` read these rows alone, never
// the batches: a batch holds an item per partner paid, each with the id of
// every commission it pays.
//
//   - putBatchTx writes the rows of a batch's items whenever it stores the
//     batch (created, an item's or the batch's status changed), in the same
//     transaction, rewriting only the rows that changed.
//   - A database written before the rows (index entries without a value)
//     is filled when opened (fillPartnerBatchRows): a few batches per
//     transaction, with the next batch to fill in meta, so an interrupted
//     fill goes on at the next open. An entry still without its row is read
//     through its batch (partnerPayoutsTx) meanwhile.
//   - `affogato check` verifies every row against its batch
//     (checkPartnerBatchRowsTx).

// partnerBatchesIndexed marks in meta that every batch is in the
// partner → batch index (databases written before it existed are indexed
// once, when opened).
var partnerBatchesIndexed = []byte("partner_batches_indexed")

// metaPartnerBatchRows is the rows' fill state: absent before it started,
// partnerBatchRowsDone once done, else the id of the next batch to fill.
var metaPartnerBatchRows = []byte("partner_batch_rows")

var partnerBatchRowsDone = []byte("done")

// partnerBatchRowsBatch is about how many rows one fill transaction
// writes (whole batches).
const partnerBatchRowsBatch = 50_000

// partnerBatchRow is a partner's row of a batch in the index.
type partnerBatchRow struct {
	Program string     `json:"program"`
	Date    time.Time  `json:"date"` // paid, else created
	Item    PayoutItem `json:"item"` // without its commission and clawback ids
}

// batchDate is the date a partner's payout history shows for batch b: when
// it was paid, else when it was created.
func batchDate(b *PayoutBatch) time.Time {
	if !b.PaidAt.IsZero() {
		return b.PaidAt
	}
	return b.CreatedAt
}

// partnerPayoutOf is item it of batch b as its partner's payout history
// shows it: without the ids of the commissions and clawbacks it pays.
func partnerPayoutOf(b *PayoutBatch, it PayoutItem) PartnerPayout {
	it.Commissions, it.Clawbacks = nil, nil
	return PartnerPayout{BatchID: b.ID, Program: b.Program, Item: it, Date: batchDate(b)}
}

func encodePartnerBatchRow(p PartnerPayout) ([]byte, error) {
	v, err := json.Marshal(partnerBatchRow{Program: p.Program, Date: p.Date, Item: p.Item})
	if err != nil {
		return nil, fmt.Errorf("payout row of partner %d in batch %d: %w", p.Item.PartnerID, p.BatchID, err)
	}
	return v, nil
}

// decodePartnerBatchRow reads the row stored under an index key k.
func decodePartnerBatchRow(k, v []byte) (PartnerPayout, error) {
	var r partnerBatchRow
	if err := getBytes(v, &r); err != nil {
		return PartnerPayout{}, fmt.Errorf("payout row %x: %w", k, err)
	}
	return PartnerPayout{BatchID: btou(k[8:16]), Program: r.Program, Item: r.Item, Date: r.Date}, nil
}

// putPartnerBatchRowsTx writes the index rows of batch b's items, those
// that differ from the stored ones.
func putPartnerBatchRowsTx(tx *bolt.Tx, b *PayoutBatch) error {
	idx := tx.Bucket(bPartnerBatch)
	for _, it := range b.Items {
		v, err := encodePartnerBatchRow(partnerPayoutOf(b, it))
		if err != nil {
			return err
		}
		k := key(it.PartnerID, b.ID)
		if bytes.Equal(idx.Get(k), v) {
			continue
		}
		if err := idx.Put(k, v); err != nil {
			return err
		}
	}
	return nil
}

// indexPartnerBatchesTx fills the partner → batch index from the stored
// batches, once per database.
func indexPartnerBatchesTx(tx *bolt.Tx) error {
	meta := tx.Bucket(bMeta)
	if meta.Get(partnerBatchesIndexed) != nil {
		return nil
	}
	err := tx.Bucket(bBatches).ForEach(func(k, v []byte) error {
		var b PayoutBatch
		if err := getBytes(v, &b); err != nil {
			return err
		}
		return putPartnerBatchRowsTx(tx, &b)
	})
	if err != nil {
		return err
	}
	return meta.Put(partnerBatchesIndexed, []byte{1})
}

// fillPartnerBatchRows writes the rows of every batch, once per database
// written before the rows, about batch rows per transaction; it returns
// how many batches it filled.
func fillPartnerBatchRows(db *bolt.DB, batch int) (int, error) {
	total := 0
	for {
		var n int
		var done bool
		err := db.Update(func(tx *bolt.Tx) error {
			var err error
			n, done, err = fillPartnerBatchRowsTx(tx, batch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("fill the partners' payout rows: %w", err)
		}
		total += n
		if done {
			return total, nil
		}
	}
}

// fillPartnerBatchRowsTx fills whole batches from the one the mark names
// until batch rows are written, and moves the mark.
func fillPartnerBatchRowsTx(tx *bolt.Tx, batch int) (n int, done bool, err error) {
	meta := tx.Bucket(bMeta)
	state := meta.Get(metaPartnerBatchRows)
	if bytes.Equal(state, partnerBatchRowsDone) {
		return 0, true, nil
	}
	from := uint64(0)
	if len(state) == 8 {
		from = btou(state)
	}
	rows := 0
	c := tx.Bucket(bBatches).Cursor()
	for k, v := c.Seek(u64(from)); k != nil; k, v = c.Next() {
		if rows >= batch {
			return n, false, meta.Put(metaPartnerBatchRows, bytes.Clone(k))
		}
		var b PayoutBatch
		if err := getBytes(v, &b); err != nil {
			return 0, false, fmt.Errorf("batch %d: %w", btou(k), err)
		}
		if err := putPartnerBatchRowsTx(tx, &b); err != nil {
			return 0, false, err
		}
		rows += len(b.Items)
		n++
	}
	return n, true, meta.Put(metaPartnerBatchRows, partnerBatchRowsDone)
}

// checkPartnerBatchRowsTx verifies that every item of every batch has its
// row in the partner → batch index, equal to the item as its partner sees
// it, and that the index holds no entry without its item.
func checkPartnerBatchRowsTx(tx *bolt.Tx, bad func(string, ...any)) error {
	idx := tx.Bucket(bPartnerBatch)
	filled := bytes.Equal(tx.Bucket(bMeta).Get(metaPartnerBatchRows), partnerBatchRowsDone)
	items := map[string]bool{}
	err := tx.Bucket(bBatches).ForEach(func(k, v []byte) error {
		var b PayoutBatch
		if err := getBytes(v, &b); err != nil {
			return fmt.Errorf("batch %x: %w", k, err)
		}
		for _, it := range b.Items {
			ik := key(it.PartnerID, b.ID)
			if items[string(ik)] {
				bad("payout batch %d has two items of partner %d", b.ID, it.PartnerID)
			}
			items[string(ik)] = true
			v := idx.Get(ik)
			switch {
			case v == nil:
				bad("payout batch %d: partner %d's item is not in the partner index", b.ID, it.PartnerID)
				continue
			case len(v) == 0:
				if filled {
					bad("payout batch %d: partner %d's index entry has no row", b.ID, it.PartnerID)
				}
				continue
			}
			got, err := decodePartnerBatchRow(ik, v)
			if err != nil {
				bad("payout batch %d: %v", b.ID, err)
				continue
			}
			if want := partnerPayoutOf(&b, it); !samePartnerPayout(got, want) {
				bad("payout batch %d: partner %d's row %+v differs from the item (%+v)", b.ID, it.PartnerID, got, want)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return idx.ForEach(func(k, _ []byte) error {
		if !items[string(k)] {
			bad("partner index entry %x has no item in its batch", k)
		}
		return nil
	})
}

func samePartnerPayout(a, b PartnerPayout) bool {
	x, y := a.Item, b.Item
	return a.BatchID == b.BatchID && a.Program == b.Program && a.Date.Equal(b.Date) &&
		x.ID == y.ID && x.PartnerID == y.PartnerID && x.Name == y.Name && x.Email == y.Email && x.Method == y.Method &&
		x.Currency == y.Currency && x.Target == y.Target && x.Amount.Equal(y.Amount) && len(x.Commissions) == len(y.Commissions) &&
		len(x.Clawbacks) == len(y.Clawbacks) && x.Status == y.Status && x.RemoteID == y.RemoteID && x.Error == y.Error &&
		x.UpdatedAt.Equal(y.UpdatedAt)
}
