package store

import (
	"os"
	"syscall"
	"time"
)

// The journal's fdatasync, and why it is made as a raw system call while
// the disk answers quickly.
//
// A goroutine in an ordinary system call that lasts more than a few tens
// of microseconds loses its P (the runtime gives it to another thread),
// and when the call returns it waits for a P in the global run queue.
// Under 1024 redirector connections that queue holds hundreds of runnable
// HTTP goroutines: the journal goroutine got back to work 0.7-2.4 ms after
// each fdatasync (which itself took about 0.9 ms under that load), so a
// group commit took 2.2-4.7 ms instead of 1.4-1.7, and about twice as many
// requests sat parked waiting for it, their connections' state going cold
// in the CPU caches meanwhile. Made as a raw system call, the fdatasync
// keeps the journal goroutine's P, and the group is acknowledged as soon
// as the disk answers.
//
// The price: while the fdatasync runs, its P runs nothing else (the server
// runs twice as many Ps as cores, cmd/affogato), and a stop-the-world of
// the garbage collector waits for it to return. So the raw call is used
// only while syncs are quick: one that takes longer than rawSyncMax makes
// the journal use the ordinary call for rawSyncBackoff, so that a slow or
// stalling disk holds a P (and can hold up a collection) for at most one
// sync per backoff.
const (
	rawSyncMax     = 20 * time.Millisecond
	rawSyncBackoff = 10 * time.Second
)

// journalSync is the journal's choice of fdatasync call. It is used by the
// journal goroutine only.
type journalSync struct {
	// raw and ordinary make a file's data durable (rawFdatasync and
	// fdatasync; tests replace them).
	raw, ordinary func(*os.File) error
	now           func() time.Time
	// ordinaryUntil: a slow sync was seen; until then the ordinary call is used.
	ordinaryUntil time.Time
}

func newJournalSync() journalSync {
	return journalSync{raw: rawFdatasync, ordinary: fdatasync, now: time.Now}
}

// sync makes f's written data durable; started is when the group's write
// began (its clock reading is reused, to read the clock once per sync).
func (s *journalSync) sync(f *os.File, started time.Time) error {
	if started.Before(s.ordinaryUntil) {
		return s.ordinary(f)
	}
	err := s.raw(f)
	if end := s.now(); end.Sub(started) > rawSyncMax {
		s.ordinaryUntil = end.Add(rawSyncBackoff)
	}
	return err
}

// rawFdatasync is fdatasync(2) without telling the scheduler that the call
// may block (see above): the calling goroutine keeps its P throughout.
func rawFdatasync(f *os.File) error {
	for {
		_, _, e := syscall.RawSyscall(syscall.SYS_FDATASYNC, f.Fd(), 0, 0)
		switch e {
		case 0:
			return nil
		case syscall.EINTR:
			continue
		default:
			return e
		}
	}
}
