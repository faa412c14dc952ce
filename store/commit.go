package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// maxGroup bounds one group commit.
const maxGroup = 4096

// applyEvery is the shortest time between two commits that store only
// journaled clicks (journal.go): under load each stores every click of
// the last applyEvery in one transaction, instead of one bbolt commit
// (two fdatasyncs and the pages rewritten) per small group. Changes and
// reads that need the clicks do not wait for it: their commit stores the
// journaled clicks first.
const applyEvery = 20 * time.Millisecond

// writeFn is one change in a group commit. It may add day-counter changes
// to deltas; they are applied once per commit. It may run more than once
// (when another change in its group fails, the group is retried without
// it), so it must set its outputs afresh on each run.
type writeFn func(tx *bolt.Tx, deltas map[string]*Counters) error

type writeReq struct {
	program string // the program the change is about ("" = unknown)
	click   bool   // a click: its counters may wait for the next flush
	flush   bool   // no change: the group counts the clicks waiting
	quiet   bool   // upkeep that changes no figure (background.go)
	fn      writeFn
	err     error
	done    chan struct{}
}

// groupWriter commits changes by group commit: one goroutine takes every
// change waiting, applies them in one transaction (one fsync) and starts
// the next commit as soon as that one ends, with no batching delay. A
// change is acknowledged only once its commit is durable.
type groupWriter struct {
	db     *bolt.DB
	hooks  txHooks
	reqs   chan *writeReq
	quit   chan struct{}
	exited chan struct{}
	// notify, when set, is told what each committed group changed.
	notify func(c changeSet)
	// stage, when set, is given each group's changes before they are
	// applied (the top partners view takes them on commit: topview.go).
	stage func(tx *bolt.Tx, deltas map[string]*Counters)
	// journal, when set, holds clicks durable but not yet in bbolt: every
	// transaction first stores them with applyJournal (journalstore.go),
	// and kick says that some wait.
	journal      *clickJournal
	applyJournal func(tx *bolt.Tx, groups []journalGroup, end uint64) error
	kick         chan struct{}
	// countsWait says that click counts wait in memory for a flush (set
	// after each commit, before the journal position is marked applied).
	countsWait atomic.Bool
	// applyEvery spaces the commits that store journaled clicks alone
	// (nanoseconds: the constant; tests may change it).
	applyEvery atomic.Int64
}

// txHooks hear of each transaction the writer begins and of each one
// that commits (state kept for the open transaction, as the name
// interner's, is dropped on begin and kept on commit; committed returns
// programs whose counters it flushed). flushBeforeTx runs first in a
// transaction with more than clicks, flushTx in each transaction after its
// changes, before the counters are applied (force: the group holds more
// than clicks, or few); due says whether a flush is waiting and when.
type txHooks interface {
	begin()
	committed() []string
	flushTx(tx *bolt.Tx, deltas map[string]*Counters, force bool) error
	flushBeforeTx(tx *bolt.Tx) error
	due() (time.Duration, bool)
}

func newGroupWriter(db *bolt.DB, hooks txHooks) *groupWriter {
	w := &groupWriter{db: db, hooks: hooks, reqs: make(chan *writeReq, maxGroup), quit: make(chan struct{}),
		exited: make(chan struct{}), kick: make(chan struct{}, 1)}
	w.applyEvery.Store(int64(applyEvery))
	return w
}

// start runs the writer's goroutine (after journal and applyJournal are set).
func (w *groupWriter) start() { go w.loop() }

// kickApply tells the writer that journaled clicks wait to be applied.
func (w *groupWriter) kickApply() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// lagging says whether journaled clicks wait to be applied.
func (w *groupWriter) lagging() bool { return w.journal != nil && w.journal.lagging() }

func (w *groupWriter) close() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	<-w.exited
}

// do runs fn in a group commit and returns once it is durable.
func (w *groupWriter) do(ctx context.Context, fn writeFn) error {
	return w.doFor(ctx, "", fn)
}

// doFor is do for a change of one program, whose screens are signalled
// once it is committed.
func (w *groupWriter) doFor(ctx context.Context, program string, fn writeFn) error {
	return w.send(ctx, &writeReq{program: program, fn: fn, done: make(chan struct{})})
}

