package store

import (
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestPartnerPayoutsIndex(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{MinPayout: "1.00", HoldDays: intp(0)})
	p1, a1 := e.partner("acme")
	p2, a2 := e.partner("acme")
	for _, a := range []Actor{a1, a2} {
		if _, err := e.st.SetProfile(a, "paypal", "pay@partners.test", ""); err != nil {
			t.Fatal(err)
		}
	}
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p1.Code})
	e.convert("acme", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "50.00", Ref: p2.Code})
	b, _, err := e.st.CreatePayoutBatch(e.admin, "acme")
	if err != nil || len(b.Items) != 2 {
		t.Fatalf("batch = %+v, %v", b, err)
	}
	check := func() {
		t.Helper()
		for _, c := range []struct {
			a    Actor
			p    *Partner
			want string
		}{{a1, p1, "20"}, {a2, p2, "10"}} {
			got, err := e.st.PartnerPayouts(c.a, "acme")
			if err != nil || len(got) != 1 || got[0].Item.PartnerID != c.p.ID || !got[0].Item.Amount.Equal(dec(c.want)) {
				t.Errorf("payouts of partner %d = %+v, %v", c.p.ID, got, err)
			}
		}
	}
	check()
	// A database from before the index: opening it builds the index.
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bPartnerBatch); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(bPartnerBatch); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Delete(partnerBatchesIndexed)
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.st.PartnerPayouts(a1, "acme"); len(got) != 0 {
		t.Fatalf("the emptied index still finds %+v", got)
	}
	e.restart()
	check()
}
