package store

import (
	"bytes"
	"strconv"
	"time"
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

// addLinkClickDelta is addLinkDelta (linkstats.go) for one click at at,
// through the click fast path: the link's day record counts it and its
// first and last click times take at in; the campaign record counts it.
func addLinkClickDelta(m map[string]*Counters, slug, code, sub, day string, at time.Time) {
	if code == "" {
		return
	}
	ck := clickDeltaPrefix + linkDayKey(code, day, sub)
	c := m[ck]
	if c == nil {
		c = &Counters{}
		m[ck] = c
	}
	// What c.Add(Counters{Clicks: 1, FirstClickAt: at, LastClickAt: at})
	// does, without its decimal sums (each allocates, once per click).
	c.Clicks++
	if c.FirstClickAt.IsZero() || at.Before(c.FirstClickAt) {
		c.FirstClickAt = at
	}
	if at.After(c.LastClickAt) {
		c.LastClickAt = at
	}
	if sub != "" {
		addClickDelta(m, programSubKey(slug, day, sub), 1, 0)
	}
}

// Day counters are JSON (Counters); most changes to them are clicks
// alone, at the redirector's rate. addClicksJSON adds the click counts of
// d to the stored record without decoding it: the record starts with the
// two click counts (Counters' first fields), which are rewritten and the
// rest copied; when d carries click times, the record must end with its
// first and last click times (Counters' last fields), which are
// rewritten too. ok is false when the record is not as expected; the
// caller then decodes it. d must carry nothing but clicks (and their
// times).
func addClicksJSON(stored []byte, d *Counters) (out []byte, ok bool) {
	if !d.FirstClickAt.IsZero() || !d.LastClickAt.IsZero() {
		return addClickTimesJSON(stored, d)
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

// addClickTimesJSON is addClicksJSON for a change with click times.
func addClickTimesJSON(stored []byte, d *Counters) ([]byte, bool) {
	const firstField, lastField = `,"first_click":"`, `","last_click":"`
	i := bytes.LastIndex(stored, []byte(firstField))
	if i < 0 || !bytes.HasSuffix(stored, []byte(`"}`)) {
		return nil, false
	}
	times := stored[i+len(firstField) : len(stored)-2]
	j := bytes.Index(times, []byte(lastField))
	if j < 0 {
		return nil, false
	}
	first, err1 := time.Parse(time.RFC3339Nano, string(times[:j]))
	last, err2 := time.Parse(time.RFC3339Nano, string(times[j+len(lastField):]))
	if err1 != nil || err2 != nil {
		return nil, false
	}
	counts := *d
	counts.FirstClickAt, counts.LastClickAt = time.Time{}, time.Time{}
	head, ok := addClicksJSON(stored[:i+1], &counts) // the record without its times, closed by its ','
	if !ok {
		return nil, false
	}
	if d.FirstClickAt.Before(first) {
		first = d.FirstClickAt
	}
	if d.LastClickAt.After(last) {
		last = d.LastClickAt
	}
	out := append(head[:len(head)-1], firstField...)
	out = first.AppendFormat(out, time.RFC3339Nano)
	out = append(out, lastField...)
	out = last.AppendFormat(out, time.RFC3339Nano)
	return append(out, `"}`...), true
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
