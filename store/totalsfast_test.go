package store

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// TestDecodeTotalsMatchesJSON compares the fast read of day counters with
// encoding/json on records as put writes them, including the ones the fast
// read leaves to JSON (negative counts, another field order).
func TestDecodeTotalsMatchesJSON(t *testing.T) {
	d := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	cases := []Counters{
		{},
		{Clicks: 3, UniqueClicks: 2},
		{Clicks: 123456789, UniqueClicks: 1, Conversions: 7, Revenue: d("1234.56"), Commission: d("246.912"), Referred: 5, ReferredRevenue: d("99.5")},
		{Conversions: -1, Revenue: d("-10.00"), Commission: d("-2.00")},
		{Clicks: 1, Revenue: d("0.001"), Status: Balance{Pending: d("3")}, FirstClickAt: time.Unix(1e9, 0).UTC(), LastClickAt: time.Unix(1e9+5, 0).UTC()},
	}
	for _, c := range cases {
		raw, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		var want dayTotals
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		got, err := decodeTotals(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got.Clicks != want.Clicks || got.UniqueClicks != want.UniqueClicks || got.Conversions != want.Conversions ||
			!got.Revenue.Equal(want.Revenue) || !got.Commission.Equal(want.Commission) {
			t.Errorf("%s: got %+v, want %+v", raw, got, want)
		}
	}
	if _, ok := fastTotals([]byte(`{"clicks":1,"unique_clicks":1,"conversions":1,"revenue":"5","commission":"1","referred":1}`)); !ok {
		t.Error("the fast read refused a record as put writes it")
	}
	if _, ok := fastTotals([]byte(`{"unique_clicks":1,"clicks":1}`)); ok {
		t.Error("the fast read took fields out of order")
	}
	if _, err := decodeTotals([]byte(`{"clicks":`)); err == nil {
		t.Error("a cut record decoded")
	}
}
