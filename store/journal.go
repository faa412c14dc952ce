package store

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/affogato-sh/affogato/store/errs"
)

// The click journal. A click is durable once it is in the journal, an
// append-only file next to the database (JournalSuffix): one goroutine
// takes every click waiting, gives each its id, writes them with one
// write and one fdatasync (group commit) and only then acknowledges them.
// The group writer (commit.go) applies the journaled clicks to bbolt off
// the request path: every transaction it commits first stores every click
// journaled so far (click records, uniq keys, counts) and, in the same
// transaction, the journal position they reach (metaJournalApplied). So a
// conversion, refund or any other change sees every click acknowledged
// before it, and a crash loses nothing: Open replays the journal from the
// applied position. Reads that need clicks (stats, screens, a click by id,
// backups) wait for the applier first when it lags (Store.seeClicks).
//
// File layout: a header (journalMagic, the logical position of the file's
// first record, a CRC of both), then records, each
//
//	0-3   payload length, big-endian
//	4-7   CRC-32C of the payload
//	8-    payload (encodeJournalClick)
//
// and zeros after the last one (the file is zero-filled ahead of the
// writes, so that an fdatasync flushes data only, not a new file size).
// A record with length 0, a bad CRC or cut short ends the journal: it is a
// torn write of a group that was never acknowledged. Positions are
// logical: a record's position is the file's base plus its offset after
// the header, so they keep growing when the file is started afresh
// (rotate) with the records not yet applied.
const (
	// JournalSuffix is appended to the database file's path to name its
	// click journal.
	JournalSuffix = "-clicks.journal"

	journalMagic     = "AFFCLKJ1"
	journalHeaderLen = 20
	journalFrameLen  = 8
	// journalAlloc is how far ahead of the writes the file is zero-filled.
	journalAlloc = 1 << 20
	// journalZeroChunk is the size of the zero-filling writes.
	journalZeroChunk = 64 << 10
	// journalRotateAt is the file size past which the journal starts a new
	// file holding only the records not yet applied.
	journalRotateAt = 16 << 20
	// maxUnapplied bounds the journaled clicks waiting for the applier
	// (memory): past it, new clicks wait.
	maxUnapplied = 200_000
	// journalFullWait is how long a group waits for the applier past
	// maxUnapplied before its clicks are refused.
	journalFullWait = 5 * time.Second
	// maxJournalPayload bounds a record (three names of at most 64 KiB).
	maxJournalPayload = 1 << 18
	// journalSyncGap is the least time from one group's write to the
	// next one's: a group that would start sooner waits for the rest of
	// the gap and takes the clicks that come meanwhile. Under load this
	// makes fewer, larger groups (each fdatasync costs the kernel CPU
	// whatever it holds); a click that comes alone, longer than the gap
	// after the last group, does not wait.
	journalSyncGap = 400 * time.Microsecond
)

// metaJournalApplied is the meta key of the journal position up to which
// every journaled click is stored in bbolt.
var metaJournalApplied = []byte("journal_applied")

var crc32c = crc32.MakeTable(crc32.Castagnoli)

// errJournalBehind refuses clicks while the database does not take the
// journaled ones (waitApplied).
var errJournalBehind error = errs.Sentinel(errs.EUnavailable, "the database is not keeping up with the clicks")

// journalRec is one journaled click: the click (its id set), the full
// salted IP hash (the uniq key needs it) and the position after it.
type journalRec struct {
	c   *Click
	h   []byte
	end uint64
}

// journalGroup is the records of one group commit, with their bytes as
// written (kept until applied, to carry them into a rotated file).
type journalGroup struct {
	data       []byte
	start, end uint64
	recs       []journalRec
}

// journalReq is one click handed to the journal goroutine. Requests are
// reused (clickJournal.reqPool): done is buffered and signalled with a
// send, so that it is empty again once the answer is read.
type journalReq struct {
	c    *Click
	h    []byte
	err  error
	done chan struct{}
}

