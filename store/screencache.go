package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Shared screen reads. Every dashboard session re-reads its tab after each
// change signal (at most every 250 ms), so with many sessions on one
// program the same figures were read once per session: 200 merchant
// sessions on a busy program re-read the Overview 800 times a second. The
// *Since reads below share one read among the sessions that want the same
// thing (the same query, as the same viewer: a program's admins share the
// program's figures, a partner's sessions their own), under two rules:
//
//   - freshness: a caller passes the change version it must see (Version,
//     read after its last change signal, its subscription or its own
//     write); a read is shared only if it started at or after that
//     version, so it holds every commit the caller was told about, and
//     every later commit signals the caller again. A read in flight that
//     qualifies is waited for rather than repeated.
//   - age: a read is shared for screenCacheMaxAge at most, which bounds
//     what depends on the clock alone (a hold that ends, a day that
//     starts) and not on a commit.
//
// No shared read waits for the click applier (journalstore.go): it reads
// what is stored, and the commit that stores and counts the clicks still
// waiting signals the screens, whose next read (a later version) holds
// them.
//
// Permissions are checked on every call, before the cache: an entry is
// keyed by what the viewer may see (admin: the program; partner: the
// partner), never shared across that line. Results are copied out, so a
// caller may change its copy.

// screenCacheMaxAge is how long a shared read may be reused.
const screenCacheMaxAge = time.Second

// screenCacheMax bounds the entries kept (older ones are swept first).
const screenCacheMax = 512

// Version is the number of change signals so far (any program): a read
// started after Version returned v holds every commit signalled up to v.
// Screens pass it to the *Since reads.
func (s *Store) Version() uint64 { return s.changes.ver.Load() }

type screenEntry struct {
	ver  uint64    // Version when the read started
	at   time.Time // when it started
	done chan struct{}
	val  any
	err  error
}

type screenCache struct {
	mu sync.Mutex
	m  map[string]*screenEntry
}

// sharedRead returns read's result for key, shared with other callers as
// the rules above allow; clone copies a result out of the cache.
func sharedRead[T any](s *Store, key string, since uint64, read func() (T, error), clone func(T) T) (T, error) {
	c := &s.screens
	now := time.Now()
	c.mu.Lock()
	e := c.m[key]
	if e == nil || e.ver < since || now.Sub(e.at) > screenCacheMaxAge {
		e = &screenEntry{ver: s.Version(), at: now, done: make(chan struct{})}
		if c.m == nil {
			c.m = map[string]*screenEntry{}
		}
		if len(c.m) >= screenCacheMax {
			c.sweep(now)
		}
		c.m[key] = e
		c.mu.Unlock()
		v, err := fillEntry(c, key, e, read)
		if err != nil {
			return v, err
		}
		return clone(v), nil
	}
	c.mu.Unlock()
	<-e.done
	if e.err != nil { // the read that was waited for failed: read alone
		return read()
	}
	return clone(e.val.(T)), nil
}

// fillEntry runs read for entry e of key; the entry is dropped unless the read
// succeeded, and its waiters are released even if read panics.
func fillEntry[T any](c *screenCache, key string, e *screenEntry, read func() (T, error)) (v T, err error) {
	e.err = errReadAbandoned
	defer func() {
		if e.err != nil {
			c.mu.Lock()
			if c.m[key] == e {
				delete(c.m, key)
			}
			c.mu.Unlock()
		}
		close(e.done)
	}()
	v, err = read()
	e.val, e.err = v, err
	return v, err
}

// errReadAbandoned is the error of an entry whose read panicked.
var errReadAbandoned = errors.New("shared read abandoned")

// sweep drops expired entries, and every entry if that is not enough
// (c.mu held).
func (c *screenCache) sweep(now time.Time) {
	for k, e := range c.m {
		select {
		case <-e.done:
			if now.Sub(e.at) > screenCacheMaxAge {
				delete(c.m, k)
			}
		default:
		}
	}
	if len(c.m) >= screenCacheMax {
		clear(c.m)
	}
}

// viewerKey checks that a may see slug and returns who it sees it as: 0
// for the program's admins, the partner's id for a partner.
func (s *Store) viewerKey(a Actor, slug string) (uint64, error) {
	var viewer uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		_, viewer, err = viewerTx(tx, a, slug)
		return err
	})
	return viewer, err
}

// adminKey checks that a administers slug.
func (s *Store) adminKey(a Actor, slug string) error {
	return s.db.View(func(tx *bolt.Tx) error {
		_, err := adminProgramTx(tx, a, slug)
		return err
	})
}

func cloneStats(st *Stats) *Stats {
	c := *st
	c.Daily = slices.Clone(st.Daily)
	c.Subs = slices.Clone(st.Subs)
	return &c
}

