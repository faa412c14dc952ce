package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ClickInput is one visit to record.
type ClickInput struct {
	Program   string
	PartnerID uint64
	Code      string
	Sub       string
	IP        netip.Addr
	PaidAds   bool
}

// appendFill is the fill percent of buckets whose keys only ever grow
// (clicks by id): a page is split only when it is full, so sequential
// inserts leave full pages behind instead of half-empty ones.
const appendFill = 1.0

// RecordClick records a click durably (group commit) and returns it with
// its id. It returns when the click's transaction has been committed. The
// id and the salted IP hash are made here, on the caller's goroutine, so
// that the single writer only interns the names and stores the record.
func (s *Store) RecordClick(ctx context.Context, in ClickInput) (*Click, error) {
	at := s.now().UTC()
	h := s.ipHash(in.IP)
	c := &Click{Program: in.Program, PartnerID: in.PartnerID, Code: in.Code, Sub: in.Sub,
		IPHash: hex.EncodeToString(h[:clickHashLen]), PaidAds: in.PaidAds, At: at}
	var err error
	if s.journal != nil && !s.db.NoSync {
		// journal.go: the journal goroutine sets RecentFromIP (one
		// goroutine, so the IP window's lock is never contended), and the
		// click is applied to bbolt off the request path.
		err = s.journal.append(ctx, c, h)
	} else {
		c.RecentFromIP = s.ipRecent.record(in.PartnerID, h, at)
		day := dayKey(at)
		err = s.writer.doClick(ctx, in.Program, func(tx *bolt.Tx, _ map[string]*Counters) error {
			return s.putClickTx(tx, c, h, day)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("record click: %w", err)
	}
	return c, nil
}

// ipHash is a salted hash of an address: clicks never store the IP itself.
func (s *Store) ipHash(ip netip.Addr) []byte {
	b := make([]byte, 0, len(s.salt)+16)
	b = append(b, s.salt...)
	b = append(b, ip.Unmap().AsSlice()...)
	sum := sha256.Sum256(b)
	return sum[:12]
}

// putClickTx stores one click (version 1 record, names interned) with its
// indexes, under the next id of the clicks bucket (ids follow commits, so
// the counters' flush mark is exact). Its counts go to the writer's click
// counters (clickcounters.go). It runs on the group writer.
func (s *Store) putClickTx(tx *bolt.Tx, c *Click, h []byte, day string) error {
	clicks := tx.Bucket(bClicks)
	id, err := clicks.NextSequence()
	if err != nil {
		return err
	}
	c.ID = id // set afresh when the group is retried
	return storeClickTx(tx, s.wstate.names, s.wstate.clicks, c, id, h, day)
}

// storeClickTx stores click c under id with its indexes; uniqueness (first
// click from this IP hash to this partner today) is decided here, in
// order. cc, when not nil, counts it. It never writes to c (a journaled
// click is read by its request's goroutine meanwhile).
func storeClickTx(tx *bolt.Tx, names *names, cc *clickCounters, c *Click, id uint64, h []byte, day string) error {
	clicks := tx.Bucket(bClicks)
	clicks.FillPercent = appendFill
	if clicks.Sequence() < id {
		if err := clicks.SetSequence(id); err != nil {
			return err
		}
	}
	prog, err := names.idTx(tx, nameProgram, c.Program)
	if err != nil {
		return err
	}
	code, err := names.idTx(tx, nameCode, c.Code)
	if err != nil {
		return err
	}
	sub, err := names.idTx(tx, nameSub, c.Sub)
	if err != nil {
		return err
	}
	var unique int64
	uk := key(day, c.PartnerID, h)
	if tx.Bucket(bUniq).Get(uk) == nil {
		unique = 1
		// An empty value, not nil: Get in the same transaction returns nil
		// for a key put with a nil value, and one transaction may store
		// several clicks of one visitor (the journal's applier).
		if err := tx.Bucket(bUniq).Put(uk, []byte{}); err != nil {
			return err
		}
	}
	if err := clicks.Put(u64(id), encodeClickV1(c, prog, code, sub, h, unique == 1)); err != nil {
		return err
	}
	if cc != nil {
		cc.add(c, id, day, unique)
	}
	return nil
}

// clickTx reads one click (either encoding).
func clickTx(tx *bolt.Tx, id uint64) (*Click, error) {
	v := tx.Bucket(bClicks).Get(u64(id))
	if v == nil {
		return nil, fmt.Errorf("click %d: %w", id, ErrNotFound)
	}
	return decodeClickTx(tx, id, v)
}

// loadIPWindow rebuilds the in-memory IP window from the last hour of
// stored clicks (click ids follow time, so a reverse scan stops early).
func (s *Store) loadIPWindow(tx *bolt.Tx) error {
	from := s.now().Add(-time.Hour)
	var recent []clickCore
	c := tx.Bucket(bClicks).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		cl, err := decodeClickCore(v)
		if err != nil {
			return fmt.Errorf("click %d: %w", btou(k), err)
		}
		if cl.at.Before(from.Add(-time.Minute)) { // ids are handed out a little before commit
			break
		}
		recent = append(recent, cl)
	}
	for i := len(recent) - 1; i >= 0; i-- {
		s.ipRecent.record(recent[i].partnerID, recent[i].hash, recent[i].at)
	}
	return nil
}
