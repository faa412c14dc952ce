package store

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The raw call is used while syncs are quick; one slower than rawSyncMax
// switches the journal to the ordinary call for rawSyncBackoff, and then
// it tries the raw call again. Errors come back from either.
func TestJournalSyncFallsBackToTheOrdinaryCallAfterASlowSync(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	var calls []string
	var rawTakes time.Duration
	var fail error
	s := journalSync{
		now: func() time.Time { return now },
		raw: func(*os.File) error {
			calls = append(calls, "raw")
			now = now.Add(rawTakes)
			return fail
		},
		ordinary: func(*os.File) error {
			calls = append(calls, "ordinary")
			now = now.Add(time.Millisecond)
			return fail
		},
	}
	step := func(want string) {
		t.Helper()
		calls = calls[:0]
		if err := s.sync(nil, now); !errors.Is(err, fail) {
			t.Fatalf("sync returned %v, want %v", err, fail)
		}
		if len(calls) != 1 || calls[0] != want {
			t.Fatalf("sync made %v, want [%s]", calls, want)
		}
	}

	rawTakes = rawSyncMax // at the bound: still quick
	step("raw")
	step("raw")
	rawTakes = rawSyncMax + time.Millisecond
	step("raw") // this one is slow
	rawTakes = time.Millisecond
	step("ordinary")
	now = now.Add(rawSyncBackoff - 2*time.Millisecond)
	step("ordinary") // the backoff is not over yet
	now = now.Add(time.Millisecond)
	step("raw")
	step("raw")

	fail = errors.New("injected sync failure")
	step("raw")
	rawTakes = time.Hour
	step("raw")
	step("ordinary")
}

// rawFdatasync makes the call and reports its failure: a pipe cannot be
// synced (EINVAL), nor can a closed file (EBADF); a file can.
func TestRawFdatasync(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("click")); err != nil {
		t.Fatal(err)
	}
	if err := rawFdatasync(f); err != nil {
		t.Errorf("fdatasync of a file: %v", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if err := rawFdatasync(w); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("fdatasync of a pipe: %v, want EINVAL", err)
	}
	f.Close()
	if err := rawFdatasync(f); !errors.Is(err, syscall.EBADF) {
		t.Errorf("fdatasync of a closed file: %v, want EBADF", err)
	}
}

// A click is acknowledged only once the fdatasync of its group has
// returned, whichever call makes it, and a failed one refuses it.
func TestJournalAcknowledgesAClickOnlyAfterItsSync(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	e.click(p, "203.0.113.1") // the journal file exists
	j := e.st.journal
	entered := make(chan string, 1)
	release := make(chan error)
	blocking := func(name string) func(*os.File) error {
		return func(*os.File) error {
			entered <- name
			return <-release
		}
	}
	// Set before the clicks below are handed to the journal goroutine
	// (a channel send), so it sees them.
	j.syncs.raw, j.syncs.ordinary = blocking("raw"), blocking("ordinary")

	for _, fail := range []error{nil, errors.New("injected sync failure")} {
		done := make(chan error, 1)
		go func() {
			_, err := e.tryClick(p, "203.0.113.2")
			done <- err
		}()
		select {
		case <-entered:
		case err := <-done:
			t.Fatalf("click answered (%v) without an fdatasync of its group", err)
		case <-time.After(time.Minute):
			t.Fatal("no fdatasync of the click's group in a minute")
		}
		select {
		case err := <-done:
			t.Fatalf("click answered (%v) before the fdatasync of its group returned", err)
		case <-time.After(50 * time.Millisecond):
		}
		release <- fail
		if err := <-done; (err == nil) != (fail == nil) {
			t.Fatalf("click answered %v after a sync that returned %v", err, fail)
		}
	}
}

// The journal file is zero-filled at least journalAlloc past its last
// record (written in chunks of one buffer), so an fdatasync flushes data,
// not a new file size.
func TestJournalZeroFillsAhead(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	e.click(p, "203.0.113.1")
	e.click(p, "203.0.113.2")
	e.st.stopJournal() // the journal goroutine's state is ours to read
	j := e.st.journal
	fi, err := j.f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if j.alloc < j.fileEnd+journalAlloc || fi.Size() != j.alloc {
		t.Fatalf("file size %d, zero-filled to %d, records end at %d: want zeros at least %d past the records",
			fi.Size(), j.alloc, j.fileEnd, journalAlloc)
	}
	ahead := make([]byte, j.alloc-j.fileEnd)
	if _, err := j.f.ReadAt(ahead, j.fileEnd); err != nil {
		t.Fatal(err)
	}
	for i, b := range ahead {
		if b != 0 {
			t.Fatalf("byte %d past the records is %#x, want 0", i, b)
		}
	}
}
