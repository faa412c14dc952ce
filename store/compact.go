package store

import (
	"bytes"
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
// must not exist), as bbolt's compaction does: every page of the copy is
// filled, free pages are left behind; on the way, day counters written
// before the short form are rewritten in it (compactCounters), the same
// figures in fewer bytes. The source is opened read-only, so
// the server must be stopped (or src be a backup); a source with
// journaled clicks not yet stored, or with day counters of builds before
// day-first keys, is first opened by the store once (applyJournalOf). progress, when not nil,
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
	err = compactCopy(to, from, 64<<20)
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
//
// A file written before day-first counter keys is opened the same way, so
// that its day counters are moved (dayfirst_migrate.go) before the copy,
// which then holds them day first and compacted.
func applyJournalOf(path string) error {
	jf, err := readJournal(path + JournalSuffix)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(jf.recs) == 0) {
		old, oerr := hasOldDayKeys(path)
		if oerr != nil || !old {
			return oerr
		}
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

// compactCopy is bolt.Compact (v1.5.0) with one change: the values of the
// day counters bucket are re-encoded in the short form. It copies every
// bucket, nested ones included, with their sequences, committing about
// every txMaxSize bytes.
func compactCopy(dst, src *bolt.DB, txMaxSize int64) (err error) {
	tx, err := dst.Begin(true)
	if err != nil {
		return err
	}
	defer func() {
		if tx != nil {
			_ = tx.Rollback()
		}
	}()
	var size int64
	// bucketAt finds (in the current destination transaction) the bucket
	// at path; path[0] is a top-level bucket.
	bucketAt := func(path [][]byte) *bolt.Bucket {
		b := tx.Bucket(path[0])
		for _, name := range path[1:] {
			b = b.Bucket(name)
		}
		return b
	}
	var copyBucket func(path [][]byte, b *bolt.Bucket) error
	copyBucket = func(path [][]byte, b *bolt.Bucket) error {
		daily := len(path) == 1 && bytes.Equal(path[0], bDaily)
		return b.ForEach(func(k, v []byte) error {
			if v != nil && daily {
				if short, ok := compactCounters(v); ok && len(short) < len(v) {
					v = short
				}
			}
			if sz := int64(len(k) + len(v)); size+sz > txMaxSize {
				if err := tx.Commit(); err != nil {
					return err
				}
				if tx, err = dst.Begin(true); err != nil {
					return err
				}
				size = 0
			} else {
				size += sz
			}
			parent := bucketAt(path)
			parent.FillPercent = 1.0
			if v != nil {
				return parent.Put(k, v)
			}
			child := b.Bucket(k)
			nb, err := parent.CreateBucket(k)
			if err != nil {
				return err
			}
			if err := nb.SetSequence(child.Sequence()); err != nil {
				return err
			}
			return copyBucket(append(path[:len(path):len(path)], k), child)
		})
	}
	err = src.View(func(stx *bolt.Tx) error {
		return stx.ForEach(func(name []byte, b *bolt.Bucket) error {
			nb, err := tx.CreateBucket(name)
			if err != nil {
				return err
			}
			if err := nb.SetSequence(b.Sequence()); err != nil {
				return err
			}
			return copyBucket([][]byte{name}, b)
		})
	})
	if err != nil {
		return err
	}
	err = tx.Commit()
	tx = nil
	return err
}
