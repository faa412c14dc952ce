package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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

// ErrClosed is returned for writes after Close.
var ErrClosed = errors.New("store closed")

// maxClickBatch bounds one group commit.
const maxClickBatch = 4096

type clickReq struct {
	in    ClickInput
	at    time.Time
	click *Click
	err   error
	done  chan struct{}
}

// clickWriter records clicks by group commit: one goroutine takes every
// click waiting and commits them in one transaction (one fsync), then
// starts the next commit as soon as that one ends. A click is answered only
// once its commit is durable.
type clickWriter struct {
	s      *Store
	reqs   chan *clickReq
	quit   chan struct{}
	exited chan struct{}
}

func newClickWriter(s *Store) *clickWriter {
	w := &clickWriter{s: s, reqs: make(chan *clickReq, maxClickBatch), quit: make(chan struct{}), exited: make(chan struct{})}
	go w.loop()
	return w
}

func (w *clickWriter) close() {
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	<-w.exited
}

func (w *clickWriter) loop() {
	defer close(w.exited)
	batch := make([]*clickReq, 0, maxClickBatch)
	for {
		select {
		case r := <-w.reqs:
			batch = append(batch[:0], r)
		case <-w.quit:
			// Flush whatever is queued, then stop.
			for {
				batch = batch[:0]
				w.drain(&batch)
				if len(batch) == 0 {
					return
				}
				w.commit(batch)
			}
		}
		w.drain(&batch)
		w.commit(batch)
	}
}

func (w *clickWriter) drain(batch *[]*clickReq) {
	for len(*batch) < maxClickBatch {
		select {
		case r := <-w.reqs:
			*batch = append(*batch, r)
		default:
			return
		}
	}
}

func (w *clickWriter) commit(batch []*clickReq) {
	defer func() {
		if p := recover(); p != nil {
			for _, r := range batch {
				r.click, r.err = nil, fmt.Errorf("record click: panic: %v", p)
				close(r.done)
			}
		}
	}()
	err := w.s.db.Update(func(tx *bolt.Tx) error {
		deltas := map[string]*Counters{}
		for _, r := range batch {
			c, err := w.s.putClickTx(tx, r.in, r.at, deltas)
			if err != nil {
				return err
			}
			r.click = c
		}
		return applyDeltasTx(tx, deltas)
	})
	for _, r := range batch {
		if err != nil {
			r.click, r.err = nil, fmt.Errorf("record click: %w", err)
		}
		close(r.done)
	}
}

// RecordClick records a click durably (group commit) and returns it with its
// id. It returns when the click's transaction has been committed.
func (s *Store) RecordClick(ctx context.Context, in ClickInput) (*Click, error) {
	r := &clickReq{in: in, at: s.now().UTC(), done: make(chan struct{})}
	select {
	case s.clicks.reqs <- r:
	case <-s.clicks.quit:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case <-r.done:
		return r.click, r.err
	case <-s.clicks.exited:
		select {
		case <-r.done:
			return r.click, r.err
		default:
			return nil, ErrClosed
		}
	}
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
