package store

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// oldClickedWithinTx is clickedWithinTx as it was before refwithin.go:
// oldest day first, each record decoded in full. Kept as the oracle.
func oldClickedWithinTx(tx *bolt.Tx, code string, from, to time.Time) bool {
	first, last := dayKey(from), dayKey(to)
	within := false
	_ = linkDaysTx(tx, code, first, last, func(day string, _, v []byte) (bool, error) {
		var n Counters
		if getBytes(v, &n) != nil || n.Clicks == 0 {
			return true, nil
		}
		if (day != first || !n.LastClickAt.Before(from)) && (day != last || !n.FirstClickAt.After(to)) {
			within = true
			return false, nil
		}
		return true, nil
	})
	return within
}

// TestClickedWithinMatchesOldAndClicks records random clicks (several
// codes and campaigns, gaps of minutes to days, conversions between them)
// and asks 3,000 random windows of a cookie lifetime, many ending or
// starting exactly on a click: clickedWithinTx must answer as the old
// lookup and as the clicks themselves say.
func TestClickedWithinMatchesOldAndClicks(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{HoldDays: intp(0)})
	ps := e.partners("acme", 3)
	rng := rand.New(rand.NewPCG(12, 34))
	subs := []string{"", "", "mail", "ads"}
	clicks := map[string][]time.Time{}
	start := e.clk.Now()
	for i := range 400 {
		switch rng.IntN(4) {
		case 0:
			e.clk.Add(time.Duration(rng.IntN(3*24*60)) * time.Minute)
		case 1:
			e.clk.Add(time.Duration(rng.IntN(24*60)) * time.Second)
		default:
			e.clk.Add(time.Duration(rng.IntN(5000)) * time.Millisecond)
		}
		p := ps[rng.IntN(len(ps)-1)] // the last partner is never clicked
		if rng.IntN(8) == 0 {
			// e.convert clicks the code first, now (harness_test.go).
			clicks[p.Code] = append(clicks[p.Code], e.clk.Now())
			e.convert("acme", ConversionInput{OrderID: fmt.Sprint("o", i), CustomerID: fmt.Sprint("c", i), Amount: "12.34", Ref: p.Code})
			continue
		}
		c := e.clickSub(p, p.Code, subs[rng.IntN(len(subs))], fmt.Sprintf("198.51.100.%d", rng.IntN(250)))
		clicks[p.Code] = append(clicks[p.Code], c.At)
	}
	end := e.clk.Now()
	e.st.seeClicks()
	var all []time.Time
	for _, ts := range clicks {
		all = append(all, ts...)
	}
	span := end.Sub(start) + 4*24*time.Hour
	found, notFound := 0, 0
	err := e.st.db.View(func(tx *bolt.Tx) error {
		for q := range 3000 {
			p := ps[rng.IntN(len(ps))]
			lifetime := time.Duration(1+rng.IntN(10)) * 24 * time.Hour
			var to time.Time
			switch rng.IntN(4) {
			case 0: // on a click, or a nanosecond either side
				to = all[rng.IntN(len(all))].Add(time.Duration(rng.IntN(3)-1) * time.Nanosecond)
			case 1: // the window starts on a click, or a nanosecond either side
				to = all[rng.IntN(len(all))].Add(lifetime + time.Duration(rng.IntN(3)-1)*time.Nanosecond)
			default:
				to = start.Add(-2*24*time.Hour + time.Duration(rng.Int64N(int64(span))))
			}
			from := to.Add(-lifetime)
			want := false
			for _, at := range clicks[p.Code] {
				if !at.Before(from) && !at.After(to) {
					want = true
					break
				}
			}
			got, old := clickedWithinTx(tx, p.Code, from, to), oldClickedWithinTx(tx, p.Code, from, to)
			if got != want || old != want {
				t.Fatalf("query %d: code %s clicked within [%s, %s]: new %v, old %v, the clicks say %v",
					q, p.Code, from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano), got, old, want)
			}
			if want {
				found++
			} else {
				notFound++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 300 || notFound < 300 {
		t.Fatalf("the queries do not test both answers: %d within, %d not", found, notFound)
	}
}

// TestClickTimesMatchesDecoder compares clickTimes with encoding/json on
// 2,000 random day records: every field set or left out, the old long
// form, and records it must hand to the decoder (times out of place or
// missing, broken JSON).
func TestClickTimesMatchesDecoder(t *testing.T) {
	rng := rand.New(rand.NewPCG(56, 78))
	money := func() decimal.Decimal {
		if rng.IntN(3) == 0 {
			return decimal.Zero
		}
		return decimal.New(rng.Int64N(1e6), -int32(rng.IntN(3)))
	}
	base := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	for i := range 2000 {
		c := Counters{Clicks: rng.Int64N(3) * rng.Int64N(1e9), UniqueClicks: rng.Int64N(5), Conversions: rng.Int64N(3),
			Revenue: money(), Commission: money(), Referred: rng.Int64N(2), ReferredRevenue: money()}
		if rng.IntN(3) == 0 {
			c.Status = Balance{Pending: money(), Approved: money(), Paid: money()}
		}
		if rng.IntN(5) != 0 {
			c.FirstClickAt = base.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
			c.LastClickAt = c.FirstClickAt.Add(time.Duration(rng.Int64N(int64(time.Hour))))
			if rng.IntN(4) == 0 {
				c.FirstClickAt = c.FirstClickAt.Truncate(time.Second) // RFC 3339 without a fraction
			}
		}
		v, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		switch rng.IntN(6) {
		case 0: // the long form of older builds: every field, zeros included
			v = fmt.Appendf(nil, `{"clicks":%d,"unique_clicks":0,"conversions":0,"revenue":"0","commission":"0","referred":0,"referred_revenue":"0","status":{"pending":"0","approved":"0","in_payout":"0","paid":"0","clawback":"0"},"first_click":%q,"last_click":%q}`,
				c.Clicks, c.FirstClickAt.Format(time.RFC3339Nano), c.LastClickAt.Format(time.RFC3339Nano))
		case 1: // the times first: the fast path must not read them
			var m map[string]any
			if err := json.Unmarshal(v, &m); err != nil {
				t.Fatal(err)
			}
			v = fmt.Appendf(nil, `{"last_click":%q,"first_click":%q,"clicks":%d}`,
				c.LastClickAt.Format(time.RFC3339Nano), c.FirstClickAt.Format(time.RFC3339Nano), c.Clicks)
		case 2: // broken
			v = v[:rng.IntN(len(v))]
		}
		var want Counters
		if getBytes(v, &want) != nil {
			want = Counters{}
		}
		clicks, first, last := clickTimes(v)
		if clicks != want.Clicks || !first.Equal(want.FirstClickAt) || !last.Equal(want.LastClickAt) {
			t.Fatalf("record %d %s: clickTimes %d, %s, %s; encoding/json %d, %s, %s",
				i, v, clicks, first, last, want.Clicks, want.FirstClickAt, want.LastClickAt)
		}
	}
}
