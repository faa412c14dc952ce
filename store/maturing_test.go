package store

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// The stats read matured commissions from the maturing index's values
// (maturing.go); before, they decoded each commission. oldFillStatsTx is
// that old read, kept here to compare with.

func oldFillStatsTx(tx *bolt.Tx, st *Stats, now time.Time) error {
	matured := map[string]decimal.Decimal{}
	if err := eachMaturedTx(tx, st.Program, now, func(_ []byte, c *Commission) error {
		if st.PartnerID == 0 || c.PartnerID == st.PartnerID {
			matured[c.day()] = matured[c.day()].Add(c.Net())
		}
		return nil
	}); err != nil {
		return err
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for i := st.Days - 1; i >= 0; i-- {
		day := today.AddDate(0, 0, -i)
		k := programDayKey(st.Program, dayKey(day))
		if st.PartnerID != 0 {
			k = partnerDayKey(st.PartnerID, dayKey(day))
		}
		c, err := readCountersTx(tx, k)
		if err != nil {
			return err
		}
		if m, ok := matured[dayKey(day)]; ok {
			c.Status.Pending = c.Status.Pending.Sub(m)
			c.Status.Approved = c.Status.Approved.Add(m)
		}
		st.Daily = append(st.Daily, DayCounters{Day: day, Counters: c})
		st.Clicks += c.Clicks
		st.UniqueClicks += c.UniqueClicks
		st.Conversions += c.Conversions
		st.Revenue = st.Revenue.Add(c.Revenue)
		st.Commission = st.Commission.Add(c.Commission)
		if st.PartnerID != 0 {
			c.Referred, c.ReferredRevenue = c.Conversions, c.Revenue
			st.Daily[len(st.Daily)-1].Counters = c
		}
		st.ReferredConversions += c.Referred
		st.ReferredRevenue = st.ReferredRevenue.Add(c.ReferredRevenue)
	}
	b, err := storedBalanceTx(tx, st.Program, st.PartnerID)
	if err != nil {
		return err
	}
	err = eachMaturedTx(tx, st.Program, now, func(_ []byte, c *Commission) error {
		if st.PartnerID == 0 || c.PartnerID == st.PartnerID {
			b.Pending = b.Pending.Sub(c.Net())
			b.Approved = b.Approved.Add(c.Net())
		}
		return nil
	})
	st.Balance = b
	return err
}

// statsBothWays reads the stats of the program (partnerID 0) or of a
// partner with the new and the old code, in one transaction.
func statsBothWays(t *testing.T, st *Store, slug string, partnerID uint64, days int) (got, want string) {
	t.Helper()
	now := st.now().UTC()
	err := st.db.View(func(tx *bolt.Tx) error {
		a := &Stats{Program: slug, Days: days, PartnerID: partnerID}
		b := &Stats{Program: slug, Days: days, PartnerID: partnerID}
		if err := fillStatsTx(tx, a, now); err != nil {
			return err
		}
		if err := oldFillStatsTx(tx, b, now); err != nil {
			return err
		}
		got, want = fmt.Sprintf("%+v", *a), fmt.Sprintf("%+v", *b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got, want
}

// TestMaturedStatsMatchCommissions drives random sales (some flagged by a
// self-referral rule, some with a partial or full refund while pending),
// approvals, rejections, manual attributions and payouts over 80 days
// with a 7-day hold, and compares at every step the program's and every
// partner's stats and balances (7 and 30 days), read from the maturing
// index, with the old read through the commissions; then the same after
// the index is put back in the old form (values holding the partner id
// alone, as older builds wrote them), and after the reopen that migrates
// it.
func TestMaturedStatsMatchCommissions(t *testing.T) {
	e := newEnv(t)
	rng := rand.New(rand.NewPCG(3, 11))
	e.program("mt", ProgramInput{Commission: "20%", HoldDays: intp(7)})
	var parts []*Partner
	for range 6 {
		p, _ := e.partner("mt")
		parts = append(parts, p)
	}
	prices := []string{"10.00", "25.00", "99.99", "3.33", "120.00"}
	type order struct{ id, amount string }
	var orders []order
	compare := func(label string) int {
		t.Helper()
		matured := 0
		_ = e.st.db.View(func(tx *bolt.Tx) error {
			return eachMaturedNetTx(tx, "mt", e.st.now().UTC(), func(maturedNet) { matured++ })
		})
		for _, id := range append([]uint64{0}, ids(parts)...) {
			for _, days := range []int{7, 30} {
				if got, want := statsBothWays(t, e.st, "mt", id, days); got != want {
					t.Fatalf("%s: partner %d, %d days:\n got %s\nwant %s", label, id, days, got, want)
				}
			}
		}
		return matured
	}
	sawMatured := 0
	for day := range 80 {
		for range rng.IntN(5) {
			p := parts[rng.IntN(len(parts))]
			c := e.click(p, fmt.Sprintf("192.0.2.%d", 1+rng.IntN(200)))
			if rng.IntN(5) > 0 { // else flagged as a fast conversion: not maturing
				e.clk.Add(fastConversion + time.Minute)
			}
			id := "o" + strconv.Itoa(len(orders))
			amount := prices[rng.IntN(len(prices))]
			e.convert("mt", ConversionInput{OrderID: id, CustomerID: "c" + id, Amount: amount, ClickID: strconv.FormatUint(c.ID, 10)})
			orders = append(orders, order{id, amount})
		}
		if len(orders) > 0 && rng.IntN(6) == 0 { // a refund of a recent order, partial or full
			o := &orders[len(orders)-1-rng.IntN(min(len(orders), 4))]
			if o.amount != "" {
				part := o.amount
				if rng.IntN(2) == 0 {
					part = dec(o.amount).Div(decimal.NewFromInt(3)).StringFixed(2)
				}
				e.refund("mt", "r"+o.id+strconv.Itoa(day), o.id, part)
				o.amount = ""
			}
		}
		if rng.IntN(8) == 0 { // an unattributed sale given to a partner by hand
			id := "u" + strconv.Itoa(day)
			e.convert("mt", ConversionInput{OrderID: id, CustomerID: "c" + id, Amount: "500.00"})
			if _, err := e.st.AttributeConversion(e.admin, "mt", id, fmt.Sprint(parts[rng.IntN(len(parts))].ID)); err != nil {
				t.Fatal(err)
			}
		}
		if rng.IntN(20) == 0 {
			if _, _, err := e.st.CreatePayoutBatch(e.admin, "mt"); err != nil {
				t.Log(err) // nothing owed yet is fine
			}
		}
		if m := compare(fmt.Sprintf("day %d", day)); m > 0 {
			sawMatured++
		}
		e.clk.Add(time.Duration(18+rng.IntN(12)) * time.Hour)
	}
	if sawMatured < 10 {
		t.Fatalf("matured commissions were read on %d days only", sawMatured)
	}
	e.check()

	// The old form: partner id alone.
	n := 0
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMaturing)
		var ks [][]byte
		_ = b.ForEach(func(k, v []byte) error { ks = append(ks, append([]byte(nil), k...)); return nil })
		for _, k := range ks {
			if err := b.Put(k, b.Get(k)[:8]); err != nil {
				return err
			}
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no maturing entries left to put back in the old form")
	}
	compare("old form")
	e.check()
	e.restart()
	long := 0
	_ = e.st.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bMaturing).ForEach(func(_, v []byte) error {
			if len(v) > 16 {
				long++
			}
			return nil
		})
	})
	if long != n {
		t.Fatalf("after a reopen %d of %d entries are in the new form", long, n)
	}
	compare("migrated")
	e.clk.Add(10 * 24 * time.Hour) // everything matures
	if compare("all matured") == 0 {
		t.Fatal("nothing matured")
	}
}

