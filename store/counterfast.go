package store

import (
	"bytes"
	"strconv"
)

// clickDeltaPrefix marks, among a group's counter changes, the ones that
// are clicks alone (addClickDelta): they are added to the stored record
// without decoding it.
const clickDeltaPrefix = "\x00clicks\x00"

// addClickDelta adds clicks to the day counters at k in a group's changes.
func addClickDelta(m map[string]*Counters, k string, clicks, unique int64) {
	ck := clickDeltaPrefix + k
	c := m[ck]
	if c == nil {
		c = &Counters{}
		m[ck] = c
	}
	c.Clicks += clicks
	c.UniqueClicks += unique
}

// Day counters are JSON (Counters); most changes to them are clicks
// alone, at the redirector's rate. addClicksJSON adds the click counts of
// d to the stored record without decoding it: the record starts with the
// two click counts (Counters' first fields), which are rewritten and the
// rest copied. ok is false when the record does not start as expected;
// the caller then decodes it. d must carry nothing but clicks.
func addClicksJSON(stored []byte, d *Counters) (out []byte, ok bool) {
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
