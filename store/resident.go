package store

import (
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Defaults of the resident-memory trimmer (resident_linux.go says why it
// exists): every residentCheckEvery the process's file-backed resident
// memory is read, and the database's mapping is unmapped again when it is
// above DefaultResidentFileLimit (the binary's own text counts in it too,
// 15-20 MB). The check reads /proc/self/statm (a few µs); a trim walks the
// mapping's page tables and the pages come back with minor faults as they
// are read again.
const (
	DefaultResidentFileLimit = 48 << 20
	residentCheckEvery       = 25 * time.Millisecond
)

// residentTrimmer runs the periodic check while the store is open.
type residentTrimmer struct {
	db    *bolt.DB
	limit int64
	every time.Duration
	trims atomic.Int64
	stop  chan struct{}
	poked chan struct{}
	last  time.Time // the last check (the trimmer's goroutine only)
	once  sync.Once
	wg    sync.WaitGroup
}

// startResidentTrimmer starts the check; a limit below zero turns it off
// (nil), zero means DefaultResidentFileLimit.
func startResidentTrimmer(db *bolt.DB, limit int64, every time.Duration) *residentTrimmer {
	if limit < 0 || !residentTrimSupported {
		return nil
	}
	if limit == 0 {
		limit = DefaultResidentFileLimit
	}
	t := &residentTrimmer{db: db, limit: limit, every: every, stop: make(chan struct{}), poked: make(chan struct{}, 1)}
	t.wg.Add(1)
	go t.run()
	return t
}

func (t *residentTrimmer) run() {
	defer t.wg.Done()
	tick := time.NewTicker(t.every)
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
			t.check()
		case <-t.poked:
			if time.Since(t.last) >= residentPokeGap {
				t.check()
			}
		}
	}
}

// residentPokeGap is the least time between two checks asked for by poke.
const residentPokeGap = 5 * time.Millisecond

// poke asks for a check now: the group writer calls it after each commit,
// since a counter flush is what maps most of the file in at once. It never
// blocks; safe on nil.
func (t *residentTrimmer) poke() {
	if t == nil {
		return
	}
	select {
	case t.poked <- struct{}{}:
	default:
	}
}

// check trims the mapping when the file-backed resident memory is above
// the limit. Errors (no /proc) leave the mapping as it is: the figure is
// then only larger, nothing breaks.
func (t *residentTrimmer) check() {
	t.last = time.Now()
	n, err := fileResident()
	if err != nil || n <= t.limit {
		return
	}
	if dropResident(t.db) == nil {
		t.trims.Add(1)
	}
}

// close stops the check; safe on nil and more than once.
func (t *residentTrimmer) close() {
	if t == nil {
		return
	}
	t.once.Do(func() { close(t.stop) })
	t.wg.Wait()
}

// ResidentTrims says how many times the database's mapping was unmapped
// because the process's file-backed resident memory passed its limit
// (Options.ResidentFileLimit), for /metrics.
func (s *Store) ResidentTrims() int64 {
	if s.resident == nil {
		return 0
	}
	return s.resident.trims.Load()
}