func ids(ps []*Partner) []uint64 {
	var out []uint64
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// TestCheckFindsWrongMaturingEntry: check reports an entry whose net
// differs from its commission's, and one that names no commission.
func TestCheckFindsWrongMaturingEntry(t *testing.T) {
	e := newEnv(t)
	e.program("mw", ProgramInput{Commission: "20%"})
	p, _ := e.partner("mw")
	c := e.click(p, "192.0.2.1")
	e.clk.Add(fastConversion + time.Minute)
	e.convert("mw", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "50.00", ClickID: strconv.FormatUint(c.ID, 10)})
	e.check()
	var k, good []byte
	if err := e.st.db.View(func(tx *bolt.Tx) error {
		k, _ = tx.Bucket(bMaturing).Cursor().First()
		k = append([]byte(nil), k...)
		return nil
	}); err != nil || len(k) == 0 {
		t.Fatalf("no maturing entry: %v", err)
	}
	corrupt := func(v []byte) {
		t.Helper()
		if err := e.st.db.Update(func(tx *bolt.Tx) error {
			if good == nil {
				good = append([]byte(nil), tx.Bucket(bMaturing).Get(k)...)
			}
			return tx.Bucket(bMaturing).Put(k, v)
		}); err != nil {
			t.Fatal(err)
		}
	}
	corrupt(append(append(u64(p.ID), dayKey(e.clk.Now())...), "9.99"...))
	if vs, err := e.st.Check(); err != nil || len(vs) != 1 {
		t.Fatalf("check of a wrong net: %v %v", vs, err)
	}
	corrupt(good)
	e.check()
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMaturing).Put(key("mw", int64(1), uint64(999999)), good)
	}); err != nil {
		t.Fatal(err)
	}
	if vs, err := e.st.Check(); err != nil || len(vs) != 1 {
		t.Fatalf("check of an entry of no commission: %v %v", vs, err)
	}
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMaturing).Delete(key("mw", int64(1), uint64(999999)))
	}); err != nil {
		t.Fatal(err)
	}
}

