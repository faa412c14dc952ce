package store

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// oldLinkTotalsTx is the all-time read before link totals: every day
// record of the link, decoded and summed (the oracle of the tests below).
func oldLinkTotalsTx(tx *bolt.Tx, code string) (Counters, error) {
	var sum Counters
	err := linkDaysTx(tx, code, "", "", func(_ string, _, v []byte) (bool, error) {
		var n Counters
		if err := getBytes(v, &n); err != nil {
			return false, err
		}
		sum.Add(Counters{Clicks: n.Clicks, Conversions: n.Conversions, Revenue: n.Revenue, Commission: n.Commission})
		return true, nil
	})
	return sum, err
}

// compareLinkTotals checks every code's all-time reads (linkTotalsTx,
// linkCountsTx, the portal's page) against the oracle.
func compareLinkTotals(t *testing.T, st *Store, label string, codes []string, pages map[Actor][]string) {
	t.Helper()
	err := st.db.View(func(tx *bolt.Tx) error {
		for _, code := range codes {
			want, err := oldLinkTotalsTx(tx, code)
			if err != nil {
				return err
			}
			got, err := linkTotalsTx(tx, code)
			if err != nil {
				return err
			}
			if got.Clicks != want.Clicks || got.Conversions != want.Conversions || !got.Revenue.Equal(want.Revenue) || !got.Commission.Equal(want.Commission) {
				return fmt.Errorf("link %s: totals %d clicks, %d conversions, %s, %s; its days sum to %d, %d, %s, %s",
					code, got.Clicks, got.Conversions, got.Revenue, got.Commission, want.Clicks, want.Conversions, want.Revenue, want.Commission)
			}
			c, n, err := linkCountsTx(tx, code)
			if err != nil {
				return err
			}
			if c != want.Clicks || n != want.Conversions {
				return fmt.Errorf("link %s: counts %d, %d; its days sum to %d, %d", code, c, n, want.Clicks, want.Conversions)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	for a, cs := range pages {
		page, err := st.PartnerLinks(a, "lt", "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Links) != len(cs) {
			t.Fatalf("%s: %d links, want %d", label, len(page.Links), len(cs))
		}
		for _, l := range page.Links {
			var want Counters
			if err := st.db.View(func(tx *bolt.Tx) error { want, err = oldLinkTotalsTx(tx, l.Code); return err }); err != nil {
				t.Fatal(err)
			}
			if l.Clicks != want.Clicks || l.Conversions != want.Conversions {
				t.Fatalf("%s: portal link %s shows %d clicks, %d conversions; its days sum to %d, %d", label, l.Code, l.Clicks, l.Conversions, want.Clicks, want.Conversions)
			}
		}
	}
}

// TestLinkTotalsMatchDaySums compares the links' all-time figures read
// through their totals with the sums of every day record, over 60 random
// days of clicks (some with a campaign), conversions by click and by ref,
// backdated conversions (on days often rolled), partial and full refunds
// of older orders, manual attribution and payouts, with the totals rolled forward at random
// points (also up to today, so that clicks, conversions and refunds land
// on days already rolled), a small batch, reopens and `check`. It fails
// when applyDeltasTx stops adding changes of rolled days to the totals.
func TestLinkTotalsMatchDaySums(t *testing.T) {
	e := newEnv(t)
	rng := rand.New(rand.NewPCG(12, 3))
	e.program("lt", ProgramInput{MinPayout: "1.00", HoldDays: intp(0), Commission: "20%"})
	ms := linkedPartners(t, e, "lt", 4)
	var codes []string
	pages := map[Actor][]string{}
	for _, m := range ms {
		codes = append(codes, m.codes...)
		pages[m.a] = m.codes
	}
	type order struct {
		id       string
		refunded bool
	}
	var orders []order
	rolls, hooked := 0, 0
	for day := range 60 {
		for range rng.IntN(8) {
			m := ms[rng.IntN(len(ms))]
			code := m.codes[rng.IntN(len(m.codes))]
			c, err := e.st.RecordClick(t.Context(), ClickInput{Program: "lt", PartnerID: m.p.ID, Code: code,
				Sub: []string{"", "", "x1", "x2"}[rng.IntN(4)], IP: mustAddr(fmt.Sprintf("192.0.2.%d", 1+rng.IntN(200)))})
			if err != nil {
				t.Fatal(err)
			}
			e.clk.Add(time.Minute)
			id := "o" + strconv.Itoa(len(orders)+1)
			in := ConversionInput{OrderID: id, CustomerID: "c" + id, Amount: strconv.Itoa(10+rng.IntN(90)) + ".50"}
			switch rng.IntN(6) {
			case 0, 1:
				in.ClickID = strconv.FormatUint(c.ID, 10)
			case 2:
				in.Ref = code
			case 3: // backdated: a payment of some days ago, on a day maybe rolled
				in.Ref = code
				in.OccurredAt = e.clk.Now().AddDate(0, 0, -rng.IntN(6)).Format(time.RFC3339)
			case 4: // unattributed, then attributed by hand
				e.convert("lt", in)
				if _, err := e.st.AttributeConversion(e.admin, "lt", id, fmt.Sprint(m.p.ID)); err != nil {
					t.Fatal(err)
				}
				orders = append(orders, order{id: id})
				continue
			default:
				continue
			}
			e.convert("lt", in)
			orders = append(orders, order{id: id})
		}
		// Partial and full refunds of older orders (on today's record: on a
		// rolled day after a roll up to today).
		for range rng.IntN(3) {
			if len(orders) == 0 {
				break
			}
			o := &orders[rng.IntN(len(orders))]
			if o.refunded {
				continue
			}
			amount := ""
			if rng.IntN(2) == 0 {
				amount = "5.00"
			} else {
				o.refunded = true
			}
			e.refund("lt", fmt.Sprintf("r%d-%d", day, rng.IntN(1_000_000)), o.id, amount)
		}
		if day%9 == 8 {
			if _, _, err := e.st.CreatePayoutBatch(e.admin, "lt"); err != nil {
				t.Fatal(err)
			}
		}
		switch rng.IntN(5) {
		case 0: // as the store does: up to the day before yesterday
			e.st.seeAllClicks()
			if _, err := rollLinkTotals(e.st.db, linkTotalsUpTo(e.clk.Now()), linkTotalsBatch); err != nil {
				t.Fatal(err)
			}
			rolls++
		case 1: // up to today, a few records per transaction: what comes next lands on rolled days
			e.st.seeAllClicks()
			if _, err := rollLinkTotals(e.st.db, dayKey(e.clk.Now()), 1+rng.IntN(5)); err != nil {
				t.Fatal(err)
			}
			rolls++
		}
		e.st.seeAllClicks()
		if err := e.st.db.View(func(tx *bolt.Tx) error {
			through := linkTotalsThroughTx(tx)
			if through != "" && through >= dayKey(e.clk.Now()) {
				hooked++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if day%4 == 0 {
			compareLinkTotals(t, e.st, fmt.Sprintf("day %d", day), codes, pages)
		}
		if day%15 == 14 {
			e.check()
			e.restart()
			compareLinkTotals(t, e.st, fmt.Sprintf("day %d, reopened", day), codes, pages)
		}
		e.clk.Add(20 * time.Hour)
	}
	if rolls < 10 || hooked < 5 {
		t.Fatalf("%d rolls, %d days with changes after a roll up to today: too few to test", rolls, hooked)
	}
	compareLinkTotals(t, e.st, "end", codes, pages)
	e.check()
	e.restart()
	compareLinkTotals(t, e.st, "reopened", codes, pages)
	// The totals cover most of the history by now.
	if err := e.st.db.View(func(tx *bolt.Tx) error {
		n := 0
		tx.Bucket(bLinkTotals).ForEach(func(_, _ []byte) error { n++; return nil })
		if n < len(codes)/2 {
			return fmt.Errorf("%d totals for %d links", n, len(codes))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestLinkTotalsBackfill opens a database written before link totals (no
// totals, no mark) with exact figures, interrupts the backfill after two
// transactions of one day each, and checks that the next open finishes it
// with every figure counted once, that `check` passes, and that `check`
// reports a total that disagrees with its days.
func TestLinkTotalsBackfill(t *testing.T) {
	e := newEnv(t)
	e.program("lt", ProgramInput{HoldDays: intp(30), Commission: "20%"})
	p, _ := e.partner("lt")
	// Five days, 3 clicks a day; on days 1 and 3 a sale of 50.00 (commission
	// 10.00) through a click; the first sale refunded 20.00 on day 4 (a
	// refund counts on its own day: -20.00 revenue, -4.00 commission).
	for day := range 5 {
		for i := range 3 {
			c := e.click(p, fmt.Sprintf("192.0.2.%d", 10*day+i+1))
			if i == 0 && (day == 1 || day == 3) {
				e.convert("lt", ConversionInput{OrderID: fmt.Sprintf("o%d", day), CustomerID: fmt.Sprintf("c%d", day), Amount: "50.00", ClickID: strconv.FormatUint(c.ID, 10)})
			}
		}
		if day == 4 {
			e.refund("lt", "r1", "o1", "20.00")
		}
		e.clk.Add(24 * time.Hour)
	}
	e.st.seeAllClicks()
	// As a build before totals left it.
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bLinkTotals); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(bLinkTotals); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Delete(metaLinkTotalsThrough)
	}); err != nil {
		t.Fatal(err)
	}
	want := Counters{Clicks: 15, Conversions: 2, Revenue: dec("80.00"), Commission: dec("16.00")}
	read := func(label string) {
		t.Helper()
		var got Counters
		if err := e.st.db.View(func(tx *bolt.Tx) error {
			var err error
			got, err = linkTotalsTx(tx, p.Code)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got.Clicks != want.Clicks || got.Conversions != want.Conversions || !got.Revenue.Equal(want.Revenue) || !got.Commission.Equal(want.Commission) {
			t.Fatalf("%s: %d clicks, %d conversions, revenue %s, commission %s; want 15, 2, 80.00, 16.00", label, got.Clicks, got.Conversions, got.Revenue, got.Commission)
		}
	}
	read("no totals")
	// Two transactions of one record each: the first two days.
	for range 2 {
		if err := e.st.db.Update(func(tx *bolt.Tx) error {
			n, more, err := rollLinkTotalsTx(tx, linkTotalsUpTo(e.clk.Now()), 1)
			if err == nil && (n != 1 || !more) {
				err = fmt.Errorf("a step rolled %d records (more %v), want one day's one record", n, more)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	var through string
	var partial Counters
	if err := e.st.db.View(func(tx *bolt.Tx) error {
		through = linkTotalsThroughTx(tx)
		return get(tx.Bucket(bLinkTotals), []byte(p.Code), &partial)
	}); err != nil {
		t.Fatal(err)
	}
	if through != "20260311" || partial.Clicks != 6 || partial.Conversions != 1 || !partial.Revenue.Equal(dec("50")) || !partial.Commission.Equal(dec("10")) {
		t.Fatalf("after two days: through %s, total %+v; want through 20260311, 6 clicks, 1 conversion, 50.00, 10.00", through, partial)
	}
	read("interrupted")
	e.check()
	e.restart() // finishes the backfill
	read("reopened")
	if err := e.st.db.View(func(tx *bolt.Tx) error {
		through = linkTotalsThroughTx(tx)
		return get(tx.Bucket(bLinkTotals), []byte(p.Code), &partial)
	}); err != nil {
		t.Fatal(err)
	}
	// Today is 2026-03-15; rolled up to the day before yesterday.
	if through != "20260313" || partial.Clicks != 12 || partial.Conversions != 2 || !partial.Revenue.Equal(dec("100")) || !partial.Commission.Equal(dec("20")) {
		t.Fatalf("after the open: through %s, total %+v; want through 20260313, 12 clicks, 2 conversions, 100.00, 20.00 (the refund counts on day 4)", through, partial)
	}
	// check sees a total that disagrees with its days.
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		partial.Clicks++
		return put(tx.Bucket(bLinkTotals), []byte(p.Code), &partial)
	}); err != nil {
		t.Fatal(err)
	}
	vs, err := e.st.Check()
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 {
		t.Fatalf("check of a wrong total: %v", vs)
	}
	partial.Clicks--
	if err := e.st.db.Update(func(tx *bolt.Tx) error { return put(tx.Bucket(bLinkTotals), []byte(p.Code), &partial) }); err != nil {
		t.Fatal(err)
	}
}
