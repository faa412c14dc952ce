package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

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

// wantPartnerPayouts is the old read of a partner's payout history (the
// oracle): every batch of the partner's index entries decoded, its items
// of the partner taken, newest batch first.
func wantPartnerPayouts(tx *bolt.Tx, partnerID uint64) ([]PartnerPayout, error) {
	var want []PartnerPayout
	var err error
	scanPrefix(tx.Bucket(bPartnerBatch), u64(partnerID), true, func(k, _ []byte) bool {
		var b PayoutBatch
		if err = get(tx.Bucket(bBatches), k[8:16], &b); err != nil {
			return false
		}
		for _, it := range b.Items {
			if it.PartnerID == partnerID {
				date := b.CreatedAt
				if !b.PaidAt.IsZero() {
					date = b.PaidAt
				}
				it.Commissions, it.Clawbacks = nil, nil
				want = append(want, PartnerPayout{BatchID: b.ID, Program: b.Program, Item: it, Date: date})
			}
		}
		return true
	})
	return want, err
}

// emptyPartnerBatchRows counts the index entries without their row.
func emptyPartnerBatchRows(t *testing.T, st *Store) int {
	t.Helper()
	n := 0
	if err := st.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bPartnerBatch).ForEach(func(_, v []byte) error {
			if len(v) == 0 {
				n++
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPartnerPayoutRowsMatchBatches compares each partner's payout history,
// read from the index rows, with the old read of every batch, over random
// batches whose items and batch states change at random (sent, paid,
// failed with errors and provider ids, exported, marked paid), with
// refunds between them (clawbacks netted in later batches), and with some
// rows emptied (read through their batch). It fails when putBatchTx stops
// writing the rows or writes them only when a batch is created.
func TestPartnerPayoutRowsMatchBatches(t *testing.T) {
	e := newEnv(t)
	rng := rand.New(rand.NewPCG(5, 17))
	e.program("pb", ProgramInput{MinPayout: "1.00", HoldDays: intp(0), Commission: "20%"})
	type member struct {
		p *Partner
		a Actor
	}
	var ms []member
	for i := range 5 {
		p, a := e.partner("pb")
		if i != 4 { // one partner without a payout method: never paid
			if _, err := e.st.SetProfile(a, "paypal", fmt.Sprintf("pay%d@partners.test", i), ""); err != nil {
				t.Fatal(err)
			}
		}
		ms = append(ms, member{p, a})
	}
	compare := func(label string, wantEmpty int) {
		t.Helper()
		if n := emptyPartnerBatchRows(t, e.st); n != wantEmpty {
			t.Fatalf("%s: %d index entries without their row, want %d", label, n, wantEmpty)
		}
		for _, m := range ms {
			got, err := e.st.PartnerPayouts(m.a, "pb")
			if err != nil {
				t.Fatal(err)
			}
			var want []PartnerPayout
			if err := e.st.db.View(func(tx *bolt.Tx) error { want, err = wantPartnerPayouts(tx, m.p.ID); return err }); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Fatalf("%s: payouts of partner %d:\n got %+v\nwant %+v", label, m.p.ID, got, want)
			}
		}
	}
	orders := 0
	refunded := map[int]bool{}
	var open []*PayoutBatch
	for round := range 30 {
		for range 1 + rng.IntN(6) {
			m := ms[rng.IntN(len(ms))]
			orders++
			id := fmt.Sprintf("o%d", orders)
			e.convert("pb", ConversionInput{OrderID: id, CustomerID: "c" + id, Amount: fmt.Sprintf("%d.00", 10+rng.IntN(90)), Ref: m.p.Code})
			if rng.IntN(4) == 0 && orders > 1 {
				o := 1 + rng.IntN(orders-1)
				if !refunded[o] {
					refunded[o] = true
					e.refund("pb", fmt.Sprintf("r%d", orders), fmt.Sprintf("o%d", o), "")
				}
			}
		}
		e.clk.Add(time.Hour)
		if rng.IntN(3) == 0 {
			b, _, err := e.st.CreatePayoutBatch(e.admin, "pb")
			if err != nil {
				t.Fatal(err)
			}
			if b != nil {
				open = append(open, b)
			}
		}
		for _, b := range open {
			e.clk.Add(time.Minute)
			var err error
			switch rng.IntN(6) {
			case 0:
				_, err = e.st.SetBatchStatus(e.admin, b.ID, []string{BatchExported, BatchSending, BatchSent}[rng.IntN(3)], fmt.Sprintf("remote-%d", round), "")
			case 1:
				it := b.Items[rng.IntN(len(b.Items))]
				status := []string{ItemSent, ItemPaid, ItemFailed}[rng.IntN(3)]
				_, err = e.st.SetItemStatus(e.admin, b.ID, it.ID, status, fmt.Sprintf("tx-%d", round), map[bool]string{true: "account closed"}[status == ItemFailed])
			case 2:
				_, err = e.st.MarkBatchPaid(e.admin, b.ID)
			case 3:
				_, err = e.st.SetBatchProvider(e.admin, b.ID, "paypal")
			}
			if err != nil && !errors.Is(err, ErrConflict) {
				t.Fatal(err)
			}
		}
		compare(fmt.Sprintf("round %d", round), 0)
	}
	if len(open) < 3 {
		t.Fatalf("%d batches: too few to test", len(open))
	}
	// Rows emptied (as before they existed) are read through their batch.
	emptied := 0
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		idx := tx.Bucket(bPartnerBatch)
		var ks [][]byte
		idx.ForEach(func(k, _ []byte) error {
			if rng.IntN(2) == 0 {
				ks = append(ks, bytes.Clone(k))
			}
			return nil
		})
		for _, k := range ks {
			if err := idx.Put(k, nil); err != nil {
				return err
			}
		}
		emptied = len(ks)
		return tx.Bucket(bMeta).Delete(metaPartnerBatchRows)
	}); err != nil {
		t.Fatal(err)
	}
	compare("some rows emptied", emptied)
	e.check()
	e.restart() // fills them again
	compare("reopened", 0)
}

