package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestFlaggedIndexPages pages through the flagged commissions as the
// Commissions tab does, after approvals, rejections and refunds of flagged
// ones, in two programs, and compares with the commissions themselves; then
// rebuilds the index as an older database would at open.
func TestFlaggedIndexPages(t *testing.T) {
	e := newEnv(t)
	slugs := []string{"acme", "beta"}
	for _, slug := range slugs {
		e.program(slug, ProgramInput{HoldDays: intp(1)})
	}
	order := 0
	for _, slug := range slugs {
		p, _ := e.partner(slug)
		for i := range 14 {
			c := e.click(p, fmt.Sprintf("192.0.2.%d", i+1))
			e.clk.Add(2 * time.Hour)
			in := ConversionInput{OrderID: fmt.Sprint(order), CustomerID: fmt.Sprint("c", order), Amount: "10.00", ClickID: fmt.Sprint(c.ID)}
			if i%3 != 0 {
				in.CustomerEmail = p.Email // self-referral: flagged
			}
			order++
			r := e.convert(slug, in)
			switch {
			case len(r.Commission.Flags) == 0:
			case i%7 == 1:
				if _, err := e.st.ApproveCommissionWith(e.admin, slug, r.Commission.ID, true); err != nil {
					t.Fatal(err)
				}
			case i%7 == 2:
				if _, err := e.st.RejectCommission(e.admin, slug, r.Commission.ID, "fraud"); err != nil {
					t.Fatal(err)
				}
			case i%7 == 4:
				e.refund(slug, fmt.Sprint("r", order), in.OrderID, "10.00")
			}
		}
	}
	e.clk.Add(72 * time.Hour)
	compare := func(label string) {
		t.Helper()
		for _, slug := range slugs {
			var want []uint64
			all, err := e.st.ListCommissions(e.admin, slug, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range all {
				if c.Status == CommissionPending && len(c.Flags) > 0 {
					want = append(want, c.ID)
				}
			}
			slices.Sort(want)
			slices.Reverse(want)
			if len(want) < 4 {
				t.Fatalf("%s: only %d flagged commissions in %s", label, len(want), slug)
			}
			var got []uint64
			q := PageQuery{Status: FilterFlagged, Limit: 3}
			for {
				page, err := e.st.CommissionPage(context.Background(), e.admin, slug, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page.Rows {
					got = append(got, r.ID)
				}
				if page.Next == 0 {
					break
				}
				q.Cursor = page.Next
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: %s flagged pages %v, want %v", label, slug, got, want)
			}
		}
	}
	compare("live")
	e.check()
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bFlaggedComm); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Delete(metaFlaggedIndex)
	}); err != nil {
		t.Fatal(err)
	}
	e.restart()
	compare("rebuilt")
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bFlaggedComm).Put(key("acme", uint64(1<<40)), nil)
	}); err != nil {
		t.Fatal(err)
	}
	if vs, err := e.st.Check(); err != nil || len(vs) != 1 {
		t.Fatalf("check after a stray index key: %v %v", vs, err)
	}
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bFlaggedComm).Delete(key("acme", uint64(1<<40)))
	}); err != nil {
		t.Fatal(err)
	}
}