// candHeap is a min-heap of candidates by revenue: the top partners
// view's leaders before it kept an order (oldLeaders).
type candHeap []topCand

func (h candHeap) Len() int           { return len(h) }
func (h candHeap) Less(i, j int) bool { return h[i].rev.Cmp(h[j].rev) < 0 }
func (h candHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *candHeap) Push(x any)        { *h = append(*h, x.(topCand)) }
func (h *candHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// oldLeaders is leaders as it was, from the sums alone (n >= 1).
func oldLeaders(sums map[uint64]decimal.Decimal, n int) (top map[uint64]string, enough bool) {
	h := make(candHeap, 0, n)
	for id, r := range sums {
		if r.Sign() <= 0 {
			continue
		}
		if len(h) < n {
			heap.Push(&h, topCand{id, r})
		} else if r.Cmp(h[0].rev) > 0 {
			h[0] = topCand{id, r}
			heap.Fix(&h, 0)
		}
	}
	if len(h) < n {
		return nil, false
	}
	top = map[uint64]string{}
	for id, r := range sums {
		if r.Cmp(h[0].rev) >= 0 {
			top[id] = r.String()
		}
	}
	return top, true
}

// TestTopViewOrderMatchesHeap changes random partners' revenue (sales,
// refunds below zero, ties, partners leaving and entering) over days and
// compares the view's leaders, read from its order, with the old heap
// over the sums, and the order with the sums, after every change.
func TestTopViewOrderMatchesHeap(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v := &topView{ready: true, today: dayKey(start), progs: map[string]*topViewProgram{}}
	amounts := []string{"10", "10", "5.5", "-10", "-3.25", "20", "0.01"}
	compared := 0
	for step := range 4000 {
		today := start.AddDate(0, 0, step/40)
		day := dayKey(today.AddDate(0, 0, -rng.IntN(100)))
		id := uint64(1 + rng.IntN(60))
		v.mu.Lock()
		if dayKey(today) > v.today {
			v.rollLocked(dayKey(today))
		}
		v.addLocked("p", day, id, decimal.RequireFromString(amounts[rng.IntN(len(amounts))]))
		v.mu.Unlock()
		for w, days := range topViewWindows {
			n := 1 + rng.IntN(8)
			got, known, enough := v.leaders("p", dayKey(today), days, n)
			v.mu.Lock()
			var sums map[uint64]decimal.Decimal
			if p := v.progs["p"]; p != nil {
				sums = p.sums[w]
				if p.sorted && !orderMatches(p.order[w], sums) {
					t.Fatalf("step %d: the %d-day order is not the sums", step, days)
				}
			}
			want, wantEnough := oldLeaders(sums, n)
			v.mu.Unlock()
			gotMap := map[uint64]string{}
			for _, c := range got {
				gotMap[c.id] = c.rev.String()
			}
			if !known || enough != wantEnough || (enough && fmt.Sprint(gotMap) != fmt.Sprint(want)) {
				t.Fatalf("step %d, %d days, top %d: got %v %v %v, want %v %v", step, days, n, gotMap, known, enough, want, wantEnough)
			}
			compared++
		}
	}
	if compared == 0 {
		t.Fatal("nothing compared")
	}
}