// clickJournal is the click journal of one open store.
type clickJournal struct {
	path string
	// The journal goroutine's own state.
	f       *os.File
	base    uint64 // position of the file's first record
	fileEnd int64  // file offset after the last durable record
	alloc   int64  // the file is zero-filled up to here
	nextID  uint64 // the last click id given
	buf     []byte

	reqs   chan *journalReq
	quit   chan struct{}
	exited chan struct{}
	kick   func() // tells the applier that records wait
	// recent sets a click's RecentFromIP from the store's IP window
	// (ipwindow.go). The journal goroutine calls it for each click it
	// journals, in journal order, just before the click is encoded: under
	// 1024 connections the window's one lock, taken by every request, was
	// the most contended lock of the server (a waiter handed the lock sat
	// in the run queue, so the next clicks queued behind it). Nil: the
	// clicks keep the count they come with.
	recent func(c *Click, h []byte)
	// rotateAt is the file size past which a group starts a new file
	// (journalRotateAt; tests make it small).
	rotateAt atomic.Int64
	// maxQueued and fullWait: past maxQueued clicks waiting for the
	// applier, a group waits up to fullWait (nanoseconds) for it and is
	// then refused (maxUnapplied, journalFullWait; tests change them).
	maxQueued, fullWait atomic.Int64
	// syncGap is journalSyncGap (nanoseconds; tests change it), and
	// lastWrite when the last group's write began.
	syncGap   atomic.Int64
	lastWrite time.Time
	// zeros is what zeroFill writes ahead of the records, made once.
	zeros []byte

	// made says the journal file exists: it did at open, or a group made
	// it since (a store opened only to be read has none).
	made    atomic.Bool
	durable atomic.Uint64 // position after the last durable record
	applied atomic.Uint64 // position up to which bbolt holds the clicks

	reqPool sync.Pool // of *journalReq
	// broken, once set, refuses every click: a failed write could not be
	// cut off the file (cutBack). Only the journal goroutine uses it.
	broken error
	// testFault, when set (tests), makes the file operations fail.
	testFault atomic.Pointer[func(op string) error]

	mu     sync.Mutex
	queue  []journalGroup // durable, not yet applied
	queued int            // records in queue
}

// openJournal opens (creating when missing) the journal at path of a
// database whose clicks are applied up to applied (ok: the database has
// a journal position). It returns the records not yet applied; the file
// is cut after its last whole record. kick is called when records wait
// for the applier.
func openJournal(path string, applied uint64, ok bool, lastID uint64, kick func()) (*clickJournal, []journalRec, error) {
	j := &clickJournal{path: path, reqs: make(chan *journalReq, maxGroup), quit: make(chan struct{}),
		exited: make(chan struct{}), kick: kick, nextID: lastID}
	j.rotateAt.Store(journalRotateAt)
	j.maxQueued.Store(maxUnapplied)
	j.fullWait.Store(int64(journalFullWait))
	j.syncGap.Store(int64(journalSyncGap))
	jf, err := readJournal(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		// A new database, one from before the journal, or a backup: every
		// click it has is in bbolt. The file is made with the first click
		// (write), so that opening a copy only to read it (affogato check)
		// leaves no file behind.
		j.base = applied
		j.durable.Store(applied)
		j.applied.Store(applied)
		return j, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("click journal %s: %w", path, err)
	}
	if !ok {
		applied = jf.base
	}
	if applied < jf.base || applied > jf.end() {
		return nil, nil, fmt.Errorf("click journal %s holds positions %d to %d but the database has applied it up to %d: it is not this database's journal (move it away to open the database)",
			path, jf.base, jf.end(), applied)
	}
	var todo []journalRec
	for _, r := range jf.recs {
		if r.end > applied {
			todo = append(todo, r)
		}
		j.nextID = max(j.nextID, r.c.ID)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("click journal: %w", err)
	}
	j.f, j.base, j.fileEnd, j.alloc = f, jf.base, jf.valid, jf.valid
	j.made.Store(true)
	if jf.valid < jf.size { // a torn tail (or the zeros ahead): cut it, zero-fill afresh
		if err := f.Truncate(jf.valid); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("click journal: cut the torn tail: %w", err)
		}
	}
	if err := j.zeroFill(journalAlloc); err != nil {
		f.Close()
		return nil, nil, err
	}
	if err := fdatasync(f); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("click journal: sync: %w", err)
	}
	j.durable.Store(jf.end())
	j.applied.Store(applied)
	return j, todo, nil
}

// create starts a new journal file whose first record will be at base,
// holding the bytes of the groups given (records not yet applied), and
// makes it the journal (atomically: written aside, synced, renamed).
func (j *clickJournal) create(base uint64, groups []journalGroup) error {
	tmp := j.path + ".new"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("click journal: %w", err)
	}
	data := journalHeader(base)
	for _, g := range groups {
		data = append(data, g.data...)
	}
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("click journal: %w", err)
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		return fail(err)
	}
	old, oldBase, oldEnd, oldAlloc := j.f, j.base, j.fileEnd, j.alloc
	undo := func(err error) error {
		// The journal goes on in the old file, where it was.
		j.f, j.base, j.fileEnd, j.alloc = old, oldBase, oldEnd, oldAlloc
		return fail(err)
	}
	j.f, j.base, j.fileEnd, j.alloc = f, base, int64(len(data)), int64(len(data))
	if err := j.zeroFill(journalAlloc); err != nil {
		return undo(err)
	}
	err = f.Sync()
	if err == nil {
		err = j.fault("rotate")
	}
	if err != nil {
		return undo(err)
	}
	if err := os.Rename(tmp, j.path); err != nil {
		return undo(err)
	}
	j.made.Store(true)
	if err := syncDir(filepath.Dir(j.path)); err != nil {
		return fmt.Errorf("click journal: %w", err)
	}
	if old != nil {
		old.Close()
	}
	return nil
}

