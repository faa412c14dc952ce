package store

import (
	"context"
	"slices"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestOwedIndexPages pages through who is owed what before and after a
// payout batch (which leaves most partners owed nothing), with a partner
// never converted and one with a held commission, and compares with every
// partner's balance; then rebuilds the index as an older database would.
func TestOwedIndexPages(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0), MinPayout: "10.00"})
	var ps []*Partner
	for i := range 9 {
		p, pa := e.partner("acme")
		ps = append(ps, p)
		if i%3 != 2 {
			if _, err := e.st.SetProfile(pa, "paypal", p.Email, ""); err != nil {
				t.Fatal(err)
			}
		}
		if i%4 != 3 {
			e.convert("acme", ConversionInput{OrderID: "o" + itoa(i), CustomerID: "c" + itoa(i), Amount: "100.00", Ref: p.Code})
		}
	}
	ctx := context.Background()
	want := func() []uint64 {
		var ids []uint64
		for _, p := range ps {
			b := e.balance(Actor{UserID: p.UserID}, "acme")
			if !b.Approved.Sub(b.Clawback).IsZero() {
				ids = append(ids, p.ID)
			}
		}
		slices.Reverse(ids)
		return ids
	}
	pages := func(label string) {
		t.Helper()
		var got []uint64
		q := PageQuery{Limit: 2}
		for {
			pg, err := e.st.OwedPage(ctx, e.admin, "acme", q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range pg.Rows {
				got = append(got, r.PartnerID)
			}
			if pg.Next == 0 {
				break
			}
			q.Cursor = pg.Next
		}
		if w := want(); !slices.Equal(got, w) {
			t.Errorf("%s: owed %v, want %v", label, got, w)
		}
	}
	pages("before the batch")
	if _, _, err := e.st.CreatePayoutBatch(e.admin, "acme"); err != nil {
		t.Fatal(err)
	}
	pages("after the batch")
	e.check()
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bOwedPartners); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Delete(metaOwedIndex)
	}); err != nil {
		t.Fatal(err)
	}
	e.restart()
	pages("rebuilt")
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bOwedPartners).Delete(key("acme", ps[2].ID))
	}); err != nil {
		t.Fatal(err)
	}
	if vs, err := e.st.Check(); err != nil || len(vs) != 1 {
		t.Fatalf("check after a missing entry: %v %v", vs, err)
	}
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bOwedPartners).Put(key("acme", ps[2].ID), nil)
	}); err != nil {
		t.Fatal(err)
	}
}
