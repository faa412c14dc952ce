package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// pauseApplier keeps the journaled clicks out of bbolt until a read or a
// change needs them: the writer is made idle first.
func (e *env) pauseApplier() {
	e.t.Helper()
	e.st.seeClicks()
	e.check() // flushes the counters: nothing waits in the writer
	e.st.writer.applyEvery.Store(int64(time.Hour))
}

// crashCopy copies the database and its journal as they are on disk now
// (the writer idle): what a SIGKILL at this point leaves behind.
func (e *env) crashCopy() string {
	e.t.Helper()
	dir := e.t.TempDir()
	for _, name := range []string{DBFile, DBFile + JournalSuffix} {
		copyFile(e.t, filepath.Join(e.dir, name), filepath.Join(dir, name))
	}
	return dir
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// openCopy opens a crash copy as the env's store (the old one is closed).
func (e *env) openCopy(dir string) {
	e.t.Helper()
	if err := e.st.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.dir = dir
	e.open()
}

// storedClicks lists the ids of the clicks bbolt holds (without waiting
// for the applier).
func storedClicks(t *testing.T, st *Store) map[uint64]bool {
	t.Helper()
	ids := map[uint64]bool{}
	err := st.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bClicks).ForEach(func(k, _ []byte) error {
			ids[btou(k)] = true
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// A click is acknowledged once journaled; bbolt may not have it yet. A
// crash then loses nothing: the store opened from what is on disk replays
// the journal, with the clicks' uniqueness and counts, and the journal
// position applied is stored.
func TestJournalReplaysAcknowledgedClicksAfterACrash(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	e.click(p, "203.0.113.1")
	e.pauseApplier()
	var clicks []*Click
	for i := range 50 {
		clicks = append(clicks, e.click(p, fmt.Sprintf("203.0.113.%d", i%10)))
	}
	stored := storedClicks(t, e.st)
	for _, c := range clicks {
		if stored[c.ID] {
			t.Fatalf("click %d is in bbolt already: the applier did not wait", c.ID)
		}
	}
	dir := e.crashCopy()
	e.openCopy(dir)
	stored = storedClicks(t, e.st)
	for _, c := range clicks {
		if !stored[c.ID] {
			t.Errorf("acknowledged click %d lost in the crash", c.ID)
		}
	}
	st, err := e.st.Stats(e.admin, "acme", 30)
	if err != nil {
		t.Fatal(err)
	}
	if st.Clicks != 51 || st.UniqueClicks != 10 {
		t.Errorf("after the replay: %d clicks, %d unique; want 51, 10", st.Clicks, st.UniqueClicks)
	}
	var applied uint64
	_ = e.st.db.View(func(tx *bolt.Tx) error { applied = btou(tx.Bucket(bMeta).Get(metaJournalApplied)); return nil })
	if applied == 0 || applied != e.st.journal.durable.Load() {
		t.Errorf("journal applied up to %d, journal ends at %d", applied, e.st.journal.durable.Load())
	}
	// New clicks go on from the replayed ids.
	next := e.click(p, "203.0.113.99")
	if next.ID != clicks[len(clicks)-1].ID+1 {
		t.Errorf("click after the replay got id %d, want %d", next.ID, clicks[len(clicks)-1].ID+1)
	}
	e.check()
}

// A torn write (a group cut short, or bytes that are no record) ends the
// journal: the records before it are replayed, the tail is cut off, and
// the journal goes on after them.
func TestJournalTornTail(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	e.pauseApplier()
	var clicks []*Click
	for i := range 5 {
		clicks = append(clicks, e.click(p, fmt.Sprintf("198.51.100.%d", i)))
	}
	for name, tail := range map[string]func(rec []byte) []byte{
		"partial record": func(rec []byte) []byte { return rec[:len(rec)-3] },
		"bad checksum": func(rec []byte) []byte {
			rec = bytes.Clone(rec)
			rec[len(rec)-1] ^= 0xff
			return rec
		},
		"partial frame": func(rec []byte) []byte { return rec[:5] },
		"garbage":       func([]byte) []byte { return []byte("\xff\xff\xff\xffnot a record at all") },
	} {
		t.Run(name, func(t *testing.T) {
			dir := e.crashCopy()
			jpath := filepath.Join(dir, DBFile+JournalSuffix)
			jf, err := readJournal(jpath)
			if err != nil {
				t.Fatal(err)
			}
			torn := &Click{ID: clicks[len(clicks)-1].ID + 1, Program: "acme", PartnerID: p.ID, Code: p.Code, At: e.clk.Now()}
			rec := encodeJournalClick(nil, torn, make([]byte, 12))
			f, err := os.OpenFile(jpath, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt(tail(rec), jf.valid); err != nil {
				t.Fatal(err)
			}
			f.Close()
			st, err := Open(dir, Options{Now: e.clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			stored := storedClicks(t, st)
			for _, c := range clicks {
				if !stored[c.ID] {
					t.Errorf("click %d before the torn tail was not replayed", c.ID)
				}
			}
			if stored[torn.ID] {
				t.Errorf("the torn record was stored as click %d", torn.ID)
			}
			after, err := readJournal(jpath)
			if err != nil {
				t.Fatal(err)
			}
			if after.torn || after.valid != jf.valid {
				t.Errorf("journal after open: torn %v, ends at %d; want the tail cut at %d", after.torn, after.valid, jf.valid)
			}
			c, err := st.RecordClick(context.Background(), ClickInput{Program: "acme", PartnerID: p.ID, Code: p.Code, IP: mustAddr("192.0.2.1")})
			if err != nil {
				t.Fatal(err)
			}
			if c.ID != torn.ID {
				t.Errorf("the next click got id %d, want %d (the torn one was never acknowledged)", c.ID, torn.ID)
			}
			if vs, err := st.Check(); err != nil || len(vs) > 0 {
				t.Errorf("check: %v %v", vs, err)
			}
		})
	}
}

// Replaying a journal whose clicks bbolt holds already (the applied
// position behind them) changes nothing.
func TestJournalReplayIsIdempotent(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	e.pauseApplier()
	for i := range 20 {
		e.click(p, fmt.Sprintf("198.51.100.%d", i%4))
	}
	e.st.seeClicks()
	e.check()
	before, err := e.st.Stats(e.admin, "acme", 30)
	if err != nil {
		t.Fatal(err)
	}
	rawBefore := rawClicks(t, e.st)
	dir := e.crashCopy()
	e.st.Close()
	// The applied position goes back to the journal's start: every click
	// in it is replayed over bbolt's.
	db, err := bolt.Open(filepath.Join(dir, DBFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	jf, err := readJournal(filepath.Join(dir, DBFile+JournalSuffix))
	if err != nil {
		t.Fatal(err)
	}
	if len(jf.recs) != 20 {
		t.Fatalf("journal holds %d records, want 20", len(jf.recs))
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(metaJournalApplied, u64(jf.base)) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	e.dir = dir
	e.open()
	after, err := e.st.Stats(e.admin, "acme", 30)
	if err != nil {
		t.Fatal(err)
	}
	if statsLine(after) != statsLine(before) {
		t.Errorf("after replaying applied clicks: %s\nwant %s", statsLine(after), statsLine(before))
	}
	if raw := rawClicks(t, e.st); raw != rawBefore {
		t.Errorf("the click records changed in the replay:\n%s\nwant\n%s", raw, rawBefore)
	}
	e.check()
}

// rawClicks is every stored click record, in hex, one a line.
func rawClicks(t *testing.T, st *Store) string {
	t.Helper()
	var b strings.Builder
	err := st.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bClicks).ForEach(func(k, v []byte) error {
			fmt.Fprintf(&b, "%d %x\n", btou(k), v)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A journal that does not reach the database's applied position is not
// this database's: Open refuses it rather than lose track of clicks, and
// check reports a journal that does not match the stored clicks.
func TestJournalBehindTheDatabaseIsRefused(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	e.pauseApplier()
	e.click(p, "198.51.100.1")
	dir := e.crashCopy()
	e.st.Close()
	db, err := bolt.Open(filepath.Join(dir, DBFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(metaJournalApplied, u64(1<<40)) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(dir, Options{Now: e.clk.Now})
	if err == nil || !strings.Contains(err.Error(), "not this database's journal") {
		t.Fatalf("open with a journal behind the database: %v", err)
	}
	e.open() // the original, for the cleanup
}

// Past its size limit the journal starts a new file with the records not
// yet applied; a crash right after loses none of them.
func TestJournalRotationKeepsUnappliedClicks(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	e.st.journal.rotateAt.Store(512)
	var clicks []*Click
	for i := range 30 {
		clicks = append(clicks, e.click(p, fmt.Sprintf("198.51.100.%d", i)))
		if i == 9 {
			e.pauseApplier() // the first ten are applied, the rest wait
		}
	}
	jf, err := readJournal(filepath.Join(e.dir, DBFile+JournalSuffix))
	if err != nil {
		t.Fatal(err)
	}
	if jf.base == 0 {
		t.Fatal("the journal never started a new file")
	}
	if n := len(jf.recs); n >= 30 || n < 20 {
		t.Errorf("the rotated journal holds %d records, want the 20 not applied and at most a few more", n)
	}
	dir := e.crashCopy()
	e.openCopy(dir)
	stored := storedClicks(t, e.st)
	for _, c := range clicks {
		if !stored[c.ID] {
			t.Errorf("click %d lost across the journal's rotation", c.ID)
		}
	}
	e.check()
}

// A clean close stores every journaled click and leaves an empty journal.
func TestJournalCloseAppliesAndEmpties(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	e.pauseApplier()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				e.click(p, fmt.Sprintf("198.51.100.%d", g*10+i))
			}
		}()
	}
	wg.Wait()
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	jf, err := readJournal(filepath.Join(e.dir, DBFile+JournalSuffix))
	if err != nil {
		t.Fatal(err)
	}
	if len(jf.recs) != 0 {
		t.Errorf("journal holds %d records after a clean close, want 0", len(jf.recs))
	}
	e.open()
	if n := len(storedClicks(t, e.st)); n != 80 {
		t.Errorf("%d clicks stored, want 80", n)
	}
	e.check()
}

// A journal cut at any byte reads as the whole records before the cut.
func TestParseJournalCutAnywhere(t *testing.T) {
	data := journalHeader(1000)
	var ends []int
	for i := range 3 {
		c := &Click{ID: uint64(i + 1), Program: "acme", PartnerID: 7, Code: "abc", Sub: "spring é", At: time.Unix(1700000000, int64(i)).UTC(), PaidAds: i == 1, RecentFromIP: i}
		data = encodeJournalClick(data, c, bytes.Repeat([]byte{byte(i)}, 12))
		ends = append(ends, len(data))
	}
	for cut := journalHeaderLen; cut <= len(data); cut++ {
		jf, err := parseJournal(append(bytes.Clone(data[:cut]), make([]byte, 64)...))
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, end := range ends {
			if end <= cut {
				want++
			}
		}
		if len(jf.recs) != want {
			t.Fatalf("cut at %d: %d records, want %d", cut, len(jf.recs), want)
		}
		for i, r := range jf.recs {
			if r.c.ID != uint64(i+1) || r.c.Sub != "spring é" || r.c.PaidAds != (i == 1) || r.c.RecentFromIP != i ||
				!r.c.At.Equal(time.Unix(1700000000, int64(i))) || r.end != 1000+uint64(ends[i]-journalHeaderLen) {
				t.Fatalf("cut at %d: record %d read back as %+v (end %d)", cut, i, *r.c, r.end)
			}
		}
	}
	bad := bytes.Clone(data)
	binary.BigEndian.PutUint64(bad[8:], 5) // the base, without its checksum
	if _, err := parseJournal(bad); err == nil {
		t.Error("a damaged header was read")
	}
}

// A backup taken while clicks wait in the journal holds them, and so does
// a compacted copy of a data dir whose journal holds clicks not stored.
func TestJournalBackupAndCompactHoldJournaledClicks(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	e.pauseApplier()
	var clicks []*Click
	for i := range 12 {
		clicks = append(clicks, e.click(p, fmt.Sprintf("198.51.100.%d", i)))
	}
	crash := e.crashCopy() // before the backup stores them
	backup := filepath.Join(t.TempDir(), "backup.db")
	f, err := os.Create(backup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Backup(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	compacted := filepath.Join(t.TempDir(), "compact.db")
	res, err := Compact(filepath.Join(crash, DBFile), compacted, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Violations) > 0 {
		t.Errorf("compacted copy: %v", res.Violations)
	}
	for name, path := range map[string]string{"backup": backup, "compacted copy": compacted} {
		st, err := OpenFile(path, Options{Now: e.clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		stored := storedClicks(t, st)
		for _, c := range clicks {
			if !stored[c.ID] {
				t.Errorf("%s: journaled click %d missing", name, c.ID)
			}
		}
		if vs, err := st.Check(); err != nil || len(vs) > 0 {
			t.Errorf("%s: check: %v %v", name, vs, err)
		}
		st.Close()
	}
}

// When the database does not take the journaled clicks (the applier far
// behind), new clicks wait a while and are then refused with an error
// instead of piling up; once it catches up they are taken again.
func TestJournalRefusesClicksWhenTheApplierIsFarBehind(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	e.pauseApplier()
	e.st.journal.maxQueued.Store(3)
	e.st.journal.fullWait.Store(int64(50 * time.Millisecond))
	for i := range 4 {
		e.click(p, fmt.Sprintf("198.51.100.%d", i))
	}
	_, err := e.st.RecordClick(context.Background(), ClickInput{Program: "acme", PartnerID: p.ID, Code: p.Code, IP: mustAddr("192.0.2.1")})
	if err == nil || !strings.Contains(err.Error(), "not keeping up") {
		t.Fatalf("a click past the limit: %v", err)
	}
	e.st.seeClicks() // the applier catches up
	e.click(p, "192.0.2.2")
	if n := len(storedClicks(t, e.st)); n != 4 {
		t.Errorf("%d clicks stored, want 4 (the refused one is not)", n)
	}
	e.st.seeClicks()
	if n := len(storedClicks(t, e.st)); n != 5 {
		t.Errorf("%d clicks stored after the catch-up, want 5", n)
	}
}