// TestPartnerBatchRowsFill fills the rows of a database written before
// them (index entries without values), interrupted after its first
// transaction, and checks the exact history before, during and after.
func TestPartnerBatchRowsFill(t *testing.T) {
	e := newEnv(t)
	e.program("pb", ProgramInput{MinPayout: "1.00", HoldDays: intp(0), Commission: "20%"})
	p1, a1 := e.partner("pb")
	p2, a2 := e.partner("pb")
	for _, a := range []Actor{a1, a2} {
		if _, err := e.st.SetProfile(a, "paypal", "pay@partners.test", ""); err != nil {
			t.Fatal(err)
		}
	}
	// Batch 1: 20.00 and 10.00; batch 2: 6.00 to partner 1 only, paid.
	e.convert("pb", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p1.Code})
	e.convert("pb", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "50.00", Ref: p2.Code})
	if b, _, err := e.st.CreatePayoutBatch(e.admin, "pb"); err != nil || b == nil || len(b.Items) != 2 {
		t.Fatalf("batch 1 = %+v, %v", b, err)
	}
	e.clk.Add(24 * time.Hour)
	e.convert("pb", ConversionInput{OrderID: "o3", CustomerID: "c3", Amount: "30.00", Ref: p1.Code})
	b2, _, err := e.st.CreatePayoutBatch(e.admin, "pb")
	if err != nil || b2 == nil || len(b2.Items) != 1 {
		t.Fatalf("batch 2 = %+v, %v", b2, err)
	}
	e.clk.Add(time.Hour)
	if _, err := e.st.MarkBatchPaid(e.admin, b2.ID); err != nil {
		t.Fatal(err)
	}
	history := func(label string) {
		t.Helper()
		for _, c := range []struct {
			a    Actor
			want string
		}{{a1, "2 6.00 paid 2026-03-11T13:00:00Z; 1 20.00 pending 2026-03-10T12:00:00Z"}, {a2, "1 10.00 pending 2026-03-10T12:00:00Z"}} {
			ps, err := e.st.PartnerPayouts(c.a, "pb")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, fmt.Sprintf("%d %s %s %s", p.BatchID, p.Item.Amount.StringFixed(2), p.Item.Status, p.Date.Format(time.RFC3339)))
			}
			if strings.Join(got, "; ") != c.want {
				t.Fatalf("%s: history %q, want %q", label, strings.Join(got, "; "), c.want)
			}
		}
	}
	history("written")
	// As a build before the rows left it.
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		for _, k := range [][]byte{key(p1.ID, uint64(1)), key(p2.ID, uint64(1)), key(p1.ID, b2.ID)} {
			if err := tx.Bucket(bPartnerBatch).Put(k, nil); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Delete(metaPartnerBatchRows)
	}); err != nil {
		t.Fatal(err)
	}
	history("no rows")
	// One transaction: batch 1's two rows, then stop.
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		n, done, err := fillPartnerBatchRowsTx(tx, 1)
		if err == nil && (n != 1 || done) {
			err = fmt.Errorf("a step filled %d batches (done %v), want 1 and more to do", n, done)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := emptyPartnerBatchRows(t, e.st); n != 1 {
		t.Fatalf("after one step %d entries without a row, want 1", n)
	}
	history("interrupted")
	e.check()
	e.restart()
	if n := emptyPartnerBatchRows(t, e.st); n != 0 {
		t.Fatalf("after the open %d entries without a row", n)
	}
	history("filled")
	// check sees a row that differs from its item.
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		v, err := encodePartnerBatchRow(PartnerPayout{BatchID: 1, Program: "pb", Item: PayoutItem{ID: 1, PartnerID: p1.ID, Amount: dec("21")}})
		if err != nil {
			return err
		}
		return tx.Bucket(bPartnerBatch).Put(key(p1.ID, uint64(1)), v)
	}); err != nil {
		t.Fatal(err)
	}
	vs, err := e.st.Check()
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 {
		t.Fatalf("check of a wrong row: %v", vs)
	}
	if _, err := fillPartnerBatchRows(e.st.db, 1); err != nil { // done: changes nothing
		t.Fatal(err)
	}
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		var b PayoutBatch
		if err := get(tx.Bucket(bBatches), u64(1), &b); err != nil {
			return err
		}
		return putBatchTx(tx, &b)
	}); err != nil {
		t.Fatal(err)
	}
	history("mended")
}
