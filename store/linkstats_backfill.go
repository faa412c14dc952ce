package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Builds before the per-link counters (linkstats.go) stored clicks without
// counting them by link and campaign. A ref attributes only when its code
// was clicked within the cookie lifetime (clickedWithinTx reads those
// counters) and `link list` shows them, so such clicks are counted once,
// when a newer build opens the file:
//
//   - The clicks that need it are the oldest ones, up to the newest click
//     whose link day record is missing (every click a newer build stored
//     has its record). A file whose every click has its record is marked
//     done at once.
//   - They are counted in batches of linkBackfillBatch clicks, each batch in
//     its own transaction with the progress mark (the next click id), so a
//     large file is never held in one transaction and an interrupted
//     backfill resumes where it stopped, counting no click twice.
//   - They are counted with the click path's own functions
//     (addLinkClickDelta, applyDeltasTx).
//
// `affogato check` verifies the result (checkLinkCountersTx).

// metaLinkBackfill is the meta key of the backfill's state: absent before
// it started, linkBackfillDone once done, else the progress (JSON
// linkBackfill).
var metaLinkBackfill = []byte("link_counters_backfill")

var linkBackfillDone = []byte("done")

// linkBackfillBatch is how many clicks one backfill transaction counts.
const linkBackfillBatch = 50_000

// linkBackfill is the progress of an unfinished backfill: the clicks with
// ids in [Next, End] remain to be counted.
type linkBackfill struct {
	Next uint64 `json:"next"`
	End  uint64 `json:"end"`
}

// linkClick is what the per-link counters need of a stored click.
type linkClick struct {
	program, code, sub string
	at                 time.Time
}

// linkClickReader decodes stored clicks (either encoding) for the link
// counters, reading each interned name once.
type linkClickReader struct {
	tx    *bolt.Tx
	names map[uint32]string
}

func newLinkClickReader(tx *bolt.Tx) *linkClickReader {
	return &linkClickReader{tx: tx, names: map[uint32]string{}}
}

func (r *linkClickReader) name(kind byte, id uint32) (string, error) {
	if n, ok := r.names[id]; ok {
		return n, nil
	}
	n, err := nameTx(r.tx, kind, id)
	if err != nil {
		return "", err
	}
	r.names[id] = n
	return n, nil
}

func (r *linkClickReader) read(k, v []byte) (linkClick, error) {
	if len(v) != clickV1Len || v[0] != clickV1 {
		c, err := decodeClickTx(r.tx, btou(k), v)
		if err != nil {
			return linkClick{}, err
		}
		return linkClick{program: c.Program, code: c.Code, sub: c.Sub, at: c.At}, nil
	}
	var c linkClick
	var err error
	if c.program, err = r.name(nameProgram, binary.BigEndian.Uint32(v[18:])); err != nil {
		return c, fmt.Errorf("click %d: program: %w", btou(k), err)
	}
	if c.code, err = r.name(nameCode, binary.BigEndian.Uint32(v[22:])); err != nil {
		return c, fmt.Errorf("click %d: code: %w", btou(k), err)
	}
	if c.sub, err = r.name(nameSub, binary.BigEndian.Uint32(v[26:])); err != nil {
		return c, fmt.Errorf("click %d: sub: %w", btou(k), err)
	}
	c.at = time.Unix(0, int64(binary.BigEndian.Uint64(v[2:]))).UTC()
	return c, nil
}

// backfillLinkCounters counts, once, the clicks stored without per-link
// counters (see above), batch clicks per transaction. It runs at open,
// before the group writer starts, after the clicks above the flush mark
// were counted. It returns how many clicks it counted.
func backfillLinkCounters(db *bolt.DB, batch int) (int, error) {
	state, ok, err := startLinkBackfill(db)
	if err != nil || !ok {
		return 0, err
	}
	total := 0
	for {
		n, done, err := linkBackfillStep(db, &state, batch)
		total += n
		if err != nil || done {
			return total, err
		}
	}
}

