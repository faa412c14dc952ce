package store

import (
	"bytes"

	"github.com/shopspring/decimal"
)

// decodeTotals reads the part of a day's Counters record that the screens
// sum (clicks, unique clicks, conversions, revenue, commission). Records
// are written by encoding/json from Counters, so they start with these
// five fields in this order; decodeTotals reads them straight from the
// bytes and falls back to decoding the JSON when a record looks otherwise
// (a negative count, an unexpected field). The stats' campaign breakdown
// and the partners' totals read thousands of records per screen: this is
// most of their time.
func decodeTotals(v []byte) (dayTotals, error) {
	if d, ok := fastTotals(v); ok {
		return d, nil
	}
	var d dayTotals
	err := getBytes(v, &d)
	return d, err
}

func fastTotals(v []byte) (d dayTotals, ok bool) {
	rest := v
	field := func(name string) bool {
		if !bytes.HasPrefix(rest, []byte(name)) {
			return false
		}
		rest = rest[len(name):]
		return true
	}
	num := func(to *int64) bool {
		n, i := leadingInt(rest)
		if i == 0 {
			return false
		}
		*to, rest = n, rest[i:]
		return true
	}
	dec := func(to *decimal.Decimal) bool {
		if len(rest) < 2 || rest[0] != '"' {
			return false
		}
		end := bytes.IndexByte(rest[1:], '"')
		if end < 0 {
			return false
		}
		x, err := decimal.NewFromString(string(rest[1 : 1+end]))
		if err != nil {
			return false
		}
		*to, rest = x, rest[end+2:]
		return true
	}
	// The short form (counters.go) leaves zero fields out: conversions,
	// revenue and commission are each there or not, in this order.
	optional := func(name string, read func() bool) bool {
		if !bytes.HasPrefix(rest, []byte(name)) {
			return true
		}
		rest = rest[len(name):]
		return read()
	}
	ok = field(`{"clicks":`) && num(&d.Clicks) &&
		field(`,"unique_clicks":`) && num(&d.UniqueClicks) &&
		optional(`,"conversions":`, func() bool { return num(&d.Conversions) }) &&
		optional(`,"revenue":`, func() bool { return dec(&d.Revenue) }) &&
		optional(`,"commission":`, func() bool { return dec(&d.Commission) }) &&
		len(rest) > 0 && (rest[0] == ',' || rest[0] == '}')
	return d, ok
}

// decodeCounts reads a day's clicks and conversions alone (the portal's
// links show these of all time): straight from the bytes as fastTotals
// does, skipping the money fields, and through decodeTotals when the
// record looks otherwise.
func decodeCounts(v []byte) (clicks, conversions int64, err error) {
	if c, n, ok := fastCounts(v); ok {
		return c, n, nil
	}
	d, err := decodeTotals(v)
	return d.Clicks, d.Conversions, err
}

func fastCounts(v []byte) (clicks, conversions int64, ok bool) {
	const head, unique, conv = `{"clicks":`, `,"unique_clicks":`, `,"conversions":`
	if !bytes.HasPrefix(v, []byte(head)) {
		return 0, 0, false
	}
	rest := v[len(head):]
	n, i := leadingInt(rest)
	if i == 0 || !bytes.HasPrefix(rest[i:], []byte(unique)) {
		return 0, 0, false
	}
	clicks, rest = n, rest[i+len(unique):]
	if _, i = leadingInt(rest); i == 0 {
		return 0, 0, false
	}
	rest = rest[i:]
	if !bytes.HasPrefix(rest, []byte(conv)) { // the short form leaves a zero out
		return clicks, 0, len(rest) > 0 && (rest[0] == ',' || rest[0] == '}')
	}
	rest = rest[len(conv):]
	if n, i = leadingInt(rest); i == 0 || i == len(rest) || (rest[i] != ',' && rest[i] != '}') {
		return 0, 0, false
	}
	return clicks, n, true
}
