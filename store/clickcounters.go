package store

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The day counters of clicks are written with the click while the writer
// keeps up: a group of fewer than deferMinGroup clicks (or with anything
// but clicks in it) counts every click waiting in its own transaction, so
// a reader sees a click's counts as soon as RecordClick returns. Under
// load (larger groups) the counts wait in memory and are written at most
// clickFlushEvery apart: the counter pages (today's records of every
// partner and link clicked, together under day-first keys, counters.go)
// are then written once per flush instead of once per commit.
// A click is durable (its record committed) before the redirector answers
// either way; the counts of committed clicks not yet flushed are counted
// again from the click records when the store opens (metaClicksCounted).
// Screens are signalled when the counts are written.
const (
	clickFlushEvery = 100 * time.Millisecond
	deferMinGroup   = 4
)

// maxUnflushed bounds the counter records waiting in memory.
const maxUnflushed = 50_000

// metaClicksCounted is the meta key of the highest click id whose counts
// are in the daily bucket; clicks above it are counted again on open
// (after a crash between a click's commit and its counters' flush).
var metaClicksCounted = []byte("clicks_counted")

// clickCounters holds the counter changes of clicks between commits and
// flushes. Only the group writer's goroutine uses it; clicks of the open
// transaction stay in pending until it commits.
type clickCounters struct {
	pending, unflushed         map[string]*Counters
	pendingMax, unflushedMax   uint64
	pendingProgs, unflushProgs map[string]bool
	// the partners whose clicks wait (as the programs above), and those
	// of the last flush, for the partners' own screens (changes.go)
	pendingPartners, unflushPartners map[uint64]bool
	flushedPartners                  map[uint64]bool
	flushedInTx                      bool
	unflushedInTx                    bool // the open transaction applied unflushed already
	pendingInTx                      bool // and the pending counts before its changes
	lastFlush                        time.Time
}

func newClickCounters() *clickCounters {
	return &clickCounters{pending: map[string]*Counters{}, unflushed: map[string]*Counters{},
		pendingProgs: map[string]bool{}, unflushProgs: map[string]bool{}, lastFlush: time.Now(),
		pendingPartners: map[uint64]bool{}, unflushPartners: map[uint64]bool{}}
}

// add counts one click of the open transaction.
func (cc *clickCounters) add(c *Click, id uint64, day string, unique int64) {
	addClickDelta(cc.pending, programDayKey(c.Program, day), 1, unique)
	addClickDelta(cc.pending, partnerDayKey(c.PartnerID, day), 1, unique)
	addLinkClickDelta(cc.pending, c.Program, c.Code, c.Sub, day, c.At)
	cc.pendingMax = max(cc.pendingMax, id)
	cc.pendingProgs[c.Program] = true
	cc.pendingPartners[c.PartnerID] = true
}

func (cc *clickCounters) begin() {
	clear(cc.pending)
	clear(cc.pendingProgs)
	clear(cc.pendingPartners)
	cc.pendingMax = 0
	cc.flushedInTx = false
	cc.unflushedInTx = false
	cc.pendingInTx = false
}

// flushBeforeTx applies the counts of the clicks committed before, and of
// the journaled clicks this transaction stored first (journal.go), first
// thing in a transaction whose changes read counters (a conversion's
// referral lifetime reads its link's click days): they see every click
// acknowledged before them, as when each click's counts were written with
// it. The transaction then records the flush (flushTx, forced).
func (cc *clickCounters) flushBeforeTx(tx *bolt.Tx) error {
	if len(cc.unflushed) == 0 && len(cc.pending) == 0 {
		return nil
	}
	deltas := map[string]*Counters{}
	mergeDeltas(deltas, cc.unflushed)
	mergeDeltas(deltas, cc.pending)
	if err := applyDeltasTx(tx, deltas); err != nil {
		return err
	}
	cc.unflushedInTx = true
	cc.pendingInTx = true
	clear(cc.pending) // applied; pendingMax and pendingProgs stay for the flush
	return nil
}

// committed keeps the committed transaction's clicks for the next flush,
// or forgets everything flushed with it. It returns the programs whose
// counters changed (for the screens).
func (cc *clickCounters) committed() []string {
	if cc.flushedInTx {
		var progs []string
		for p := range cc.unflushProgs {
			progs = append(progs, p)
		}
		for p := range cc.pendingProgs {
			if !cc.unflushProgs[p] {
				progs = append(progs, p)
			}
		}
		flushed := cc.unflushPartners
		for id := range cc.pendingPartners {
			flushed[id] = true
		}
		cc.flushedPartners, cc.unflushPartners = flushed, map[uint64]bool{}
		clear(cc.unflushed)
		clear(cc.unflushProgs)
		cc.unflushedMax = 0
		cc.begin()
		cc.lastFlush = time.Now()
		return progs
	}
	mergeDeltas(cc.unflushed, cc.pending)
	for p := range cc.pendingProgs {
		cc.unflushProgs[p] = true
	}
	for id := range cc.pendingPartners {
		cc.unflushPartners[id] = true
	}
	cc.unflushedMax = max(cc.unflushedMax, cc.pendingMax)
	cc.begin()
	return nil
}

