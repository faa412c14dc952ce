package store

import (
	"bytes"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Builds before day-first counter keys (counters.go) keyed the partners'
// and links' day counters partner or link first:
//
//	A partnerID(8) YYYYMMDD        → D YYYYMMDD partnerID(8)
//	L code 0 YYYYMMDD 0 sub        → K YYYYMMDD code 0 sub
//
// migrateDayFirst moves them when a newer build opens the file, before
// anything else reads or writes counters:
//
//   - batch records per transaction, so a large file is never held in one
//     transaction (its dirty pages are on the Go heap until the commit);
//   - each record is deleted in the transaction that writes it at its new
//     key, and added to a record already there (none, unless a build
//     wrote both), so no count is lost or counted twice, and an
//     interrupted migration goes on at the next open from what is left;
//   - a record with no record at its new key keeps its bytes as they are.
//
// A file with no old key is done after two seeks.

// dayFirstBatch is how many records one migration transaction moves.
const dayFirstBatch = 50_000

// Prefixes of the keys of builds before day-first keys.
const (
	oldPartnerDayPrefix = 'A'
	oldLinkDayPrefix    = 'L'
)

// migrateDayFirstOnOpen runs migrateDayFirst at open. A migration that
// moved records leaves its transactions' buffers on the Go heap (tens of
// MB on the 10,000-partner seed): they are given back to the system at
// once, so the server does not start with them in its resident memory.
func migrateDayFirstOnOpen(db *bolt.DB) error {
	n, err := migrateDayFirst(db, dayFirstBatch)
	if n > 0 {
		debug.FreeOSMemory()
	}
	return err
}

// migrateDayFirst moves every old partner and link day counters record to
// its day-first key and returns how many it moved.
func migrateDayFirst(db *bolt.DB, batch int) (int, error) {
	total := 0
	for {
		n, err := migrateDayFirstStep(db, batch)
		total += n
		if err != nil {
			return total, fmt.Errorf("move day counters to day-first keys: %w", err)
		}
		if n == 0 {
			return total, nil
		}
	}
}

// migrateDayFirstStep moves up to batch records in one transaction.
func migrateDayFirstStep(db *bolt.DB, batch int) (int, error) {
	type move struct{ from, to, v []byte }
	n := 0
	err := db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDaily)
		if b == nil {
			return nil
		}
		var moves []move
		c := b.Cursor()
		for _, p := range []byte{oldPartnerDayPrefix, oldLinkDayPrefix} {
			for k, v := c.Seek([]byte{p}); k != nil && k[0] == p && len(moves) < batch; k, v = c.Next() {
				to, ok := dayFirstKey(k)
				if !ok {
					return fmt.Errorf("day counters record %q: not a partner's or link's day key", k)
				}
				moves = append(moves, move{bytes.Clone(k), to, bytes.Clone(v)})
			}
		}
		for _, m := range moves {
			if err := b.Delete(m.from); err != nil {
				return err
			}
			v := m.v
			if cur := b.Get(m.to); cur != nil {
				var sum, old Counters
				if err := getBytes(cur, &sum); err != nil {
					return fmt.Errorf("record %q: %w", m.to, err)
				}
				if err := getBytes(m.v, &old); err != nil {
					return fmt.Errorf("record %q: %w", m.from, err)
				}
				sum.Add(old)
				if err := put(b, m.to, &sum); err != nil {
					return err
				}
				continue
			}
			if err := b.Put(m.to, v); err != nil {
				return err
			}
		}
		n = len(moves)
		return nil
	})
	return n, err
}

// dayFirstKey is the day-first key of an old partner or link day key; ok
// is false when k is neither.
func dayFirstKey(k []byte) ([]byte, bool) {
	switch {
	case len(k) == 1+8+8 && k[0] == oldPartnerDayPrefix:
		return []byte(partnerDayKey(btou(k[1:9]), string(k[9:]))), true
	case len(k) > 1 && k[0] == oldLinkDayPrefix:
		code, rest, ok := bytes.Cut(k[1:], []byte{0})
		if !ok || len(code) == 0 || len(rest) < 9 || rest[8] != 0 {
			return nil, false
		}
		return []byte(linkDayKey(string(code), string(rest[:8]), string(rest[9:]))), true
	}
	return nil, false
}

// hasOldDayKeys says whether the database file at path holds day counters
// of builds before day-first keys. It opens the file read-only.
func hasOldDayKeys(path string) (bool, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return false, fmt.Errorf("%s is in use by a running affogato: stop it first, or compact a backup", path)
		}
		return false, fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	old := false
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDaily)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for _, p := range []byte{oldPartnerDayPrefix, oldLinkDayPrefix} {
			if k, _ := c.Seek([]byte{p}); k != nil && k[0] == p {
				old = true
			}
		}
		return nil
	})
	return old, err
}
