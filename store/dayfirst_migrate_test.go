package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// oldDayKey is the key a build before day-first keys gave a day-first
// partner or link record (the inverse of dayFirstKey).
func oldDayKey(k []byte) ([]byte, bool) {
	switch {
	case len(k) == 1+8+8 && k[0] == partnerDayPrefix:
		return append(append([]byte{oldPartnerDayPrefix}, k[9:]...), k[1:9]...), true
	case len(k) > 9 && k[0] == linkDayPrefix:
		code, sub, _ := bytes.Cut(k[9:], []byte{0})
		return []byte(string(oldLinkDayPrefix) + string(code) + "\x00" + string(k[1:9]) + "\x00" + string(sub)), true
	}
	return nil, false
}

// toOldLayout rewrites every day-first record of the file at its old key,
// as a build before day-first keys wrote it, and returns how many.
func toOldLayout(t *testing.T, db *bolt.DB) int {
	t.Helper()
	n := 0
	err := db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bDaily)
		type rec struct{ from, to, v []byte }
		var recs []rec
		if err := b.ForEach(func(k, v []byte) error {
			if to, ok := oldDayKey(k); ok {
				recs = append(recs, rec{bytes.Clone(k), to, bytes.Clone(v)})
			}
			return nil
		}); err != nil {
			return err
		}
		for _, r := range recs {
			if err := b.Delete(r.from); err != nil {
				return err
			}
			if err := b.Put(r.to, r.v); err != nil {
				return err
			}
		}
		n = len(recs)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// dailyPrefixes counts the daily bucket's records by their first byte.