// takeFlushedPartners returns the partners whose click counts the last
// committed flush wrote (nil: none since the last call).
func (cc *clickCounters) takeFlushedPartners() map[uint64]bool {
	p := cc.flushedPartners
	cc.flushedPartners = nil
	return p
}

// due says whether clicks wait to be counted, and how long until their
// flush is due.
func (cc *clickCounters) due() (time.Duration, bool) {
	if len(cc.unflushed) == 0 {
		return 0, false
	}
	return max(0, clickFlushEvery-time.Since(cc.lastFlush)), true
}

// flushTx adds the waiting click counts (committed before and of this
// transaction) to deltas and records the highest click id counted, when
// force is set, the last flush is clickFlushEvery old or too much waits.
func (cc *clickCounters) flushTx(tx *bolt.Tx, deltas map[string]*Counters, force bool) error {
	if len(cc.pending) == 0 && len(cc.unflushed) == 0 && !cc.pendingInTx {
		return nil
	}
	if !force && !cc.pendingInTx && time.Since(cc.lastFlush) < clickFlushEvery && len(cc.unflushed) < maxUnflushed {
		return nil
	}
	if !cc.unflushedInTx {
		mergeDeltas(deltas, cc.unflushed)
	}
	mergeDeltas(deltas, cc.pending)
	if top := max(cc.unflushedMax, cc.pendingMax); top > 0 {
		if err := tx.Bucket(bMeta).Put(metaClicksCounted, u64(top)); err != nil {
			return fmt.Errorf("count clicks: %w", err)
		}
	}
	cc.flushedInTx = true
	return nil
}

// mergeDeltas adds every change of from to into.
func mergeDeltas(into, from map[string]*Counters) {
	for k, d := range from {
		if c := into[k]; c != nil {
			c.Add(*d)
			continue
		}
		c := *d
		into[k] = &c
	}
}

// countClicksOnOpenTx counts the clicks stored above the last flushed one
// (committed, then a crash before their counters were flushed). A
// database without the mark was counted click by click: it is marked at
// its last click.
func countClicksOnOpenTx(tx *bolt.Tx) (int, error) {
	meta := tx.Bucket(bMeta)
	clicks := tx.Bucket(bClicks)
	mark := meta.Get(metaClicksCounted)
	if mark == nil {
		return 0, meta.Put(metaClicksCounted, u64(clicks.Sequence()))
	}
	from := btou(mark)
	deltas := map[string]*Counters{}
	n := 0
	c := clicks.Cursor()
	var top uint64
	for k, v := c.Seek(u64(from + 1)); k != nil; k, v = c.Next() {
		cl, err := decodeClickTx(tx, btou(k), v)
		if err != nil {
			return 0, err
		}
		var unique int64
		if len(v) == clickV1Len && v[1]&flagUnique != 0 {
			unique = 1
		}
		day := dayKey(cl.At)
		addClickDelta(deltas, programDayKey(cl.Program, day), 1, unique)
		addClickDelta(deltas, partnerDayKey(cl.PartnerID, day), 1, unique)
		addLinkClickDelta(deltas, cl.Program, cl.Code, cl.Sub, day, cl.At)
		top = binary.BigEndian.Uint64(k)
		n++
	}
	if n == 0 {
		return 0, nil
	}
	if err := applyDeltasTx(tx, deltas); err != nil {
		return 0, err
	}
	return n, meta.Put(metaClicksCounted, u64(top))
}

// writerState is the group writer's own state: the name interner and the
// click counts waiting for a flush.
type writerState struct {
	names  *names
	clicks *clickCounters
}

func (ws *writerState) begin() {
	ws.names.begin()
	ws.clicks.begin()
}

func (ws *writerState) committed() []string {
	ws.names.committed()
	return ws.clicks.committed()
}

func (ws *writerState) flushTx(tx *bolt.Tx, deltas map[string]*Counters, force bool) error {
	return ws.clicks.flushTx(tx, deltas, force)
}

func (ws *writerState) due() (time.Duration, bool) { return ws.clicks.due() }

func (ws *writerState) flushedPartners() map[uint64]bool { return ws.clicks.takeFlushedPartners() }

func (ws *writerState) flushBeforeTx(tx *bolt.Tx) error { return ws.clicks.flushBeforeTx(tx) }
