package store

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// linkCounterState is every per-link and per-campaign day record's clicks
// and click times, by key.
func linkCounterState(t *testing.T, db *bolt.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bDaily).ForEach(func(k, v []byte) error {
			if k[0] != linkDayPrefix && k[0] != 'S' {
				return nil
			}
			var c Counters
			if err := getBytes(v, &c); err != nil {
				return err
			}
			out[string(k)] = fmt.Sprintf("clicks %d first %s last %s", c.Clicks,
				c.FirstClickAt.Format(time.RFC3339Nano), c.LastClickAt.Format(time.RFC3339Nano))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// forgetLinkCounters makes the file look written by a build before the
// per-link counters until the day `until` (dayKey; "" = until now): no L or
// S day record of an earlier day, and no backfill mark.
func forgetLinkCounters(t *testing.T, db *bolt.DB, until string) {
	t.Helper()
	err := db.Update(func(tx *bolt.Tx) error {
		var del [][]byte
		err := tx.Bucket(bDaily).ForEach(func(k, _ []byte) error {
			var day []byte
			switch k[0] {
			case linkDayPrefix:
				day = k[1:9]
			case 'S':
				_, rest, _ := bytes.Cut(k, []byte{0})
				day, _, _ = bytes.Cut(rest, []byte{0})
			default:
				return nil
			}
			if until == "" || string(day) < until {
				del = append(del, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range del {
			if err := tx.Bucket(bDaily).Delete(k); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Delete(metaLinkBackfill)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// linkBackfillFixture stores clicks over four days on two partners' links,
// with and without campaigns, and closes the store; it returns the file
// and the link counters the click path wrote.
func linkBackfillFixture(t *testing.T) (*env, string, map[string]string) {
	e := newEnv(t)
	e.program("acme", ProgramInput{CookieDays: intp(7)})
	a, aa := e.partner("acme")
	b, _ := e.partner("acme")
	if _, err := e.st.CreateLink(aa, "acme", "a-news", ""); err != nil {
		t.Fatal(err)
	}
	for d := range 4 {
		for i := range 5 {
			e.clickSub(a, a.Code, "", fmt.Sprintf("192.0.2.%d", i))
			e.clickSub(a, "a-news", fmt.Sprintf("camp%d", i%2), fmt.Sprintf("192.0.2.%d", i))
			if i%2 == 0 {
				e.clickSub(b, b.Code, "spring", fmt.Sprintf("198.51.100.%d", i))
			}
			e.clk.Add(time.Hour)
		}
		e.clk.Add(19*time.Hour + time.Duration(d)*time.Minute)
	}
	// The journaled clicks stored and counted (journal.go, clickcounters.go).
	if err := e.st.writer.flushClicks(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := linkCounterState(t, e.st.db)
	if len(want) == 0 {
		t.Fatal("the click path wrote no link counters")
	}
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	return e, filepath.Join(e.dir, DBFile), want
}

func TestLinkCountersBackfilledAtOpen(t *testing.T) {
	for _, tt := range []struct {
		name  string
		until string // the first day with link counters ("" = none)
	}{
		{"an older build's file", ""},
		{"a file upgraded after two days", "20260312"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, path, want := linkBackfillFixture(t)
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			forgetLinkCounters(t, db, tt.until)
			if got := linkCounterState(t, db); len(got) >= len(want) {
				t.Fatalf("%d records left of %d", len(got), len(want))
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			e.open() // backfills; the env's cleanup runs Check
			if got := linkCounterState(t, e.st.db); !maps.Equal(got, want) {
				t.Errorf("after the backfill:\n%v\nwant\n%v", got, want)
			}
			// Opening again counts nothing twice.
			e.restart()
			if got := linkCounterState(t, e.st.db); !maps.Equal(got, want) {
				t.Errorf("after a second open:\n%v\nwant\n%v", got, want)
			}
		})
	}
}

// An open interrupted after some batches resumes where it stopped.
func TestLinkCountersBackfillResumes(t *testing.T) {
	e, path, want := linkBackfillFixture(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	forgetLinkCounters(t, db, "")
	state, ok, err := startLinkBackfill(db)
	if err != nil || !ok || state.Next != 1 || state.End == 0 {
		t.Fatalf("start: %+v %v %v", state, ok, err)
	}
	for range 2 {
		if n, done, err := linkBackfillStep(db, &state, 7); err != nil || done || n != 7 {
			t.Fatalf("step: %d %v %v", n, done, err)
		}
	}
	// The process dies here; the next open carries on from the mark.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	e.open()
	if got := linkCounterState(t, e.st.db); !maps.Equal(got, want) {
		t.Errorf("after the resumed backfill:\n%v\nwant\n%v", got, want)
	}
}

// Check reports clicks that their links' day counters do not count.
func TestCheckFindsUncountedLinkClicks(t *testing.T) {
	e, path, _ := linkBackfillFixture(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	forgetLinkCounters(t, db, "")
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).Put(metaLinkBackfill, linkBackfillDone) // as if counted
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	e.open()
	vs, err := e.st.Check()
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 3*4 { // 3 links (a's code, a-news, b's code) on each of 4 days
		t.Errorf("%d violations, want 12: %+v", len(vs), vs)
	}
	// Counted by hand (the backfill's own step), the file checks out again.
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		_, _, err := backfillLinkBatchTx(tx, linkBackfill{Next: 1, End: tx.Bucket(bClicks).Sequence()}, 1000)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if vs, err := e.st.Check(); err != nil || len(vs) != 0 {
		t.Fatalf("after counting: %+v %v", vs, err)
	}
	// One link day counting a click less than it has is one violation; put
	// back, none (the env's cleanup runs Check).
	k := linkDayKey("a-news", "20260311", "camp1")
	adjust := func(n int64) {
		t.Helper()
		if err := e.st.db.Update(func(tx *bolt.Tx) error {
			return applyDeltasTx(tx, map[string]*Counters{k: {Clicks: n}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	adjust(-1)
	if vs, err := e.st.Check(); err != nil || len(vs) != 1 || !strings.Contains(vs[0].What, "link a-news on 20260311") {
		t.Errorf("one click uncounted: %+v %v", vs, err)
	}
	adjust(1)
}