// StatsSince is Stats without the campaign breakdown (Subs: no screen
// shows it), shared with the other sessions that see the same (see
// above): it holds every change signalled up to version since.
func (s *Store) StatsSince(a Actor, slug string, days int, since uint64) (*Stats, error) {
	viewer, err := s.viewerKey(a, slug)
	if err != nil {
		return nil, fmt.Errorf("stats of %s: %w", slug, err)
	}
	return sharedRead(s, fmt.Sprintf("stats\x00%s\x00%d\x00%d", slug, viewer, days), since,
		func() (*Stats, error) { return s.stats(a, slug, days, false) }, cloneStats)
}

// TopPartnersSince is TopPartners, shared (see StatsSince).
func (s *Store) TopPartnersSince(ctx context.Context, a Actor, slug string, days, n int, since uint64) ([]TopPartner, error) {
	if err := s.adminKey(a, slug); err != nil {
		return nil, fmt.Errorf("top partners of %s: %w", slug, err)
	}
	// Not the caller's ctx: a shared read must not end with one session.
	return sharedRead(s, fmt.Sprintf("top\x00%s\x00%d\x00%d", slug, days, n), since,
		func() ([]TopPartner, error) { return s.TopPartners(context.WithoutCancel(ctx), a, slug, days, n) },
		slices.Clone[[]TopPartner])
}

func pageKey(kind, slug string, viewer uint64, q PageQuery) string {
	return fmt.Sprintf("%s\x00%s\x00%d\x00%q\x00%d\x00%q\x00%d\x00%d\x00%d", kind, slug, viewer, q.Status, q.PartnerID, q.Search, q.Cursor, q.Limit, q.MaxScan)
}

// PartnerPageSince is PartnerPage, shared (see StatsSince).
func (s *Store) PartnerPageSince(ctx context.Context, a Actor, slug string, q PageQuery, since uint64) (*PartnerPage, error) {
	if err := s.adminKey(a, slug); err != nil {
		return nil, fmt.Errorf("partners of %s: %w", slug, err)
	}
	return sharedRead(s, pageKey("partners", slug, 0, q), since,
		func() (*PartnerPage, error) { return s.PartnerPage(screenRead(context.WithoutCancel(ctx)), a, slug, q) },
		func(p *PartnerPage) *PartnerPage { c := *p; c.Rows = slices.Clone(p.Rows); return &c })
}

// PartnerCountSince is PartnerCount, shared (see StatsSince).
func (s *Store) PartnerCountSince(ctx context.Context, a Actor, slug string, since uint64) (int, error) {
	if err := s.adminKey(a, slug); err != nil {
		return 0, fmt.Errorf("partners of %s: %w", slug, err)
	}
	return sharedRead(s, "partnercount\x00"+slug, since,
		func() (int, error) { return s.PartnerCount(context.WithoutCancel(ctx), a, slug) },
		func(n int) int { return n })
}

// ConversionPageSince is ConversionPage, shared (see StatsSince).
func (s *Store) ConversionPageSince(ctx context.Context, a Actor, slug string, q PageQuery, since uint64) (*ConversionPage, error) {
	viewer, err := s.viewerKey(a, slug)
	if err != nil {
		return nil, fmt.Errorf("conversions of %s: %w", slug, err)
	}
	return sharedRead(s, pageKey("conversions", slug, viewer, q), since,
		func() (*ConversionPage, error) { return s.ConversionPage(context.WithoutCancel(ctx), a, slug, q) },
		func(p *ConversionPage) *ConversionPage { c := *p; c.Rows = slices.Clone(p.Rows); return &c })
}

// CommissionPageSince is CommissionPage, shared (see StatsSince).
func (s *Store) CommissionPageSince(ctx context.Context, a Actor, slug string, q PageQuery, since uint64) (*CommissionPage, error) {
	viewer, err := s.viewerKey(a, slug)
	if err != nil {
		return nil, fmt.Errorf("commissions of %s: %w", slug, err)
	}
	return sharedRead(s, pageKey("commissions", slug, viewer, q), since,
		func() (*CommissionPage, error) { return s.CommissionPage(context.WithoutCancel(ctx), a, slug, q) },
		func(p *CommissionPage) *CommissionPage { c := *p; c.Rows = slices.Clone(p.Rows); return &c })
}

// OwedPageSince is OwedPage, shared (see StatsSince).
func (s *Store) OwedPageSince(ctx context.Context, a Actor, slug string, q PageQuery, since uint64) (*OwedPage, error) {
	if err := s.adminKey(a, slug); err != nil {
		return nil, fmt.Errorf("owed in %s: %w", slug, err)
	}
	return sharedRead(s, pageKey("owed", slug, 0, q), since,
		func() (*OwedPage, error) { return s.OwedPage(context.WithoutCancel(ctx), a, slug, q) },
		func(p *OwedPage) *OwedPage { c := *p; c.Rows = slices.Clone(p.Rows); return &c })
}

// DropSharedReads forgets every shared read, so the next read of each
// reads the store: for benchmarks that time the reads themselves.
func (s *Store) DropSharedReads() {
	s.screens.mu.Lock()
	clear(s.screens.m)
	s.screens.mu.Unlock()
}
