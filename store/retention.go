package store

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DefaultClickRetentionDays is how long raw clicks are kept by default.
const DefaultClickRetentionDays = 400

// purgeChunk is how many records one purge step deletes while clicks
// arrive: the step rides in the applier's commit (background.go), so it
// must stay small. With no click waiting a step commits alone and deletes
// up to purgeChunkIdle: fewer, larger commits (on a copy of the full seed,
// 994,152 index entries: 11.8 s and 1.1-1.2 s of CPU in steps of 512,
// 1.1-1.6 s and 0.5-0.6 s in steps of 8,192).
const (
	purgeChunk     = 512
	purgeChunkIdle = 8192
)

// uniqKeepDays is how many days of the unique-click index are kept: a click
// is unique per UTC day, so only today's entries are ever read again (the
// day before is kept for clicks whose id was handed out before midnight).
const uniqKeepDays = 2

// checkRetentionTx refuses a click retention shorter than the cookie
// lifetime of any program: a click must live as long as it can attribute.
func checkRetentionTx(tx *bolt.Tx, days int) error {
	if days == 0 {
		return nil
	}
	if days < 1 {
		return invalid("click-retention-days", fmt.Sprintf("%d must be at least 1 (or 0 to keep clicks forever)", days))
	}
	return tx.Bucket(bPrograms).ForEach(func(k, v []byte) error {
		var p Program
		if err := getBytes(v, &p); err != nil {
			return fmt.Errorf("program %s: %w", k, err)
		}
		if p.CookieDays > days {
			return invalid("click-retention-days", fmt.Sprintf(
				"%d days is shorter than the %d-day cookie lifetime of program %s: clicks must be kept at least as long as they can attribute (raise --click-retention-days or lower that program's cookie-days)",
				days, p.CookieDays, p.Slug))
		}
		return nil
	})
}

// checkCookieDays refuses a program cookie lifetime longer than the click
// retention.
func (s *Store) checkCookieDays(days int) error {
	if s.retentionDays > 0 && days > s.retentionDays {
		return invalid("cookie-days", fmt.Sprintf(
			"%d is longer than the server's click retention of %d days: a referral cannot outlive its click (start the server with a larger --click-retention-days)",
			days, s.retentionDays))
	}
	return nil
}

// ClickRetentionDays is the retention the store was opened with (0: forever).
func (s *Store) ClickRetentionDays() int { return s.retentionDays }

// PurgeResult says what a purge removed.
type PurgeResult struct {
	Clicks     int // raw click records older than the retention
	UniqueKeys int // unique-click index entries of past days
}

// PurgeClicks deletes raw clicks older than the click retention (nothing
// when the retention is 0) and the unique-click index of past days. It
// works in small steps, each one a change in the group commit, so the
// redirector's clicks never wait behind it. Day counters are never
// touched: every figure stays the same. It stops early when ctx ends.
func (s *Store) PurgeClicks(ctx context.Context) (PurgeResult, error) {
	var res PurgeResult
	now := s.now().UTC()
	if s.retentionDays > 0 {
		before := now.Add(-time.Duration(s.retentionDays) * 24 * time.Hour)
		for {
			n, more, err := s.purgeStep(ctx, func(tx *bolt.Tx, limit int) (int, error) { return purgeClicksTx(tx, before, limit) })
			res.Clicks += n
			if err != nil {
				return res, fmt.Errorf("purge clicks before %s: %w", before.Format(time.DateOnly), err)
			}
			if !more {
				break
			}
		}
	}
	keepFrom := []byte(dayKey(now.Add(-(uniqKeepDays - 1) * 24 * time.Hour)))
	for {
		n, more, err := s.purgeStep(ctx, func(tx *bolt.Tx, limit int) (int, error) { return purgeUniqTx(tx, keepFrom, limit) })
		res.UniqueKeys += n
		if err != nil {
			return res, fmt.Errorf("purge unique-click index before %s: %w", keepFrom, err)
		}
		if !more {
			break
		}
	}
	return res, nil
}

// purgeStep runs one purge step, deleting up to limit records, as a quiet
// upkeep change in the group commit (background.go: no screen reads
// again, and under a click load it rides in the applier's commit) and
// pauses briefly after it, so a long purge leaves the writer to the
// redirector. more says the step deleted all it could: more may be left.
func (s *Store) purgeStep(ctx context.Context, step func(tx *bolt.Tx, limit int) (int, error)) (n int, more bool, err error) {
	limit := purgeChunkIdle
	if s.writer.lagging() {
		limit = purgeChunk
	}
	err = s.writer.doQuiet(ctx, func(tx *bolt.Tx, _ map[string]*Counters) error {
		var err error
		n, err = step(tx, limit) // may run twice: it recomputes n
		return err
	})
	if err != nil {
		return 0, false, err
	}
	select {
	case <-ctx.Done():
		return n, false, ctx.Err()
	case <-time.After(5 * time.Millisecond):
	}
	return n, n == limit, nil
}

// purgeClicksTx deletes up to limit of the oldest clicks made before
// before. Click ids follow time (handed out just before commit), so it
// stops at the first click that is recent enough.
func purgeClicksTx(tx *bolt.Tx, before time.Time, limit int) (int, error) {
	b := tx.Bucket(bClicks)
	var old [][]byte
	c := b.Cursor()
	for k, v := c.First(); k != nil && len(old) < limit; k, v = c.Next() {
		core, err := decodeClickCore(v)
		if err != nil {
			return 0, fmt.Errorf("click %d: %w", btou(k), err)
		}
		if !core.at.Before(before) {
			break
		}
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

// purgeUniqTx deletes up to limit unique-click index entries of days
// before keepFrom (keys start with the day, YYYYMMDD).
func purgeUniqTx(tx *bolt.Tx, keepFrom []byte, limit int) (int, error) {
	b := tx.Bucket(bUniq)
	var old [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && len(old) < limit && bytes.Compare(k, keepFrom) < 0; k, _ = c.Next() {
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}