// zeroFill zero-fills the file n bytes and more past its end, when it is
// not yet. It is an optimisation only: on a full disk it gives up, and the
// writes extend the file (each fdatasync then flushes its size too).
func (j *clickJournal) zeroFill(n int64) error {
	if j.alloc >= j.fileEnd+n {
		return nil
	}
	want := j.fileEnd + n + journalAlloc
	if j.zeros == nil {
		j.zeros = make([]byte, journalZeroChunk)
	}
	// In chunks of one reused buffer: a fresh megabyte of zeros each time
	// was garbage, and clearing it swept the CPU's cache.
	for j.alloc < want {
		chunk := j.zeros[:min(int64(len(j.zeros)), want-j.alloc)]
		if _, err := j.f.WriteAt(chunk, j.alloc); err != nil {
			return nil // the space was not there; the zeros written are harmless
		}
		j.alloc += int64(len(chunk))
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}

// start runs the journal's goroutine.
func (j *clickJournal) start() { go j.loop() }

// append journals c (h: its full salted IP hash) and returns once it is
// durable; c.ID is set then.
func (j *clickJournal) append(ctx context.Context, c *Click, h []byte) error {
	r, _ := j.reqPool.Get().(*journalReq)
	if r == nil {
		r = &journalReq{done: make(chan struct{}, 1)}
	}
	r.c, r.h, r.err = c, h, nil
	err := handOff(ctx, j.reqs, r, r.done, &r.err, j.quit, j.exited)
	if err == nil || r.err != nil {
		// Answered (done was read): nothing refers to r any more.
		r.c, r.h, r.err = nil, nil, nil
		j.reqPool.Put(r)
	}
	return err
}

func (j *clickJournal) loop() {
	defer close(j.exited)
	batch := make([]*journalReq, 0, maxGroup)
	for {
		select {
		case r := <-j.reqs:
			batch = append(batch[:0], r)
		case <-j.quit:
			for {
				batch = batch[:0]
				j.drain(&batch)
				if len(batch) == 0 {
					return
				}
				j.write(batch)
			}
		}
		j.drain(&batch)
		j.gather(&batch)
		j.write(batch)
	}
}

// gather waits, when the last group's write began less than syncGap ago,
// for the rest of the gap, and adds the clicks that came meanwhile.
func (j *clickJournal) gather(batch *[]*journalReq) {
	if len(*batch) >= maxGroup {
		return
	}
	if wait := time.Duration(j.syncGap.Load()) - time.Since(j.lastWrite); wait > 0 {
		time.Sleep(wait)
		j.drain(batch)
	}
}

func (j *clickJournal) drain(batch *[]*journalReq) {
	for len(*batch) < maxGroup {
		select {
		case r := <-j.reqs:
			*batch = append(*batch, r)
		default:
			return
		}
	}
}

// write journals one group: one write, one fdatasync, then the group is
// queued for the applier and acknowledged.
func (j *clickJournal) write(batch []*journalReq) {
	if j.broken != nil {
		for _, r := range batch {
			r.err = storageErr(j.broken)
			r.done <- struct{}{}
		}
		return
	}
	j.mu.Lock()
	full := j.queued > int(j.maxQueued.Load())
	j.mu.Unlock()
	if full && !j.waitApplied() {
		err := fmt.Errorf("click journal: %d clicks wait for the database for over %s: %w",
			j.queuedNow(), time.Duration(j.fullWait.Load()), errJournalBehind)
		for _, r := range batch {
			r.err = err
			r.done <- struct{}{}
		}
		return
	}
	j.mu.Lock()
	rotating := j.f == nil || j.fileEnd > j.rotateAt.Load() // no file yet: made now
	var rotate []journalGroup
	if rotating {
		rotate = append(rotate, j.queue...)
	}
	j.mu.Unlock()
	err := func() error {
		if rotating {
			// The new file starts at the first record not applied; the
			// records not applied are copied into it as they are.
			base := j.durable.Load()
			if len(rotate) > 0 {
				base = rotate[0].start
			}
			if err := j.create(base, rotate); err != nil {
				return err
			}
		}
		start := j.durable.Load()
		g := journalGroup{start: start, recs: make([]journalRec, len(batch))}
		buf := j.buf[:0]
		id := j.nextID
		for i, r := range batch {
			id++
			r.c.ID = id
			if j.recent != nil {
				j.recent(r.c, r.h)
			}
			buf = encodeJournalClick(buf, r.c, r.h)
			g.recs[i] = journalRec{c: r.c, h: r.h, end: start + uint64(len(buf))}
		}
		j.buf = buf
		j.lastWrite = time.Now()
		if err := j.zeroFill(int64(len(buf))); err != nil {
			return err
		}
		_, err := j.f.WriteAt(buf, j.fileEnd)
		if err == nil {
			err = j.fault("write")
		}
		if err != nil {
			return j.cutBack(fmt.Errorf("click journal: write: %w", err))
		}
		err = fdatasync(j.f)
		if err == nil {
			err = j.fault("sync")
		}
		if err != nil {
			return j.cutBack(fmt.Errorf("click journal: sync: %w", err))
		}
		j.nextID = id
		j.fileEnd += int64(len(buf))
		g.end = start + uint64(len(buf))
		g.data = append([]byte(nil), buf...)
		j.mu.Lock()
		j.queue = append(j.queue, g)
		j.queued += len(g.recs)
		j.durable.Store(g.end)
		j.mu.Unlock()
		return nil
	}()
	for _, r := range batch {
		if err != nil {
			r.err = storageErr(err)
		}
		r.done <- struct{}{}
	}
	if err == nil {
		j.kick()
	}
}

// cutBack handles a group whose write or fdatasync failed (cause). Its
// clicks are refused, yet its bytes may be in the file: a write cut
// short leaves part of them, and after a failed fdatasync what reached
// the disk is unknown. Replayed at the next start, they would store
// clicks never acknowledged (and under ids the next groups take again).
// So the file is cut back to the end of the last durable group, and the
// cut made durable (fsync); the journal then goes on from there. When
// that fails too, where the file ends on disk is unknown: the journal
// refuses every click until the store is opened again (broken). It
// returns cause, or the error that broke the journal.
func (j *clickJournal) cutBack(cause error) error {
	err := j.f.Truncate(j.fileEnd)
	if err == nil {
		err = j.fault("cut")
	}
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		j.broken = fmt.Errorf("click journal: a failed write could not be cut off (%v), clicks are refused until restart: %w", err, cause)
		return j.broken
	}
	j.alloc = j.fileEnd // the zeros ahead went with the cut
	return cause
}

