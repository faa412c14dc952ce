package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// TestTopViewMatchesScan drives random conversions, refunds and
// attributions over two programs and 130 days (day rollovers, days leaving
// the 90-day window) and compares TopPartners, answered from the view for
// 7, 30 and 90 days, with the full scan of every partner's counters; then
// again after a reopen (the view rebuilt from partner_revenue).
func TestTopViewMatchesScan(t *testing.T) {
	e := newEnv(t)
	rng := rand.New(rand.NewPCG(12, 7))
	slugs := []string{"ta", "tb"}
	parts := map[string][]*Partner{}
	for _, s := range slugs {
		e.program(s, ProgramInput{Commission: "20%"})
		parts[s] = e.partners(s, 9)
	}
	prices := []string{"10.00", "10.00", "25.00", "99.00", "3.33"}
	type order struct {
		slug, id, amount string
	}
	var orders []order
	compare := func(label string) {
		t.Helper()
		// Every acknowledged click stored first: TopPartners waits at most
		// clickReadWait for them, the scan below not at all, and on a
		// loaded machine (go test -race) the two read different counts.
		e.st.seeAllClicks()
		for _, s := range slugs {
			for _, days := range []int{7, 30, 90, 2} {
				for _, n := range []int{1, 2, 3, 5, 20} {
					got, err := e.st.TopPartners(context.Background(), e.admin, s, days, n)
					if err != nil {
						t.Fatal(err)
					}
					now := e.clk.Now().UTC()
					since := dayKey(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(days - 1)))
					var want []TopPartner
					if err := e.st.db.View(func(tx *bolt.Tx) error {
						want, err = topPartnersScanTx(context.Background(), tx, s, since, n)
						return err
					}); err != nil {
						t.Fatal(err)
					}
					if _, known, _ := e.st.top.leaders(s, dayKey(now), days, n); known != (days != 2) {
						t.Fatalf("%s: %d days: the view answers: %v", label, days, known)
					}
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("%s: %s %d days, top %d:\n got %v\nwant %v", label, s, days, n, got, want)
					}
				}
			}
		}
	}
	ranked := 0
	for day := range 130 {
		for range rng.IntN(6) {
			s := slugs[rng.IntN(len(slugs))]
			p := parts[s][rng.IntN(len(parts[s]))]
			var last *Click
			for range 1 + rng.IntN(3) {
				last = e.click(p, fmt.Sprintf("192.0.2.%d", 1+rng.IntN(200)))
			}
			if rng.IntN(3) == 0 {
				continue // clicks only
			}
			id := "o" + strconv.Itoa(len(orders))
			amount := prices[rng.IntN(len(prices))]
			e.convert(s, ConversionInput{OrderID: id, CustomerID: "c" + id, Amount: amount, ClickID: strconv.FormatUint(last.ID, 10)})
			orders = append(orders, order{s, id, amount})
		}
		if len(orders) > 0 && rng.IntN(3) == 0 { // a refund, often of an older day
			o := orders[rng.IntN(len(orders))]
			if o.amount != "" {
				e.refund(o.slug, "r"+o.id, o.id, o.amount)
				for i := range orders {
					if orders[i].id == o.id {
						orders[i].amount = ""
					}
				}
			}
		}
		if rng.IntN(10) == 0 { // an unattributed sale, attributed and moved
			s := slugs[rng.IntN(len(slugs))]
			id := "u" + strconv.Itoa(day)
			e.convert(s, ConversionInput{OrderID: id, CustomerID: "c" + id, Amount: "500.00"})
			k := rng.IntN(len(parts[s]))
			for j := range 1 + rng.IntN(2) {
				to := parts[s][(k+j)%len(parts[s])]
				if _, err := e.st.AttributeConversion(e.admin, s, id, fmt.Sprint(to.ID)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if day%9 == 0 || day > 120 {
			compare(fmt.Sprintf("day %d", day))
			ranked++
		}
		if day%40 == 39 {
			e.check()
		}
		e.clk.Add(time.Duration(20+rng.IntN(8)) * time.Hour) // sometimes two commits a day, sometimes a day skipped
	}
	if ranked == 0 || len(orders) == 0 {
		t.Fatal("nothing compared")
	}
	e.check()
	e.restart()
	compare("reopened")
	e.clk.Add(40 * 24 * time.Hour) // days leave every window
	compare("40 days later")
	e.check()
}

// TestTopViewRolledBackGroupUnchanged stages a group's revenue change in a
// transaction that rolls back: the view does not take it; committed, it
// does.
func TestTopViewRolledBackGroupUnchanged(t *testing.T) {
	e := newEnv(t)
	e.program("rb", ProgramInput{Commission: "20%"})
	p, _ := e.partner("rb")
	c := e.click(p, "192.0.2.1")
	e.convert("rb", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "10.00", ClickID: strconv.FormatUint(c.ID, 10)})
	snapshot := func() string {
		e.st.top.mu.Lock()
		defer e.st.top.mu.Unlock()
		return fmt.Sprint(e.st.top.today, e.st.top.progs["rb"].days, e.st.top.progs["rb"].sums)
	}
	before := snapshot()
	deltas := map[string]*Counters{}
	addPartnerDayDelta(deltas, "rb", p.ID, dayKey(e.clk.Now()), Counters{Revenue: decimal.RequireFromString("5.00")})
	boom := errors.New("boom")
	err := e.st.db.Update(func(tx *bolt.Tx) error {
		e.st.top.stageTx(tx, deltas)
		if err := applyDeltasTx(tx, deltas); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if after := snapshot(); after != before {
		t.Fatalf("a rolled-back group changed the view:\n%s\n%s", before, after)
	}
	e.check()
	// check notices a view that differs from partner_revenue.
	e.st.top.mu.Lock()
	e.st.top.addLocked("rb", dayKey(e.clk.Now()), p.ID, decimal.RequireFromString("1.00"))
	e.st.top.mu.Unlock()
	vs, err := e.st.Check()
	if err != nil || len(vs) == 0 {
		t.Fatalf("check of a wrong view: %v %v", vs, err)
	}
	e.st.top.mu.Lock()
	e.st.top.addLocked("rb", dayKey(e.clk.Now()), p.ID, decimal.RequireFromString("-1.00"))
	e.st.top.mu.Unlock()
	if after := snapshot(); after != before {
		t.Fatalf("view not restored:\n%s\n%s", before, after)
	}
	if top, known, enough := e.st.top.leaders("rb", dayKey(e.clk.Now()), 7, 1); !known || !enough || len(top) != 1 || top[0].id != p.ID || top[0].rev.String() != "10" {
		t.Fatalf("leaders: %v %v %v", top, known, enough)
	}
}