func dailyPrefixes(t *testing.T, db *bolt.DB) map[byte]int {
	t.Helper()
	out := map[byte]int{}
	if err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bDaily).ForEach(func(k, _ []byte) error { out[k[0]]++; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// counterReads is every read of partner and link day counters, as JSON.
func counterReads(t *testing.T, e *env, a Actor, ids []uint64) string {
	t.Helper()
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	w := func(v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	for _, days := range []int{1, 2, 30, 180} {
		w(e.st.Stats(e.admin, "acme", days))
		w(e.st.TopPartners(ctx, e.admin, "acme", days, 1))
		w(e.st.TopPartners(ctx, e.admin, "acme", days, 5))
		for _, id := range ids {
			w(e.st.PartnerStats(e.admin, "acme", id, days))
		}
	}
	w(e.st.PartnerPage(ctx, e.admin, "acme", PageQuery{}))
	links, _, err := e.st.LinkStatsPage(a, "acme", NamePage{})
	w(links, err)
	for _, id := range ids {
		w(e.st.PartnerLinksOf(ctx, e.admin, "acme", id))
	}
	return out.String()
}

func TestDayFirstMigration(t *testing.T) {
	for _, tt := range []struct {
		name      string
		firstStep int  // records moved by an interrupted migration before the open (0 = none)
		compact   bool // affogato compact, then open the copy
	}{
		{"at open", 0, false},
		{"after an interrupted migration", 3, false},
		{"by compact", 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.program("acme", ProgramInput{CookieDays: intp(30)})
			a, aa := e.partner("acme")
			b, _ := e.partner("acme")
			if _, err := e.st.CreateLink(aa, "acme", "a-news", ""); err != nil {
				t.Fatal(err)
			}
			// Three days: a 4 clicks on its code and 2 on a-news (campaign
			// "camp"), b 1 click; a conversion of 100.00 by ref on a's code
			// on each day (one more click each), refunded 40.00 on day 2.
			for d := range 3 {
				for i := range 4 {
					e.click(a, fmt.Sprintf("192.0.2.%d", i))
				}
				e.clickSub(a, "a-news", "camp", "192.0.2.10")
				e.clickSub(a, "a-news", "camp", "192.0.2.11")
				e.click(b, "198.51.100.1")
				e.convert("acme", ConversionInput{OrderID: fmt.Sprintf("o%d", d), CustomerID: fmt.Sprintf("c%d", d), Amount: "100.00", Ref: a.Code})
				if d == 1 {
					e.refund("acme", "r1", "o1", "40.00")
				}
				e.clk.Add(24 * time.Hour)
			}
			if err := e.st.writer.flushClicks(context.Background()); err != nil {
				t.Fatal(err)
			}
			ids := []uint64{a.ID, b.ID}
			want := counterReads(t, e, aa, ids)
			st, err := e.st.PartnerStats(e.admin, "acme", a.ID, 30)
			if err != nil {
				t.Fatal(err)
			}
			if st.Clicks != 3*(4+2+1) || st.Conversions != 3 || !st.Revenue.Equal(dec("260")) || !st.Commission.Equal(dec("52")) {
				t.Fatalf("partner a before: %d clicks, %d conversions, revenue %s, commission %s; want 21, 3, 260, 52",
					st.Clicks, st.Conversions, st.Revenue, st.Commission)
			}
			links, _, err := e.st.LinkStatsPage(aa, "acme", NamePage{})
			if err != nil {
				t.Fatal(err)
			}
			if len(links) != 2 || links[0].Clicks+links[1].Clicks != 21 {
				t.Fatalf("links before: %+v", links)
			}
			if err := e.st.Close(); err != nil {
				t.Fatal(err)
			}

			db, err := bolt.Open(filepath.Join(e.dir, DBFile), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			moved := toOldLayout(t, db)
			// One record split between its old and its new key (as if both
			// layouts had counted part of a day): the migration adds them.
			split := partnerDayKey(a.ID, "20260311")
			if err := db.Update(func(tx *bolt.Tx) error {
				bk := tx.Bucket(bDaily)
				old, _ := oldDayKey([]byte(split))
				var c Counters
				if err := get(bk, old, &c); err != nil {
					return err
				}
				if c.Clicks != 7 {
					return fmt.Errorf("partner a on 20260311: %d clicks, want 7", c.Clicks)
				}
				c.Clicks -= 2
				if err := put(bk, old, &c); err != nil {
					return err
				}
				return put(bk, []byte(split), &Counters{Clicks: 2})
			}); err != nil {
				t.Fatal(err)
			}
			p := dailyPrefixes(t, db)
			if p[partnerDayPrefix] != 1 || p[linkDayPrefix] != 0 || p[oldPartnerDayPrefix] != 6 || p[oldLinkDayPrefix] != 9 {
				t.Fatalf("old layout: %d records moved, prefixes %v", moved, p)
			}
			if tt.firstStep > 0 {
				if n, err := migrateDayFirstStep(db, tt.firstStep); err != nil || n != tt.firstStep {
					t.Fatalf("first step: %d moved, %v", n, err)
				}
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if tt.compact {
				dst := filepath.Join(t.TempDir(), DBFile)
				res, err := Compact(filepath.Join(e.dir, DBFile), dst, nil)
				if err != nil || len(res.Violations) > 0 {
					t.Fatalf("compact: %v %+v", err, res.Violations)
				}
				cdb, err := bolt.Open(dst, 0o600, &bolt.Options{ReadOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				p = dailyPrefixes(t, cdb)
				cdb.Close()
				if p[oldPartnerDayPrefix] != 0 || p[oldLinkDayPrefix] != 0 || p[partnerDayPrefix] != 6 || p[linkDayPrefix] != 9 {
					t.Fatalf("the compacted copy: prefixes %v, want 6 D, 9 K and no A or L", p)
				}
				e.dir = filepath.Dir(dst)
			}

			e.open() // migrates; the env's cleanup runs Check
			p = dailyPrefixes(t, e.st.db)
			if p[oldPartnerDayPrefix] != 0 || p[oldLinkDayPrefix] != 0 || p[partnerDayPrefix] != 6 || p[linkDayPrefix] != 9 {
				t.Fatalf("after the migration: prefixes %v, want 6 D, 9 K and no A or L", p)
			}
			if got := counterReads(t, e, aa, ids); got != want {
				t.Errorf("after the migration the reads differ:\n%s\nwant\n%s", got, want)
			}
			e.restart() // nothing is moved or counted twice
			if got := counterReads(t, e, aa, ids); got != want {
				t.Errorf("after a second open the reads differ:\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestDayFirstKeyRefusesOtherKeys(t *testing.T) {
	for _, k := range []string{"A", "Ashort", "L", "Lcode", "Lcode\x0020260301", "Lcode\x002026030\x00sub", "L\x0020260301\x00"} {
		if got, ok := dayFirstKey([]byte(k)); ok {
			t.Errorf("dayFirstKey(%q) = %q, want refused", k, got)
		}
	}
	if got, ok := dayFirstKey([]byte("Lcode\x0020260301\x00sub")); !ok || string(got) != "K20260301code\x00sub" {
		t.Errorf("link key: %q %v", got, ok)
	}
	if got, ok := dayFirstKey(append([]byte("A"), append(u64(7), "20260301"...)...)); !ok || string(got) != "D20260301"+string(u64(7)) {
		t.Errorf("partner key: %q %v", got, ok)
	}
}
