package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The merchant's flagged commissions (pending, with fraud flags: they wait
// for a decision) have an index of their own, written with the commission
// record, so the Commissions tab's flagged-first page reads the flagged
// ones only, never the program's history:
//
//	flagged_comm: slug 0 commissionID → nil

// bFlaggedComm holds the index above.
var bFlaggedComm = []byte("flagged_comm")

// metaFlaggedIndex marks a database whose bFlaggedComm is complete.
var metaFlaggedIndex = []byte("flagged_comm_index")

// flaggedNow says whether c waits in the flagged index.
func (c *Commission) flaggedNow() bool { return c.Status == CommissionPending && len(c.Flags) > 0 }

// putCommissionTx stores c and keeps the flagged and maturing indexes in
// step with it.
func putCommissionTx(tx *bolt.Tx, c *Commission) error {
	if err := put(tx.Bucket(bCommissions), u64(c.ID), c); err != nil {
		return err
	}
	if err := syncMaturingTx(tx, c); err != nil { // maturing.go
		return err
	}
	k := key(c.Program, c.ID)
	if c.flaggedNow() {
		return tx.Bucket(bFlaggedComm).Put(k, nil)
	}
	return tx.Bucket(bFlaggedComm).Delete(k)
}

// flaggedFromCommissionsTx lists the index keys the commissions call for.
func flaggedFromCommissionsTx(tx *bolt.Tx) (map[string]bool, error) {
	want := map[string]bool{}
	err := tx.Bucket(bCommissions).ForEach(func(_, v []byte) error {
		// Only pending ones can be flagged: skip decoding the others (a
		// quote inside a JSON string is escaped, so this never misses one).
		if !bytes.Contains(v, []byte(`"status":"pending"`)) {
			return nil
		}
		var c Commission
		if err := getBytes(v, &c); err != nil {
			return err
		}
		if c.flaggedNow() {
			want[string(key(c.Program, c.ID))] = true
		}
		return nil
	})
	return want, err
}

// buildFlaggedIndexTx fills bFlaggedComm once, for a database written
// before it existed.
func buildFlaggedIndexTx(tx *bolt.Tx) error {
	meta := tx.Bucket(bMeta)
	if meta.Get(metaFlaggedIndex) != nil {
		return nil
	}
	want, err := flaggedFromCommissionsTx(tx)
	if err != nil {
		return fmt.Errorf("flagged commission index: %w", err)
	}
	for k := range want {
		if err := tx.Bucket(bFlaggedComm).Put([]byte(k), nil); err != nil {
			return fmt.Errorf("flagged commission index: %w", err)
		}
	}
	return meta.Put(metaFlaggedIndex, []byte("1"))
}

// checkFlaggedIndexTx verifies bFlaggedComm against the commissions.
func checkFlaggedIndexTx(tx *bolt.Tx, bad func(string, ...any)) error {
	want, err := flaggedFromCommissionsTx(tx)
	if err != nil {
		return fmt.Errorf("flagged commission index: %w", err)
	}
	err = tx.Bucket(bFlaggedComm).ForEach(func(k, _ []byte) error {
		if !want[string(k)] {
			bad("flagged commission index holds %q, which is not a flagged pending commission", k)
		}
		delete(want, string(k))
		return nil
	})
	if err != nil {
		return err
	}
	for k := range want {
		bad("flagged commission index lacks %q", k)
	}
	return nil
}
