package store

import (
	"bytes"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// The maturing index (bMaturing) lists the pending, unflagged commissions
// by the end of their hold. Reads show a commission whose hold ended as
// approved (Commission.effective), so every balance and every stats read
// sums the matured ones: how many there are grows with the sales since
// the last promotion, and decoding each commission record was most of
// the merchant Overview's cost at scale. So each entry carries what those
// sums need:
//
//	maturing: slug 0 holdUntil(8) id(8) → partnerID(8) day(8, YYYYMMDD) net (decimal string)
//
// written with the commission (putMaturingTx) and rewritten whenever the
// commission is written again while its entry exists (syncMaturingTx, from
// putCommissionTx: a partial refund changes its net). Entries written by
// older builds hold the partner id alone; they are read through their
// commission and rewritten at open (migrateMaturingTx). `affogato check`
// verifies the index against the commissions (checkMaturingTx).

// maturingValue is c's entry value; a commission whose day is not a
// YYYYMMDD gets the old form (read through the commission).
func maturingValue(c *Commission) []byte {
	day := c.day()
	if len(day) != 8 {
		return u64(c.PartnerID)
	}
	net := c.Net().String()
	v := make([]byte, 0, 16+len(net))
	v = append(v, u64(c.PartnerID)...)
	v = append(v, day...)
	return append(v, net...)
}

// putMaturingTx adds c (pending, unflagged) to the maturing index.
func putMaturingTx(tx *bolt.Tx, c *Commission) error {
	return tx.Bucket(bMaturing).Put(maturingKey(c), maturingValue(c))
}

// syncMaturingTx rewrites c's entry, if it has one, after c changed.
func syncMaturingTx(tx *bolt.Tx, c *Commission) error {
	b := tx.Bucket(bMaturing)
	k := maturingKey(c)
	old := b.Get(k)
	if old == nil {
		return nil
	}
	v := maturingValue(c)
	if bytes.Equal(old, v) {
		return nil
	}
	return b.Put(k, v)
}

// maturedNet is what a matured commission adds to the sums: its partner,
// its day and its net amount.
type maturedNet struct {
	partnerID uint64
	day       string
	net       decimal.Decimal
}

// parseMaturing reads an entry value; ok is false for the old form.
func parseMaturing(v []byte) (m maturedNet, ok bool, err error) {
	if len(v) <= 16 {
		return m, false, nil
	}
	net, err := decimal.NewFromString(string(v[16:]))
	if err != nil {
		return m, false, fmt.Errorf("maturing entry %q: %w", v, err)
	}
	return maturedNet{partnerID: btou(v[:8]), day: string(v[8:16]), net: net}, true, nil
}

// eachMaturedNetTx calls fn for each commission eachMaturedTx visits (the
// program's pending, unflagged commissions whose hold ended by now), in
// the same order, with its partner, day and net from the index.
func eachMaturedNetTx(tx *bolt.Tx, slug string, now time.Time, fn func(m maturedNet)) error {
	prefix := key(slug)
	end := key(slug, now.UnixNano()+1)
	cur := tx.Bucket(bMaturing).Cursor()
	for k, v := cur.Seek(prefix); k != nil && string(k) < string(end) && len(k) == len(prefix)+16; k, v = cur.Next() {
		m, ok, err := parseMaturing(v)
		if err != nil {
			return err
		}
		if !ok {
			c, err := commissionTx(tx, btou(k[len(prefix)+8:]))
			if err != nil {
				return err
			}
			m = maturedNet{partnerID: c.PartnerID, day: c.day(), net: c.Net()}
		}
		fn(m)
	}
	return nil
}

// maturedTx sums the matured commissions of the program (partnerID 0) or
// of one partner: in all, and by day when byDay is not nil.
func maturedTx(tx *bolt.Tx, slug string, partnerID uint64, now time.Time, byDay map[string]decimal.Decimal) (total decimal.Decimal, found bool, err error) {
	err = eachMaturedNetTx(tx, slug, now, func(m maturedNet) {
		if partnerID != 0 && m.partnerID != partnerID {
			return
		}
		total, found = total.Add(m.net), true
		if byDay != nil {
			byDay[m.day] = byDay[m.day].Add(m.net)
		}
	})
	return total, found, err
}

// migrateMaturingTx rewrites the entries older builds wrote (the partner
// id alone) in the form above.
func migrateMaturingTx(tx *bolt.Tx) error {
	b := tx.Bucket(bMaturing)
	var old [][]byte
	if err := b.ForEach(func(k, v []byte) error {
		if len(v) <= 16 {
			old = append(old, bytes.Clone(k))
		}
		return nil
	}); err != nil {
		return fmt.Errorf("maturing index: %w", err)
	}
	for _, k := range old {
		c, err := commissionTx(tx, btou(k[len(k)-8:]))
		if err != nil {
			return fmt.Errorf("maturing index: %w", err)
		}
		if v := maturingValue(c); len(v) > 16 {
			if err := b.Put(k, v); err != nil {
				return fmt.Errorf("maturing index: %w", err)
			}
		}
	}
	return nil
}

// checkMaturingTx verifies the maturing index: an entry for each pending,
// unflagged commission and for no other, each saying what its commission
// does.
func checkMaturingTx(tx *bolt.Tx, bad func(string, ...any)) error {
	want := map[string]*Commission{}
	if err := tx.Bucket(bCommissions).ForEach(func(_, v []byte) error {
		var c Commission
		if err := getBytes(v, &c); err != nil {
			return err
		}
		if c.Status == CommissionPending && len(c.Flags) == 0 {
			want[string(maturingKey(&c))] = &c
		}
		return nil
	}); err != nil {
		return fmt.Errorf("maturing index: %w", err)
	}
	err := tx.Bucket(bMaturing).ForEach(func(k, v []byte) error {
		c := want[string(k)]
		if c == nil {
			bad("maturing entry %x names no pending, unflagged commission", k)
			return nil
		}
		delete(want, string(k))
		m, ok, err := parseMaturing(v)
		if err != nil {
			bad("%v", err)
			return nil
		}
		if !ok {
			if btou(v) != c.PartnerID {
				bad("maturing entry of commission %d names partner %d, the commission %d", c.ID, btou(v), c.PartnerID)
			}
			return nil
		}
		if m.partnerID != c.PartnerID || m.day != c.day() || !m.net.Equal(c.Net()) {
			bad("maturing entry of commission %d says partner %d, day %s, net %s; the commission: %d, %s, %s",
				c.ID, m.partnerID, m.day, m.net, c.PartnerID, c.day(), c.Net())
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("maturing index: %w", err)
	}
	for _, c := range want {
		bad("pending commission %d has no maturing entry", c.ID)
	}
	return nil
}