// fault is the failure a test injects into the journal's file operation
// op ("write", "sync", "cut", "rotate"): the operation itself is done, then fails.
func (j *clickJournal) fault(op string) error {
	if f := j.testFault.Load(); f != nil {
		return (*f)(op)
	}
	return nil
}

// waitApplied waits, at most fullWait, until the applier has taken the
// queue under maxQueued; it says whether it did. A database that cannot
// keep up (or fails every commit) thus refuses clicks with an error rather
// than holding the visitors' requests, or memory, without bound.
func (j *clickJournal) waitApplied() bool {
	deadline := time.Now().Add(time.Duration(j.fullWait.Load()))
	for {
		if j.queuedNow() <= int(j.maxQueued.Load()) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
}

func (j *clickJournal) queuedNow() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.queued
}

// lagging says whether journaled clicks wait for the applier.
func (j *clickJournal) lagging() bool { return j.applied.Load() < j.durable.Load() }

// pending returns the groups journaled and not yet applied, and the
// position after them.
func (j *clickJournal) pending() ([]journalGroup, uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.queue) == 0 {
		return nil, j.applied.Load()
	}
	return append([]journalGroup(nil), j.queue...), j.queue[len(j.queue)-1].end
}

// markApplied records that bbolt holds every click up to end.
func (j *clickJournal) markApplied(end uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	i := 0
	for i < len(j.queue) && j.queue[i].end <= end {
		j.queued -= len(j.queue[i].recs)
		i++
	}
	j.queue = append(j.queue[:0], j.queue[i:]...)
	if end > j.applied.Load() {
		j.applied.Store(end)
	}
}

// stop stops taking clicks and returns once every click taken is
// journaled.
func (j *clickJournal) stop() {
	select {
	case <-j.quit:
	default:
		close(j.quit)
	}
	<-j.exited
}

// close closes the file, after stop and once the applier is done: a
// journal whose every click is applied starts an empty file.
func (j *clickJournal) close() error {
	if j.f == nil {
		return nil
	}
	var err error
	if !j.lagging() && j.fileEnd > journalHeaderLen {
		err = j.create(j.durable.Load(), nil)
	}
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.f = nil
	return err
}
