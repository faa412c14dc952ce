package store

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// CompactResult says what a compaction did.
type CompactResult struct {
	SrcBytes, DstBytes int64
	Violations         []Violation // the invariant check of the copy
}

// Saved is how many bytes the copy is smaller than the source.
func (r CompactResult) Saved() int64 { return r.SrcBytes - r.DstBytes }

// Compact writes a compacted copy of the database file src to dst (which
// must not exist) with bbolt's compaction: every page of the copy is
// filled, free pages are left behind. The source is opened read-only, so
// the server must be stopped (or src be a backup). progress, when not nil,
// is called about once a second with the bytes written so far and the
// size of the source. The copy is then checked with the invariant checker;
// violations are returned in the result (the copy is kept either way).
func Compact(src, dst string, progress func(written, total int64)) (CompactResult, error) {
	var res CompactResult
	fi, err := os.Stat(src)
	if err != nil {
		return res, fmt.Errorf("compact: %w", err)
	}
	res.SrcBytes = fi.Size()
	if _, err := os.Stat(dst); err == nil {
		return res, fmt.Errorf("compact: %s already exists: %w", dst, ErrConflict)
	}
	if err := applyJournalOf(src); err != nil {
		return res, fmt.Errorf("compact: %w", err)
	}
	from, err := bolt.Open(src, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return res, fmt.Errorf("compact: %s is in use by a running affogato: stop it first, or compact a backup", src)
		}
		return res, fmt.Errorf("compact: open %s: %w", src, err)
	}
	defer from.Close()
	to, err := bolt.Open(dst, 0o600, &bolt.Options{Timeout: time.Second, FreelistType: bolt.FreelistMapType, NoFreelistSync: true})
	if err != nil {
		return res, fmt.Errorf("compact: create %s: %w", dst, err)
	}
	done := make(chan struct{})
	if progress != nil {
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					if fi, err := os.Stat(dst); err == nil {
						progress(fi.Size(), res.SrcBytes)
					}
				}
			}
		}()
	}
	err = bolt.Compact(to, from, 64<<20)
	close(done)
	if cerr := to.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return res, fmt.Errorf("compact %s to %s: %w", src, dst, err)
	}
	if fi, err := os.Stat(dst); err == nil {
		res.DstBytes = fi.Size()
		if progress != nil {
			progress(res.DstBytes, res.SrcBytes)
		}
	}
	st, err := OpenFile(dst, Options{})
	if err != nil {
		return res, fmt.Errorf("compact: open the copy: %w", err)
	}
	defer st.Close()
	if res.Violations, err = st.Check(); err != nil {
		return res, fmt.Errorf("compact: check the copy: %w", err)
	}
	return res, nil
}

// applyJournalOf stores the clicks that the database file path's click
// journal holds (a server killed before applying them) by opening and
// closing the store, so that a copy made from the file alone has them.
// A file without a journal, or with an empty one, is left untouched.
func applyJournalOf(path string) error {
	jf, err := readJournal(path + JournalSuffix)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(jf.recs) == 0) {
		return nil
	}
	st, err := OpenFile(path, Options{})
	if err != nil {
		if strings.Contains(err.Error(), "in use by another") {
			return fmt.Errorf("%s is in use by a running affogato: stop it first, or compact a backup", path)
		}
		return fmt.Errorf("store the journaled clicks of %s: %w", path, err)
	}
	return st.Close()
}
