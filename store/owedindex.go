package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// The partners who may be owed something have an index per program,
// written by adjustBalanceTx with the balance itself, so the Payouts tab's
// "who is owed what" pages through them instead of every partner (after a
// payout batch most partners are owed nothing):
//
//	owed_partners: slug 0 partnerID → nil    while pending, approved or clawback ≠ 0
//
// Owed is approved + matured pending − clawback, so a partner outside the
// index is owed nothing.

// bOwedPartners holds the index above.
var bOwedPartners = []byte("owed_partners")

// metaOwedIndex marks a database whose bOwedPartners is complete.
var metaOwedIndex = []byte("owed_partners_index")

// mayBeOwed says whether a partner with balance b belongs in the index.
func (b Balance) mayBeOwed() bool {
	return !b.Pending.IsZero() || !b.Approved.IsZero() || !b.Clawback.IsZero()
}

// indexOwedTx keeps partnerID's entry in step with its balance b.
func indexOwedTx(tx *bolt.Tx, slug string, partnerID uint64, b Balance) error {
	k := key(slug, partnerID)
	if b.mayBeOwed() {
		return tx.Bucket(bOwedPartners).Put(k, nil)
	}
	return tx.Bucket(bOwedPartners).Delete(k)
}

// owedFromBalancesTx lists the index keys the partners' balances call for.
func owedFromBalancesTx(tx *bolt.Tx) (map[string]bool, error) {
	want := map[string]bool{}
	err := tx.Bucket(bPartners).ForEach(func(k, v []byte) error {
		var b Balance
		if err := get(tx.Bucket(bBalances), k, &b); err == ErrNotFound {
			return nil
		} else if err != nil {
			return err
		}
		if !b.mayBeOwed() {
			return nil
		}
		var p Partner
		if err := getBytes(v, &p); err != nil {
			return err
		}
		want[string(key(p.Program, p.ID))] = true
		return nil
	})
	return want, err
}

// buildOwedIndexTx fills bOwedPartners once, for a database written before
// it existed.
func buildOwedIndexTx(tx *bolt.Tx) error {
	meta := tx.Bucket(bMeta)
	if meta.Get(metaOwedIndex) != nil {
		return nil
	}
	want, err := owedFromBalancesTx(tx)
	if err != nil {
		return fmt.Errorf("owed partners index: %w", err)
	}
	for k := range want {
		if err := tx.Bucket(bOwedPartners).Put([]byte(k), nil); err != nil {
			return fmt.Errorf("owed partners index: %w", err)
		}
	}
	return meta.Put(metaOwedIndex, []byte("1"))
}

// checkOwedIndexTx verifies bOwedPartners against the balances.
func checkOwedIndexTx(tx *bolt.Tx, bad func(string, ...any)) error {
	want, err := owedFromBalancesTx(tx)
	if err != nil {
		return fmt.Errorf("owed partners index: %w", err)
	}
	err = tx.Bucket(bOwedPartners).ForEach(func(k, _ []byte) error {
		if !want[string(k)] {
			bad("owed partners index holds %q, whose balance owes nothing", k)
		}
		delete(want, string(k))
		return nil
	})
	if err != nil {
		return err
	}
	for k := range want {
		bad("owed partners index lacks %q", k)
	}
	return nil
}
