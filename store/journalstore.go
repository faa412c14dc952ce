package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// openJournalTx opens the click journal at path in the store's opening
// transaction and stores the clicks journaled but not applied (a crash
// after their acknowledgement): countClicksOnOpenTx, next, counts them
// (their ids are above the counters' mark), and the IP window sees them.
func (s *Store) openJournalTx(tx *bolt.Tx, path string) error {
	meta := tx.Bucket(bMeta)
	mark := meta.Get(metaJournalApplied)
	clicks := tx.Bucket(bClicks)
	j, todo, err := openJournal(path, btou(mark), mark != nil, clicks.Sequence(), func() { s.writer.kickApply() })
	if err != nil {
		return err
	}
	j.recent = func(c *Click, h []byte) { c.RecentFromIP = s.ipRecent.record(c.PartnerID, h, c.At) }
	s.journal = j
	names := newNames()
	for _, r := range todo {
		if v := clicks.Get(u64(r.c.ID)); v != nil {
			continue // stored already: replay is idempotent
		}
		if err := storeClickTx(tx, names, nil, r.c, r.c.ID, r.h, dayKey(r.c.At)); err != nil {
			return fmt.Errorf("replay the click journal: click %d: %w", r.c.ID, err)
		}
	}
	if err := meta.Put(metaJournalApplied, u64(j.durable.Load())); err != nil {
		return err
	}
	j.applied.Store(j.durable.Load())
	return nil
}

// applyJournalTx stores journaled clicks in bbolt, counted by the
// writer's click counters, and the journal position they reach. It runs
// on the group writer, first in its transactions.
func (s *Store) applyJournalTx(tx *bolt.Tx, groups []journalGroup, end uint64) error {
	clicks := tx.Bucket(bClicks)
	for _, g := range groups {
		for i := range g.recs {
			r := &g.recs[i]
			if r.c.ID <= clicks.Sequence() && clicks.Get(u64(r.c.ID)) != nil {
				continue // stored already
			}
			if err := storeClickTx(tx, s.wstate.names, s.wstate.clicks, r.c, r.c.ID, r.h, dayKey(r.c.At)); err != nil {
				return fmt.Errorf("click %d: %w", r.c.ID, err)
			}
		}
	}
	return tx.Bucket(bMeta).Put(metaJournalApplied, u64(end))
}

// startJournal starts the journal's goroutine and hands it to the writer.
func (s *Store) startJournal() {
	if s.journal == nil {
		return
	}
	s.writer.journal = s.journal
	s.writer.applyJournal = s.applyJournalTx
	s.journal.start()
}

// stopJournal stops taking clicks; those taken are journaled.
func (s *Store) stopJournal() {
	if s.journal != nil {
		s.journal.stop()
	}
}

// closeJournalFile closes the journal file (the writer stopped).
func (s *Store) closeJournalFile() error {
	if s.journal == nil {
		return nil
	}
	return s.journal.close()
}

// seeClicks returns once bbolt holds every click acknowledged so far, and
// their counts: reads that need clicks (the stats command, a click by id,
// backups; not the screens, below) call it first. It costs two atomic loads when nothing waits;
// otherwise it waits for one commit of the group writer (which stores the
// journaled clicks and flushes the counts). A closed store reads as is.
// It says whether it waited (the commit it waited for was signalled to
// the screens first: Version counts it).
//
// The wait is bounded by Options.ClickReadWait (DefaultClickReadWait): under a click load the database
// cannot keep up with, a commit of the waiting clicks can take seconds,
// and a screen or a command must not stall behind it. Past the bound the
// read goes on with what is stored; the commit that stores the rest is
// signalled to the screens (Subscribe), which read again.
func (s *Store) seeClicks() bool {
	if !s.writer.lagging() && !s.writer.countsWait.Load() {
		return false
	}
	done := make(chan bool, 1)
	go func() {
		waited, _ := s.writer.seeClicks(context.Background())
		done <- waited
	}()
	t := time.NewTimer(s.clickReadWait)
	defer t.Stop()
	select {
	case waited := <-done:
		return waited
	case <-t.C:
		return false
	}
}

// DefaultClickReadWait bounds how long a read waits for the group writer
// to store the clicks acknowledged before it (seeClicks), unless
// Options.ClickReadWait says otherwise.
const DefaultClickReadWait = 250 * time.Millisecond

// Screens do not wait for the click applier at all: a screen draws what
// is stored, and the commit that stores and counts the clicks still
// waiting is signalled to it (Subscribe), so it reads again and shows
// them (the shared reads of screencache.go and screenreads.go). Under a
// click load the database cannot keep up with, a wait of up to
// clickReadWait per read put 0.6-0.85 s on the first frame of 200
// sessions; each wait also queued a flush commit for the writer.

// screenReadKey marks a context as a screen's read (screenRead).
type screenReadKey struct{}

// screenRead marks ctx so that the reads given it do not wait for the
// click applier (seeClicksFor).
func screenRead(ctx context.Context) context.Context {
	return context.WithValue(ctx, screenReadKey{}, true)
}

// seeClicksFor is seeClicks for a read given ctx: a screen's read
// (screenRead) does not wait.
func (s *Store) seeClicksFor(ctx context.Context) bool {
	if ctx != nil && ctx.Value(screenReadKey{}) != nil {
		return false
	}
	return s.seeClicks()
}

// seeAllClicks is seeClicks without a bound, for a backup: the snapshot
// must hold every click acknowledged before it.
func (s *Store) seeAllClicks() {
	_, _ = s.writer.seeClicks(context.Background())
}

// checkJournalTx checks the click journal against the database: the
// journal reaches the applied position (no acknowledged click is lost),
// and every click journaled up to it is stored (replaying it would
// change nothing), unless the retention purge removed it.
func (s *Store) checkJournalTx(tx *bolt.Tx, bad func(string, ...any)) error {
	if s.journal == nil {
		return nil
	}
	jf, err := readJournal(s.journal.path)
	if errors.Is(err, os.ErrNotExist) && !s.journal.made.Load() {
		return nil // none at open and no click since: every click is in bbolt
	}
	if err != nil {
		bad("click journal %s: %v", s.journal.path, err)
		return nil
	}
	mark := tx.Bucket(bMeta).Get(metaJournalApplied)
	if mark == nil {
		bad("the database has no click journal position")
		return nil
	}
	applied := btou(mark)
	if applied < jf.base || applied > jf.end() {
		bad("click journal holds positions %d to %d, the database has applied it up to %d", jf.base, jf.end(), applied)
	}
	clicks := tx.Bucket(bClicks)
	purgedBefore := s.now().AddDate(0, 0, -s.retentionDays)
	for _, r := range jf.recs {
		if r.end > applied {
			break
		}
		v := clicks.Get(u64(r.c.ID))
		if v == nil {
			if s.retentionDays > 0 && r.c.At.Before(purgedBefore) {
				continue
			}
			bad("journaled click %d (position %d) is not in the database", r.c.ID, r.end)
			continue
		}
		core, err := decodeClickCore(v)
		if err != nil || core.partnerID != r.c.PartnerID || !core.at.Equal(r.c.At) {
			bad("journaled click %d differs from the stored one", r.c.ID)
		}
	}
	return nil
}
