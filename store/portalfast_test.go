package store

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestDecodeCountsMatchesJSON compares the counts read straight from a day
// record's bytes with the JSON decoding, on the short form, the full form
// older builds wrote, and records the fast path must leave to JSON.
func TestDecodeCountsMatchesJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var recs [][]byte
	for range 2000 {
		c := Counters{Clicks: rng.Int64N(3), UniqueClicks: rng.Int64N(2), Conversions: rng.Int64N(3) - rng.Int64N(2)}
		if rng.IntN(2) == 0 {
			c.Revenue = dec(strconv.Itoa(rng.IntN(200)-50) + ".25")
		}
		if rng.IntN(3) == 0 {
			c.Referred = rng.Int64N(3)
		}
		if rng.IntN(4) == 0 {
			c.FirstClickAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		}
		v, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, v)
	}
	recs = append(recs,
		[]byte(`{"clicks":4,"unique_clicks":3,"conversions":2,"revenue":"10","commission":"2","referred":2,"referred_revenue":"10","status":{"pending":"2","approved":"0","in_payout":"0","paid":"0","clawback":"0"}}`),
		[]byte(`{"clicks":4,"unique_clicks":3,"conversions":0,"revenue":"0"}`),
		[]byte(`{"unique_clicks":3,"clicks":4,"conversions":7}`),
		[]byte(`{"clicks":4,"unique_clicks":3,"conversions":-1}`),
		[]byte(`{"clicks":4,"unique_clicks":3}`),
		[]byte(`{"clicks":4 ,"unique_clicks":3,"conversions":5}`),
		[]byte(`{"clicks":4,"unique_clicks":3,"conversions":5`),
	)
	fast := 0
	for _, v := range recs {
		var want Counters
		wantErr := json.Unmarshal(v, &want)
		c, n, err := decodeCounts(v)
		if (err != nil) != (wantErr != nil) || (err == nil && (c != want.Clicks || n != want.Conversions)) {
			t.Fatalf("%s: got %d, %d, %v; JSON gives %d, %d, %v", v, c, n, err, want.Clicks, want.Conversions, wantErr)
		}
		if _, _, ok := fastCounts(v); ok {
			fast++
		}
	}
	if fast < len(recs)/2 {
		t.Fatalf("the fast path read %d of %d records", fast, len(recs))
	}
}

// TestPortalLinksAndPayoutsMatchOldReads compares the portal's link counts
// with linkTotalsTx and its payout history, read from the partner → batch
// index rows, with each batch decoded on its own, over random clicks (some with a
// campaign), conversions, refunds and batches, before and after batches
// change (paid) and after a reopen.
func TestPortalLinksAndPayoutsMatchOldReads(t *testing.T) {
	e := newEnv(t)
	rng := rand.New(rand.NewPCG(8, 4))
	e.program("pf", ProgramInput{MinPayout: "1.00", HoldDays: intp(0), Commission: "20%"})
	ms := linkedPartners(t, e, "pf", 4)
	compare := func(label string) {
		t.Helper()
		for _, m := range ms {
			page, err := e.st.PartnerLinks(m.a, "pf", "", 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Links) != len(m.codes) {
				t.Fatalf("%s: %d links, want %d", label, len(page.Links), len(m.codes))
			}
			got, err := e.st.PartnerPayouts(m.a, "pf")
			if err != nil {
				t.Fatal(err)
			}
			var want []PartnerPayout
			if err := e.st.db.View(func(tx *bolt.Tx) error {
				for _, l := range page.Links {
					tot, err := linkTotalsTx(tx, l.Code)
					if err != nil {
						return err
					}
					if l.Clicks != tot.Clicks || l.Conversions != tot.Conversions {
						return fmt.Errorf("link %s: %d clicks, %d conversions; its totals %d, %d", l.Code, l.Clicks, l.Conversions, tot.Clicks, tot.Conversions)
					}
				}
				scanPrefix(tx.Bucket(bPartnerBatch), u64(m.p.ID), true, func(k, _ []byte) bool {
					var b PayoutBatch
					if err = get(tx.Bucket(bBatches), k[8:16], &b); err != nil {
						return false
					}
					for _, it := range b.Items {
						if it.PartnerID == m.p.ID {
							date := b.CreatedAt
							if !b.PaidAt.IsZero() {
								date = b.PaidAt
							}
							it.Commissions, it.Clawbacks = nil, nil // a partner's history leaves them out
							want = append(want, PartnerPayout{BatchID: b.ID, Program: b.Program, Item: it, Date: date})
						}
					}
					return true
				})
				return err
			}); err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Fatalf("%s: payouts of partner %d:\n got %+v\nwant %+v", label, m.p.ID, got, want)
			}
		}
	}
	var batches []uint64
	orders := 0
	for day := range 40 {
		for range rng.IntN(6) {
			m := ms[rng.IntN(len(ms))]
			code := m.codes[rng.IntN(len(m.codes))]
			c, err := e.st.RecordClick(t.Context(), ClickInput{Program: "pf", PartnerID: m.p.ID, Code: code, IP: mustAddr(fmt.Sprintf("192.0.2.%d", 1+rng.IntN(200)))})
			if err != nil {
				t.Fatal(err)
			}
			if rng.IntN(2) == 0 {
				e.clk.Add(time.Minute)
				orders++
				id := "o" + strconv.Itoa(orders)
				e.convert("pf", ConversionInput{OrderID: id, CustomerID: "c" + id, Amount: "40.00", ClickID: strconv.FormatUint(c.ID, 10)})
				if rng.IntN(5) == 0 {
					e.refund("pf", "r"+id, id, "10.00")
				}
			}
		}
		if day%7 == 6 {
			b, _, err := e.st.CreatePayoutBatch(e.admin, "pf")
			if err != nil {
				t.Fatal(err)
			}
			if b != nil {
				batches = append(batches, b.ID)
			}
		}
		if day%5 == 0 {
			compare(fmt.Sprintf("day %d", day))
		}
		if len(batches) > 1 && rng.IntN(6) == 0 {
			if _, err := e.st.MarkBatchPaid(e.admin, batches[0]); err != nil {
				t.Fatal(err)
			}
			batches = batches[1:]
			compare(fmt.Sprintf("day %d, a batch paid", day))
		}
		e.clk.Add(20 * time.Hour)
	}
	if len(batches) == 0 {
		t.Fatal("no batch made")
	}
	compare("end")
	e.restart()
	compare("reopened")
}
