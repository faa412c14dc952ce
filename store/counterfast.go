package store

import (
	"bytes"
	"strconv"
)

// Day counters are JSON (Counters); most changes to them are clicks
// alone, at the redirector's rate. addClicksJSON adds such a change to the
// stored record without decoding it: the record starts with the two click
// counts (Counters' first fields), which are rewritten in place and the
// rest copied. ok is false when the change is more than clicks or the
// record does not start as expected; the caller then decodes it.
func addClicksJSON(stored []byte, d *Counters) (out []byte, ok bool) {
	if !clicksOnly(d) {
		return nil, false
	}
	const clicksField, uniqueField = `{"clicks":`, `,"unique_clicks":`
	if !bytes.HasPrefix(stored, []byte(clicksField)) {
		return nil, false
	}
	rest := stored[len(clicksField):]
	clicks, n := leadingInt(rest)
	if n == 0 || !bytes.HasPrefix(rest[n:], []byte(uniqueField)) {
		return nil, false
	}
	rest = rest[n+len(uniqueField):]
	unique, n := leadingInt(rest)
	if n == 0 || len(rest) == n || (rest[n] != ',' && rest[n] != '}') {
		return nil, false
	}
	rest = rest[n:]
	out = make([]byte, 0, len(stored)+8)
	out = append(out, clicksField...)
	out = strconv.AppendInt(out, clicks+d.Clicks, 10)
	out = append(out, uniqueField...)
	out = strconv.AppendInt(out, unique+d.UniqueClicks, 10)
	return append(out, rest...), true
}

// clicksOnly says whether d changes nothing but the click counts.
func clicksOnly(d *Counters) bool {
	return d.Conversions == 0 && d.Revenue.IsZero() && d.Commission.IsZero() && d.Status.Pending.IsZero() &&
		d.Status.Approved.IsZero() && d.Status.InPayout.IsZero() && d.Status.Paid.IsZero() && d.Status.Clawback.IsZero()
}

// leadingInt parses the non-negative decimal integer at the start of b and
// returns it with its length (0 when there is none or it overflows).
func leadingInt(b []byte) (int64, int) {
	var v int64
	i := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if i >= 18 {
			return 0, 0
		}
		v = v*10 + int64(b[i]-'0')
	}
	return v, i
}