// startLinkBackfill reads the backfill's progress, or starts it: ok is
// false when there is nothing (left) to count.
func startLinkBackfill(db *bolt.DB) (state linkBackfill, ok bool, err error) {
	err = db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bMeta)
		switch v := meta.Get(metaLinkBackfill); {
		case string(v) == string(linkBackfillDone):
			return nil
		case v != nil:
			ok = true
			return json.Unmarshal(v, &state)
		}
		end, err := linkBackfillEndTx(tx)
		if err != nil {
			return err
		}
		if end == 0 {
			return meta.Put(metaLinkBackfill, linkBackfillDone)
		}
		ok, state = true, linkBackfill{Next: 1, End: end}
		return putJSONTx(meta, metaLinkBackfill, state)
	})
	return state, ok, wrapBackfill(err)
}

// linkBackfillStep counts one batch in one transaction with the progress
// it makes; done says the backfill is complete.
func linkBackfillStep(db *bolt.DB, state *linkBackfill, batch int) (n int, done bool, err error) {
	var next uint64
	err = db.Update(func(tx *bolt.Tx) error {
		var err error
		if n, next, err = backfillLinkBatchTx(tx, *state, batch); err != nil {
			return err
		}
		if next > state.End {
			done = true
			return tx.Bucket(bMeta).Put(metaLinkBackfill, linkBackfillDone)
		}
		return putJSONTx(tx.Bucket(bMeta), metaLinkBackfill, linkBackfill{Next: next, End: state.End})
	})
	if err != nil {
		return 0, false, wrapBackfill(err)
	}
	state.Next = next // committed with the batch's counts
	return n, done, nil
}

func wrapBackfill(err error) error {
	if err != nil {
		return fmt.Errorf("count the clicks of older builds by link: %w", err)
	}
	return nil
}

