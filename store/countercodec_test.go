package store

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// longCounters is Counters as records were written before the short form:
// every field, zeros included.
type longCounters struct {
	Clicks          int64           `json:"clicks"`
	UniqueClicks    int64           `json:"unique_clicks"`
	Conversions     int64           `json:"conversions"`
	Revenue         decimal.Decimal `json:"revenue"`
	Commission      decimal.Decimal `json:"commission"`
	Referred        int64           `json:"referred,omitempty"`
	ReferredRevenue decimal.Decimal `json:"referred_revenue"`
	Status          Balance         `json:"status"`
	FirstClickAt    time.Time       `json:"first_click,omitzero"`
	LastClickAt     time.Time       `json:"last_click,omitzero"`
}

// dailyBytes is the size of every day counters record.
func dailyBytes(t *testing.T, db *bolt.DB) (n int) {
	t.Helper()
	if err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bDaily).ForEach(func(_, v []byte) error { n += len(v); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDayCountersShortFormMigration writes a program's day counters as
// older builds did (every field), then compacts: every figure a user sees
// (stats of the program and of a partner, the campaign breakdown, links'
// clicks and conversions) is the same after, the records are in the short
// form and take less room, the checker finds nothing, and clicks, a
// conversion and a refund on the migrated records count as before.
func TestDayCountersShortFormMigration(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0)})
	p1, a1 := e.partner("acme")
	p2, _ := e.partner("acme")
	for i := range 5 {
		e.click(p1, "192.0.2.1")
		e.click(p2, "192.0.2.2")
		if i == 2 {
			e.clk.Add(24 * time.Hour)
		}
	}
	e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00", Ref: p1.Code})
	e.convert("acme", ConversionInput{OrderID: "o2", CustomerID: "c2", Amount: "40.00"})
	e.refund("acme", "r1", "o1", "25.00")
	figures := func() string {
		t.Helper()
		var out bytes.Buffer
		for _, a := range []Actor{e.admin, a1} {
			st, err := e.st.Stats(a, "acme", 30)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(st)
			out.Write(b)
		}
		ls, _, err := e.st.LinkStatsPage(a1, "acme", NamePage{})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(ls)
		out.Write(b)
		return out.String()
	}
	// every record as older builds wrote it
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDaily)
		type kv struct{ k, v []byte }
		var all []kv
		if err := b.ForEach(func(k, v []byte) error {
			var c Counters
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			long, err := json.Marshal(longCounters(c))
			if err != nil {
				return err
			}
			all = append(all, kv{bytes.Clone(k), long})
			return nil
		}); err != nil {
			return err
		}
		if len(all) < 6 {
			t.Fatalf("only %d day counters records", len(all))
		}
		for _, r := range all {
			if err := b.Put(r.k, r.v); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	before, longBytes := figures(), dailyBytes(t, e.st.db)
	e.check()
	e.st.Close()
	src := filepath.Join(e.dir, DBFile)
	dst := filepath.Join(t.TempDir(), "compact.db")
	res, err := Compact(src, dst, nil)
	if err != nil || len(res.Violations) != 0 {
		t.Fatalf("compact: %+v %v", res, err)
	}
	if err := os.Rename(dst, src); err != nil {
		t.Fatal(err)
	}
	e.open()
	if after := figures(); after != before {
		t.Fatalf("figures changed by the migration:\nbefore %s\nafter  %s", before, after)
	}
	shortBytes := dailyBytes(t, e.st.db)
	if shortBytes >= longBytes*2/3 {
		t.Fatalf("day counters take %d bytes after the migration, %d before", shortBytes, longBytes)
	}
	if err := e.st.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bDaily).ForEach(func(k, v []byte) error {
			if bytes.Contains(v, []byte(`"status":{"pending":"0","approved":"0","in_payout":"0","paid":"0","clawback":"0"}`)) ||
				bytes.Contains(v, []byte(`"conversions":0`)) {
				t.Errorf("record %q is not in the short form: %s", k, v)
			}
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	e.check()
	// the short records take new clicks and money like the long ones
	was, err := e.st.Stats(a1, "acme", 30)
	if err != nil {
		t.Fatal(err)
	}
	e.click(p1, "192.0.2.3")
	clicked, err := e.st.Stats(a1, "acme", 30)
	if err != nil || clicked.Clicks != was.Clicks+1 {
		t.Fatalf("partner stats after a click: %d clicks, before %d (%v)", clicked.Clicks, was.Clicks, err)
	}
	e.convert("acme", ConversionInput{OrderID: "o3", CustomerID: "c3", Amount: "10.00", Ref: p1.Code})
	st, err := e.st.Stats(a1, "acme", 30)
	if err != nil || st.Conversions != was.Conversions+1 || !st.Revenue.Equal(was.Revenue.Add(decimal.RequireFromString("10"))) {
		t.Fatalf("partner stats after a conversion: %d conversions, revenue %s; before %d, %s (%v)",
			st.Conversions, st.Revenue, was.Conversions, was.Revenue, err)
	}
}
