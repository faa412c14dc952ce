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

// RecordClick records a click durably (group commit) and returns it with
// its id. It returns when the click's transaction has been committed. The
// id, the salted IP hash and the record's encoding are made here, on the
// caller's goroutine, so that the single writer only stores them.
func (s *Store) RecordClick(ctx context.Context, in ClickInput) (*Click, error) {
	at := s.now().UTC()
	h := s.ipHash(in.IP)
	c := &Click{ID: s.clickSeq.Add(1), Program: in.Program, PartnerID: in.PartnerID, Code: in.Code, Sub: in.Sub,
		IPHash: hex.EncodeToString(h), PaidAds: in.PaidAds, At: at,
		RecentFromIP: s.ipRecent.record(in.PartnerID, h, at)}
	data, err := encodeClick(c)
	if err != nil {
		return nil, fmt.Errorf("record click: encode: %w", err)
	}
	day := dayKey(at)
	err = s.writer.doFor(ctx, in.Program, func(tx *bolt.Tx, deltas map[string]*Counters) error {
		return putClickTx(tx, c, h, data, day, deltas)
	})
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

// putClickTx stores one click with its indexes; uniqueness (first click
// from this IP hash to this partner today) is decided here, in order.
func putClickTx(tx *bolt.Tx, c *Click, h, data []byte, day string, deltas map[string]*Counters) error {
	clicks := tx.Bucket(bClicks)
	if c.ID > clicks.Sequence() {
		if err := clicks.SetSequence(c.ID); err != nil {
			return err
		}
	}
	d := Counters{Clicks: 1}
	uk := key(day, c.PartnerID, h)
	if tx.Bucket(bUniq).Get(uk) == nil {
		d.UniqueClicks = 1
		if err := tx.Bucket(bUniq).Put(uk, nil); err != nil {
			return err
		}
	}
	if err := clicks.Put(u64(c.ID), data); err != nil {
		return err
	}
	addDelta(deltas, programDayKey(c.Program, day), d)
	addDelta(deltas, partnerDayKey(c.PartnerID, day), d)
	addDelta(deltas, linkCounterKey(c.Code), d)
	return nil
}

// clickTx reads one click.
func clickTx(tx *bolt.Tx, id uint64) (*Click, error) {
	var c Click
	if err := get(tx.Bucket(bClicks), u64(id), &c); err != nil {
		return nil, fmt.Errorf("click %d: %w", id, err)
	}
	return &c, nil
}

// loadIPWindow rebuilds the in-memory IP window from the last hour of
// stored clicks (click ids follow time, so a reverse scan stops early).
func (s *Store) loadIPWindow(tx *bolt.Tx) error {
	from := s.now().Add(-time.Hour)
	var recent []Click
	c := tx.Bucket(bClicks).Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		var cl Click
		if err := getBytes(v, &cl); err != nil {
			return err
		}
		if cl.At.Before(from.Add(-time.Minute)) { // ids are handed out a little before commit
			break
		}
		recent = append(recent, cl)
	}
	for i := len(recent) - 1; i >= 0; i-- {
		if h, err := hex.DecodeString(recent[i].IPHash); err == nil {
			s.ipRecent.record(recent[i].PartnerID, h, recent[i].At)
		}
	}
	return nil
}
