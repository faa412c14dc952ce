package store

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestTopPartnersIndexMatchesScan ranks partners through the revenue index
// and by reading every partner's counters, over ties, refunds to zero and
// a late attribution, for several periods and sizes; then rebuilds the
// index as an older database would at open and compares it.
func TestTopPartnersIndexMatchesScan(t *testing.T) {
	e := newEnv(t)
	e.program("top", ProgramInput{Commission: "20%"})
	ps := e.partners("top", 12)
	prices := []string{"10.00", "10.00", "25.00", "99.00"}
	order := 0
	for day := range 45 {
		for i, p := range ps {
			if (day+i)%3 == 0 {
				continue
			}
			var last *Click
			for c := 0; c < 1+(i*day)%4; c++ {
				last = e.click(p, fmt.Sprintf("192.0.2.%d", 1+(c+day)%200))
			}
			if (day*7+i)%4 == 0 {
				order++
				e.convert("top", ConversionInput{OrderID: "o" + strconv.Itoa(order), CustomerID: "c" + strconv.Itoa(order),
					Amount: prices[(day+i)%len(prices)], ClickID: strconv.FormatUint(last.ID, 10)})
				if order%5 == 0 {
					e.refund("top", "r"+strconv.Itoa(order), "o"+strconv.Itoa(order), prices[(day+i)%len(prices)])
				}
			}
		}
		if day == 40 {
			order++
			e.convert("top", ConversionInput{OrderID: "late", CustomerID: "late", Amount: "500.00"})
			for _, to := range []*Partner{ps[3], ps[5]} { // attributed, then moved
				if _, err := e.st.AttributeConversion(e.admin, "top", "late", fmt.Sprint(to.ID)); err != nil {
					t.Fatal(err)
				}
			}
		}
		e.clk.Add(24 * time.Hour)
	}
	compare := func(label string) {
		t.Helper()
		// Every acknowledged click stored first: TopPartners waits at most
		// clickReadWait for them and the scan not at all, so on a loaded
		// machine the two could read different click counts.
		e.st.seeAllClicks()
		for _, days := range []int{1, 7, 30, 90} {
			for _, n := range []int{1, 3, 5, 20} {
				got, err := e.st.TopPartners(context.Background(), e.admin, "top", days, n)
				if err != nil {
					t.Fatal(err)
				}
				var want []TopPartner
				now := e.clk.Now().UTC()
				since := dayKey(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(days - 1)))
				if err := e.st.db.View(func(tx *bolt.Tx) error {
					want, err = topPartnersScanTx(context.Background(), tx, "top", since, n)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 && days > 1 {
					t.Fatalf("%s: %d days: nobody ranked", label, days)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: %d days, top %d:\n got %v\nwant %v", label, days, n, got, want)
				}
			}
		}
	}
	compare("live")
	e.check()
	var before map[string]string
	read := func() map[string]string {
		m := map[string]string{}
		if err := e.st.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bPartnerRevenue).ForEach(func(k, v []byte) error { m[string(k)] = string(v); return nil })
		}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	before = read()
	if len(before) == 0 {
		t.Fatal("no revenue records")
	}
	// An older database: no index, no mark.
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bPartnerRevenue); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Delete(metaPartnerRevenue)
	}); err != nil {
		t.Fatal(err)
	}
	e.restart()
	if after := read(); !reflect.DeepEqual(before, after) {
		t.Fatalf("rebuilt index differs:\n got %v\nwant %v", after, before)
	}
	compare("rebuilt")
	// check notices a wrong record.
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bPartnerRevenue).Put(partnerRevenueKey("top", "20260101", ps[0].ID), []byte("1.00"))
	}); err != nil {
		t.Fatal(err)
	}
	vs, err := e.st.Check()
	if err != nil || len(vs) != 1 {
		t.Fatalf("check after a wrong record: %v %v", vs, err)
	}
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bPartnerRevenue).Delete(partnerRevenueKey("top", "20260101", ps[0].ID))
	}); err != nil {
		t.Fatal(err)
	}
}
