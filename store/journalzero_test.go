package store

import "testing"

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