// doClick is doFor for a click: fn counts it with the writer's click
// counters (clickcounters.go), not in deltas; the screens are signalled
// when the counters are flushed.
func (w *groupWriter) doClick(ctx context.Context, program string, fn writeFn) error {
	return w.send(ctx, &writeReq{program: program, click: true, fn: fn, done: make(chan struct{})})
}

// flushClicks returns once the counts of every click committed so far are
// in the daily bucket.
func (w *groupWriter) flushClicks(ctx context.Context) error {
	return w.send(ctx, flushReq())
}

func (w *groupWriter) send(ctx context.Context, r *writeReq) error {
	return handOff(ctx, w.reqs, r, r.done, &r.err, w.quit, w.exited)
}

func (w *groupWriter) loop() {
	defer close(w.exited)
	batch := make([]*writeReq, 0, maxGroup)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	applyTimer := time.NewTimer(time.Hour)
	defer applyTimer.Stop()
	var lastCommit time.Time
	kicked := false      // journaled clicks wait for the next apply
	var held []*writeReq // upkeep riding in the next commit (background.go)
	for {
		var flush, apply <-chan time.Time
		if wait, ok := w.hooks.due(); ok {
			timer.Reset(wait)
			flush = timer.C
		}
		if kicked {
			applyTimer.Reset(max(0, time.Duration(w.applyEvery.Load())-time.Since(lastCommit)))
			apply = applyTimer.C
		}
		select {
		case r := <-w.reqs:
			if w.holdQuiet(r, len(held)) {
				held = append(held, r)
				kicked = true
				continue
			}
			batch = append(batch[:0], r)
		case <-flush: // clicks wait to be counted and nothing else comes
			batch = append(batch[:0], flushReq())
		case <-w.kick: // journaled clicks wait to be stored
			kicked = true
			continue
		case <-apply:
			kicked = false
			if !w.lagging() && len(held) == 0 {
				continue // a read or another change stored them already
			}
			batch = append(batch[:0], applyReq())
		case <-w.quit:
			for { // commit whatever is queued, store and count every click, then stop
				batch = append(batch[:0], held...)
				held = held[:0]
				w.drain(&batch)
				if len(batch) == 0 {
					if _, ok := w.hooks.due(); !ok && !w.lagging() {
						return
					}
					batch = append(batch, flushReq())
				}
				w.commit(batch)
			}
		}
		w.drain(&batch)
		batch = append(batch, held...)
		held = held[:0]
		w.commit(batch)
		lastCommit = time.Now() // every commit stores the journaled clicks
		if !w.lagging() {
			kicked = false
		}
	}
}

// flushReq is a change that changes nothing: a group with it counts the
// clicks waiting.
func flushReq() *writeReq {
	return &writeReq{flush: true, fn: func(*bolt.Tx, map[string]*Counters) error { return nil }, done: make(chan struct{})}
}

// applyReq is a change that changes nothing, as one click: a group with
// it stores the journaled clicks (their counts may wait for a flush).
func applyReq() *writeReq {
	return &writeReq{click: true, flush: true, fn: func(*bolt.Tx, map[string]*Counters) error { return nil }, done: make(chan struct{})}
}

// seeClicks returns once every click journaled so far is stored in bbolt
// and counted in the daily counters.
// waited says whether it waited for a commit.
func (w *groupWriter) seeClicks(ctx context.Context) (waited bool, err error) {
	if !w.lagging() && !w.countsWait.Load() {
		return false, nil
	}
	return true, w.send(ctx, flushReq())
}

func (w *groupWriter) drain(batch *[]*writeReq) {
	for len(*batch) < maxGroup {
		select {
		case r := <-w.reqs:
			*batch = append(*batch, r)
		default:
			return
		}
	}
}

// failedChange marks the change at index i as the cause of a rollback.
type failedChange struct {
	i   int
	err error
}

func (f *failedChange) Error() string { return f.err.Error() }

