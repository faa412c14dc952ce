package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// metaReferred marks a database whose program day counters carry referred
// conversions and revenue (Counters.Referred, ReferredRevenue).
var metaReferred = []byte("referred_counters")

// migrateReferredTx fills the referred counters of a database written
// before they existed, once: every attributed conversion counts on its
// payment's day, every refund of one takes its amount off on the refund's
// day, as the writes do now.
func migrateReferredTx(tx *bolt.Tx) error {
	meta := tx.Bucket(bMeta)
	if meta.Get(metaReferred) != nil {
		return nil
	}
	deltas := map[string]*Counters{}
	attributed := map[uint64]bool{}
	err := tx.Bucket(bConversions).ForEach(func(_, v []byte) error {
		var c Conversion
		if err := getBytes(v, &c); err != nil {
			return err
		}
		if c.Attributed {
			attributed[c.ID] = true
			addDelta(deltas, programDayKey(c.Program, dayKey(c.OccurredAt)), Counters{Referred: 1, ReferredRevenue: c.Amount})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("referred counters: %w", err)
	}
	err = tx.Bucket(bRefunds).ForEach(func(_, v []byte) error {
		var r Refund
		if err := getBytes(v, &r); err != nil {
			return err
		}
		if attributed[r.ConversionID] {
			addDelta(deltas, programDayKey(r.Program, dayKey(r.CreatedAt)), Counters{ReferredRevenue: r.Amount.Neg()})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("referred counters: %w", err)
	}
	if err := applyDeltasTx(tx, deltas); err != nil {
		return fmt.Errorf("referred counters: %w", err)
	}
	return meta.Put(metaReferred, []byte("1"))
}
