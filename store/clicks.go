package store

import (
	"context"
	"crypto/hmac"
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

// RecordClick records a click durably (group commit) and returns it with its
// id. It returns when the click's transaction has been committed.
func (s *Store) RecordClick(ctx context.Context, in ClickInput) (*Click, error) {
	at := s.now().UTC()
	var c *Click
	err := s.writer.do(ctx, func(tx *bolt.Tx, deltas map[string]*Counters) error {
		var err error
		c, err = s.putClickTx(tx, in, at, deltas)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("record click: %w", err)
	}
	return c, nil
}

// ipHash is a salted hash of an address: clicks never store the IP itself.
func (s *Store) ipHash(ip netip.Addr) []byte {
	m := hmac.New(sha256.New, s.salt)
	b, _ := ip.Unmap().MarshalBinary()
	m.Write(b)
	return m.Sum(nil)[:12]
}

func (s *Store) putClickTx(tx *bolt.Tx, in ClickInput, at time.Time, deltas map[string]*Counters) (*Click, error) {
	id, err := tx.Bucket(bClicks).NextSequence()
	if err != nil {
		return nil, err
	}
	h := s.ipHash(in.IP)
	c := &Click{ID: id, Program: in.Program, PartnerID: in.PartnerID, Code: in.Code, Sub: in.Sub,
		IPHash: hex.EncodeToString(h), PaidAds: in.PaidAds, At: at}
	day := dayKey(at)
	uk := key(day, in.PartnerID, h)
	if tx.Bucket(bUniq).Get(uk) == nil {
		c.Unique = true
		if err := tx.Bucket(bUniq).Put(uk, nil); err != nil {
			return nil, err
		}
	}
	if err := put(tx.Bucket(bClicks), u64(id), c); err != nil {
		return nil, err
	}
	if err := tx.Bucket(bIPClicks).Put(key(in.PartnerID, h, at.UnixNano(), id), nil); err != nil {
		return nil, err
	}
	d := Counters{Clicks: 1}
	if c.Unique {
		d.UniqueClicks = 1
	}
	addDelta(deltas, programDayKey(in.Program, day), d)
	addDelta(deltas, partnerDayKey(in.PartnerID, day), d)
	return c, nil
}

// clickTx reads one click.
func clickTx(tx *bolt.Tx, id uint64) (*Click, error) {
	var c Click
	if err := get(tx.Bucket(bClicks), u64(id), &c); err != nil {
		return nil, fmt.Errorf("click %d: %w", id, err)
	}
	return &c, nil
}

// clicksBeforeTx counts the clicks from the click's IP to its partner in
// the hour before it, stopping at limit+1.
func clicksBeforeTx(tx *bolt.Tx, c *Click, limit int) int {
	h, err := hex.DecodeString(c.IPHash)
	if err != nil {
		return 0
	}
	prefix := key(c.PartnerID, h)
	from := c.At.Add(-time.Hour).UnixNano()
	n := 0
	cur := tx.Bucket(bIPClicks).Cursor()
	for k, _ := cur.Seek(key(c.PartnerID, h, from)); k != nil && len(k) == len(prefix)+16 && string(k[:len(prefix)]) == string(prefix); k, _ = cur.Next() {
		at := int64(btou(k[len(prefix) : len(prefix)+8]))
		if at >= c.At.UnixNano() {
			break
		}
		n++
		if n > limit {
			break
		}
	}
	return n
}