func putJSONTx(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

// linkBackfillEndTx finds the newest click whose link day record is
// missing (0 when every click through a link has its record). A build
// with link counters gives every click its record, so the clicks without
// one are the oldest: those of the builds before. The boundary is found by
// a binary search over click ids (a file written only by newer builds opens
// after a few dozen reads), then refined over the day of clicks after it:
// on the day of the upgrade an older click may share its record with a
// newer one, and the newest click without a record that day ends the
// backfill.
func linkBackfillEndTx(tx *bolt.Tx) (uint64, error) {
	daily := tx.Bucket(bDaily)
	r := newLinkClickReader(tx)
	c := tx.Bucket(bClicks).Cursor()
	// probe reads the first click through a link from id on: its id, time
	// and whether its record exists; ok is false past the last one.
	probe := func(k, v []byte) (id uint64, at time.Time, present, ok bool, err error) {
		for ; k != nil; k, v = c.Next() {
			lc, err := r.read(k, v)
			if err != nil {
				return 0, time.Time{}, false, false, err
			}
			if lc.code == "" {
				continue
			}
			present := daily.Get([]byte(linkDayKey(lc.code, dayKey(lc.at), lc.sub))) != nil
			return btou(k), lc.at, present, true, nil
		}
		return 0, time.Time{}, false, false, nil
	}
	first, _ := c.First()
	last, _ := c.Last()
	if first == nil {
		return 0, nil
	}
	// The smallest id from which every click has its record, in [lo, hi].
	lo, hi := btou(first), btou(last)+1
	for lo < hi {
		mid := lo + (hi-lo)/2
		id, _, present, ok, err := probe(c.Seek(u64(mid)))
		if err != nil {
			return 0, err
		}
		if !ok || present {
			hi = mid
		} else {
			lo = id + 1
		}
	}
	var end uint64 // the clicks below lo lack their records
	if lo > btou(first) {
		end = lo - 1
	}
	// Refine over the day after: a click without its record there ends the
	// backfill instead.
	var until time.Time
	for k, v := c.Seek(u64(lo)); ; k, v = c.Next() {
		id, at, present, ok, err := probe(k, v)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		if until.IsZero() {
			until = at.Add(24 * time.Hour)
		}
		if at.After(until) {
			break
		}
		if !present {
			end = id
		}
	}
	return end, nil
}

// backfillLinkBatchTx counts the link clicks of up to batch stored clicks
// from state.Next (no further than state.End) and returns how many it
// counted and the next click id to count.
func backfillLinkBatchTx(tx *bolt.Tx, state linkBackfill, batch int) (int, uint64, error) {
	r := newLinkClickReader(tx)
	deltas := map[string]*Counters{}
	n, scanned := 0, 0
	next := state.End + 1
	c := tx.Bucket(bClicks).Cursor()
	for k, v := c.Seek(u64(state.Next)); k != nil && btou(k) <= state.End; k, v = c.Next() {
		if scanned == batch {
			next = btou(k)
			break
		}
		scanned++
		lc, err := r.read(k, v)
		if err != nil {
			return 0, 0, err
		}
		if lc.code == "" {
			continue
		}
		addLinkClickDelta(deltas, lc.program, lc.code, lc.sub, dayKey(lc.at), lc.at)
		n++
	}
	if err := applyDeltasTx(tx, deltas); err != nil {
		return 0, 0, err
	}
	return n, next, nil
}

// checkLinkCountersTx verifies the per-link click counters against the
// stored clicks: no link counts fewer clicks on a day than are stored for
// it (a purge removes raw clicks, never counts, so there may be more), and
// the backfill of older builds' clicks is done. It reads the clicks once
// (counting them by interned code id and day, without decoding names) and
// the link day records once, in key order.
func checkLinkCountersTx(tx *bolt.Tx, bad func(string, ...any)) error {
	if v := tx.Bucket(bMeta).Get(metaLinkBackfill); string(v) != string(linkBackfillDone) {
		bad("the clicks of older builds are not all counted by link (backfill state %q)", v)
	}
	const dayNanos = int64(24 * time.Hour)
	type codeDay struct {
		code string
		day  int64
	}
	byID := map[uint64]int64{}    // code id << 32 | day number → stored clicks (version 1 records)
	byName := map[codeDay]int64{} // the same for JSON records
	err := tx.Bucket(bClicks).ForEach(func(k, v []byte) error {
		if len(v) == clickV1Len && v[0] == clickV1 {
			if code := binary.BigEndian.Uint32(v[22:]); code != 0 {
				day := int64(binary.BigEndian.Uint64(v[2:])) / dayNanos
				byID[uint64(code)<<32|uint64(uint32(day))]++
			}
			return nil
		}
		c, err := decodeClickTx(tx, btou(k), v)
		if err == nil && c.Code != "" { // checkClicksTx reports undecodable clicks
			byName[codeDay{c.Code, c.At.UnixNano() / dayNanos}]++
		}
		return nil
	})
	if err != nil {
		return err
	}
	// compare checks one link's day (its records summed over sub-ids).
	compare := func(code string, id uint32, day string, counted int64) {
		t, err := time.Parse("20060102", day)
		if err != nil {
			bad("link %s: day record with a bad day %q", code, day)
			return
		}
		n := t.Unix() / 86400
		k := uint64(id)<<32 | uint64(uint32(n))
		stored := byName[codeDay{code, n}]
		delete(byName, codeDay{code, n})
		if id != 0 {
			stored += byID[k]
			delete(byID, k)
		}
		if stored > counted {
			bad("link %s on %s: %d stored clicks but its day counters count %d", code, day, stored, counted)
		}
	}
	var code, day string
	var id uint32
	var counted int64
	ids := map[string]uint32{} // code → its interned id (0: none)
	c := tx.Bucket(bDaily).Cursor()
	for k, v := c.Seek([]byte{linkDayPrefix}); k != nil && k[0] == linkDayPrefix && len(k) > 9; k, v = c.Next() {
		kd := k[1:9]
		kc, _, _ := bytes.Cut(k[9:], []byte{0})
		if string(kc) != code || string(kd) != day {
			if code != "" {
				compare(code, id, day, counted)
			}
			if string(kc) != code {
				code = string(kc)
				var known bool
				if id, known = ids[code]; !known {
					if nid := tx.Bucket(bNames).Get(append([]byte{nameCode}, kc...)); len(nid) == 4 {
						id = binary.BigEndian.Uint32(nid)
					}
					ids[code] = id
				}
			}
			day, counted = string(kd), 0
		}
		t, err := decodeTotals(v)
		if err != nil {
			bad("link %s on %s: %v", code, day, err)
			continue
		}
		counted += t.Clicks
	}
	if code != "" {
		compare(code, id, day, counted)
	}
	// Stored clicks whose link has no record that day.
	for k, n := range byID {
		name, _ := nameTx(tx, nameCode, uint32(k>>32))
		d := dayKey(time.Unix(int64(int32(uint32(k)))*86400, 0))
		bad("link %s on %s: %d stored clicks but its day counters count 0", name, d, n)
	}
	for cd, n := range byName {
		bad("link %s on %s: %d stored clicks but its day counters count 0", cd.code, dayKey(time.Unix(cd.day*86400, 0)), n)
	}
	return nil
}