// commit applies a group in one transaction. When one change fails, the
// transaction is rolled back, that change gets its error, and the others
// are committed again without it.
func (w *groupWriter) commit(batch []*writeReq) {
	defer func() {
		// A panic outside the changes themselves (applying the counters, the
		// commit) fails the whole group; the writer goes on with the next.
		if p := recover(); p != nil {
			for _, r := range batch {
				select {
				case <-r.done:
				default:
					r.err = fmt.Errorf("commit: panic: %v", p)
					close(r.done)
				}
			}
		}
	}()
	// The journaled clicks go first in the transaction, retries included.
	var groups []journalGroup
	var journalEnd uint64
	nJournaled := 0
	if w.journal != nil {
		groups, journalEnd = w.journal.pending()
		for _, g := range groups {
			nJournaled += len(g.recs)
		}
	}
	for len(batch) > 0 {
		w.hooks.begin()
		onlyClicks := true
		nClicks := nJournaled
		for _, r := range batch {
			onlyClicks = onlyClicks && (r.click || r.quiet)
			if r.click && !r.flush {
				nClicks++
			}
		}
		force := !onlyClicks || nClicks < deferMinGroup // clickcounters.go
		err := w.db.Update(func(tx *bolt.Tx) error {
			if len(groups) > 0 {
				if err := w.applyJournal(tx, groups, journalEnd); err != nil {
					return fmt.Errorf("store journaled clicks: %w", err)
				}
			}
			if !onlyClicks { // its changes see every click committed before
				if err := w.hooks.flushBeforeTx(tx); err != nil {
					return err
				}
			}
			deltas := map[string]*Counters{}
			for i, r := range batch {
				if err := safeRun(r.fn, tx, deltas); err != nil {
					return &failedChange{i: i, err: err}
				}
			}
			if err := w.hooks.flushTx(tx, deltas, force); err != nil {
				return err
			}
			if w.stage != nil {
				w.stage(tx, deltas)
			}
			return applyDeltasTx(tx, deltas)
		})
		var counted []string
		var partners map[uint64]bool
		if err == nil {
			counted = w.hooks.committed()
			if fp, ok := w.hooks.(flushedPartnerHooks); ok {
				partners = fp.flushedPartners()
			}
			_, wait := w.hooks.due()
			w.countsWait.Store(wait)
			if len(groups) > 0 {
				w.journal.markApplied(journalEnd)
			}
		}
		var fc *failedChange
		if errors.As(err, &fc) {
			batch[fc.i].err = fc.err
			close(batch[fc.i].done)
			batch = append(batch[:fc.i:fc.i], batch[fc.i+1:]...)
			continue
		}
		// The screens are signalled before the changes return: a caller
		// that waited for a commit (Store.seeClicks) reads a Version that
		// counts it.
		if err == nil && w.notify != nil {
			if c := batchChanges(batch, counted, partners); len(c.all)+len(c.clicks) > 0 {
				w.notify(c)
			}
		}
		for _, r := range batch {
			if err != nil {
				r.err = fmt.Errorf("commit: %w", storageErr(err))
			}
			close(r.done)
		}
		return
	}
}

func safeRun(fn writeFn, tx *bolt.Tx, deltas map[string]*Counters) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in write: %v", p)
		}
	}()
	return fn(tx, deltas)
}

// flushedPartnerHooks is the txHooks that also tell whose click counts
// the last committed transaction flushed (for the partners' screens).
type flushedPartnerHooks interface {
	flushedPartners() map[uint64]bool
}

// batchChanges is what a committed group changed: the programs of its
// changes other than clicks (all of their data), and the programs whose
// click counts it flushed (counted), of the partners in partners (nil:
// not known).
func batchChanges(batch []*writeReq, counted []string, partners map[uint64]bool) changeSet {
	var c changeSet
	for _, r := range batch {
		if !r.click && !r.flush && !r.quiet && !slices.Contains(c.all, r.program) {
			c.all = append(c.all, r.program)
		}
	}
	for _, p := range counted {
		if !slices.Contains(c.all, p) && !slices.Contains(c.clicks, p) {
			c.clicks = append(c.clicks, p)
		}
	}
	if len(c.clicks) > 0 {
		c.partners = partners
	}
	return c
}
