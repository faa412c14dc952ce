package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// failJournal makes the journal's file operation op fail (after doing
// it) times times.
func (e *env) failJournal(op string, times int32) {
	var left atomic.Int32
	left.Store(times)
	f := func(o string) error {
		if o == op && left.Add(-1) >= 0 {
			return errors.New("injected " + op + " failure")
		}
		return nil
	}
	e.st.journal.testFault.Store(&f)
}

func (e *env) tryClick(p *Partner, ip string) (*Click, error) {
	return e.st.RecordClick(context.Background(), ClickInput{Program: p.Program, PartnerID: p.ID, Code: p.Code, IP: mustAddr(ip)})
}

// A group whose write or fdatasync fails is refused, and its bytes (which
// may be in the file all the same) are cut off: a crash right after
// replays only acknowledged clicks, and the next click goes on from the
// last acknowledged id.
func TestJournalFailedGroupIsNeverReplayed(t *testing.T) {
	for _, op := range []string{"write", "sync"} {
		t.Run(op, func(t *testing.T) {
			e := newEnv(t)
			e.program("acme", ProgramInput{})
			p, _ := e.partner("acme")
			e.click(p, "203.0.113.1")
			e.pauseApplier()
			acked := e.click(p, "203.0.113.2")
			e.failJournal(op, 1)
			if c, err := e.tryClick(p, "203.0.113.3"); err == nil {
				t.Fatalf("click %d acknowledged although its %s failed", c.ID, op)
			}
			if !e.st.journal.made.Load() || e.st.journal.broken != nil {
				t.Fatalf("journal broken after a failure it could cut off: %v", e.st.journal.broken)
			}
			dir := e.crashCopy() // a crash right after the failure
			next := e.click(p, "203.0.113.4")
			if next.ID != acked.ID+1 {
				t.Errorf("next click got id %d, want %d", next.ID, acked.ID+1)
			}
			e.openCopy(dir)
			stored := storedClicks(t, e.st)
			if len(stored) != 2 || !stored[acked.ID] {
				t.Errorf("after the crash bbolt holds clicks %v, want the 2 acknowledged (up to %d)", stored, acked.ID)
			}
			st, err := e.st.Stats(e.admin, "acme", 30)
			if err != nil {
				t.Fatal(err)
			}
			if st.Clicks != 2 {
				t.Errorf("stats count %d clicks after the crash, want 2", st.Clicks)
			}
			if c := e.click(p, "203.0.113.5"); c.ID != acked.ID+1 {
				t.Errorf("first click after the restart got id %d, want %d", c.ID, acked.ID+1)
			}
		})
	}
}

// When the failed group cannot be cut off either, the journal refuses
// every click until the store is opened again (it no longer knows where
// its file ends on disk).
func TestJournalRefusesClicksWhenAFailureCannotBeCutOff(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	e.click(p, "203.0.113.1")
	var n atomic.Int32
	f := func(op string) error {
		if (op == "sync" || op == "cut") && n.Add(1) <= 2 {
			return errors.New("injected " + op + " failure")
		}
		return nil
	}
	e.st.journal.testFault.Store(&f)
	if _, err := e.tryClick(p, "203.0.113.2"); err == nil {
		t.Fatal("a click whose sync failed was acknowledged")
	}
	for i := range 3 { // the disk is fine again, the journal still refuses
		_, err := e.tryClick(p, "203.0.113.3")
		if err == nil || !strings.Contains(err.Error(), "until restart") {
			t.Fatalf("click %d after a failure that could not be cut off: %v, want it refused until restart", i, err)
		}
	}
	e.restart()
	if c := e.click(p, "203.0.113.4"); c.ID != 2 {
		t.Errorf("first click after the restart got id %d, want 2", c.ID)
	}
}

// Opening a copy of a database to check or compact it (a backup has no
// journal) leaves no journal file next to it or to the compacted copy.
func TestCheckAndCompactOfABackupMakeNoJournal(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	for _, ip := range []string{"203.0.113.1", "203.0.113.2"} {
		e.click(p, ip)
	}
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	f, err := os.Create(backup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Backup(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, err := OpenFile(backup, Options{Now: e.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if vs, err := st.Check(); err != nil || len(vs) > 0 {
		t.Errorf("check of the backup: %v %v", vs, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	compacted := filepath.Join(dir, "compacted.db")
	res, err := Compact(backup, compacted, nil)
	if err != nil || len(res.Violations) > 0 {
		t.Fatalf("compact: %v %v", res.Violations, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range entries {
		names = append(names, de.Name())
	}
	if strings.Join(names, " ") != "backup.db compacted.db" {
		t.Errorf("files next to the backup: %v, want only backup.db and compacted.db", names)
	}
	// A copy that takes a click makes its journal then.
	st, err = OpenFile(compacted, Options{Now: e.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.RecordClick(context.Background(), ClickInput{Program: "acme", PartnerID: p.ID, Code: p.Code, IP: mustAddr("203.0.113.9")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(compacted + JournalSuffix); err != nil {
		t.Errorf("no journal after a click: %v", err)
	}
	if vs, err := st.Check(); err != nil || len(vs) > 0 {
		t.Errorf("check after the click: %v %v", vs, err)
	}
}

// A new journal file that cannot be made (rotation) refuses its group and
// leaves the journal where it was in the old file: the clicks after it
// are appended there, and none acknowledged before is overwritten.
func TestJournalFailedRotationKeepsTheOldFile(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	e.click(p, "203.0.113.1")
	e.pauseApplier()
	var acked []*Click
	for _, ip := range []string{"203.0.113.2", "203.0.113.3", "203.0.113.4"} {
		acked = append(acked, e.click(p, ip))
	}
	e.st.journal.rotateAt.Store(1) // every group starts a new file
	e.failJournal("rotate", 1)
	if _, err := e.tryClick(p, "203.0.113.5"); err == nil {
		t.Fatal("a click whose journal file could not be made was acknowledged")
	}
	e.st.journal.rotateAt.Store(journalRotateAt)
	acked = append(acked, e.click(p, "203.0.113.6"))
	dir := e.crashCopy()
	e.openCopy(dir)
	stored := storedClicks(t, e.st)
	for _, c := range acked {
		if !stored[c.ID] {
			t.Errorf("acknowledged click %d lost after a failed rotation and a crash", c.ID)
		}
	}
	if len(stored) != 1+len(acked) {
		t.Errorf("%d clicks stored, want %d", len(stored), 1+len(acked))
	}
}
