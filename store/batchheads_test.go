package store

import (
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestBatchHeadsFollowBatches: the heads the Payouts tab lists equal the
// batches' own (created, then paid), affogato check verifies them, and a
// database without heads gets them on open.
func TestBatchHeadsFollowBatches(t *testing.T) {
	e := newEnv(t)
	_, pa := e.payable()
	b, _, err := e.st.CreatePayoutBatch(e.admin, "acme")
	if err != nil || b == nil {
		t.Fatalf("batch %+v %v", b, err)
	}
	same := func(when string) {
		t.Helper()
		list, err := e.st.ListPayoutBatches(e.admin, "acme")
		if err != nil {
			t.Fatal(err)
		}
		heads, err := e.st.PayoutBatchHeads(e.admin, "acme")
		if err != nil {
			t.Fatal(err)
		}
		if len(heads) != len(list) {
			t.Fatalf("%s: %d heads for %d batches", when, len(heads), len(list))
		}
		for i := range list {
			if !sameHead(heads[i], list[i].Head()) {
				t.Fatalf("%s: head %+v, batch %+v", when, heads[i], list[i].Head())
			}
		}
		e.check()
	}
	same("created")
	if heads, _ := e.st.PayoutBatchHeads(e.admin, "acme"); heads[0].Items != 1 || heads[0].Status != BatchCreated {
		t.Fatalf("head %+v", heads[0])
	}
	if _, err := e.st.MarkBatchPaid(e.admin, b.ID); err != nil {
		t.Fatal(err)
	}
	same("paid")
	if heads, _ := e.st.PayoutBatchHeads(e.admin, "acme"); heads[0].Status != BatchPaid {
		t.Fatalf("head after paid %+v", heads[0])
	}
	// Only the program's admins list them.
	if _, err := e.st.PayoutBatchHeads(pa, "acme"); err == nil {
		t.Fatal("a partner listed the batches")
	}
	// A head that disagrees is reported by the check.
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		h := b.Head()
		h.Items = 7
		return put(tx.Bucket(bBatchHeads), u64(b.ID), h)
	}); err != nil {
		t.Fatal(err)
	}
	if vs, err := e.st.Check(); err != nil || len(vs) == 0 {
		t.Fatalf("check of a wrong head: %v %v", vs, err)
	}
	// A database from before heads: they are built on open.
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bBatchHeads); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Delete(metaBatchHeads)
	}); err != nil {
		t.Fatal(err)
	}
	e.restart()
	same("rebuilt on open")
}
