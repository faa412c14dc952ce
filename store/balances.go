package store

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// add puts amount into the bucket for status.
func (b *Balance) add(status string, amount decimal.Decimal) {
	switch status {
	case CommissionPending:
		b.Pending = b.Pending.Add(amount)
	case CommissionApproved:
		b.Approved = b.Approved.Add(amount)
	case CommissionInPayout:
		b.InPayout = b.InPayout.Add(amount)
	case CommissionPaid:
		b.Paid = b.Paid.Add(amount)
	}
}

// contribution is what a commission adds to its status's sum.
func (c *Commission) contribution() decimal.Decimal {
	switch c.Status {
	case CommissionPending, CommissionApproved:
		return c.Net()
	case CommissionInPayout, CommissionPaid:
		return c.Locked
	}
	return decimal.Zero
}

// effective shows a pending, unflagged commission whose hold has ended as
// approved, so that reads are right without a background job.
func (c *Commission) effective(now time.Time) {
	if c.Status == CommissionPending && len(c.Flags) == 0 && !now.Before(c.HoldUntil) {
		c.Status = CommissionApproved
	}
}

func balanceKeyProgram(slug string) []byte { return append([]byte("P"), slug...) }

// adjustBalanceTx applies fn to the partner's and the program's balance,
// and to their status sums of the day (YYYYMMDD) the change counts on.
func adjustBalanceTx(tx *bolt.Tx, slug string, partnerID uint64, day string, fn func(*Balance)) error {
	if err := adjustBalancesTx(tx, nil, slug, partnerID, fn); err != nil {
		return err
	}
	for _, k := range []string{partnerDayKey(partnerID, day), programDayKey(slug, day)} {
		c, err := readCountersTx(tx, k)
		if err != nil {
			return err
		}
		fn(&c.Status)
		if err := put(tx.Bucket(bDaily), []byte(k), &c); err != nil {
			return err
		}
	}
	return nil
}

// adjustBalancesTx applies fn to the partner's and the program's balance
// (not to their day sums), decoded through c when it is not nil
// (decodedcache.go).
func adjustBalancesTx(tx *bolt.Tx, c *decodedCache, slug string, partnerID uint64, fn func(*Balance)) error {
	for i, k := range [][]byte{u64(partnerID), balanceKeyProgram(slug)} {
		var b Balance
		if err := getCached(c, tx.Bucket(bBalances), bBalances, k, &b); err != nil && err != ErrNotFound {
			return err
		}
		fn(&b)
		if err := putCached(c, tx.Bucket(bBalances), bBalances, k, &b); err != nil {
			return err
		}
		if i == 0 { // the partner's, not the program's
			if err := indexOwedTx(tx, slug, partnerID, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// storedBalanceTx reads a balance as stored (partnerID 0: the program's).
func storedBalanceTx(tx *bolt.Tx, slug string, partnerID uint64) (Balance, error) {
	k := balanceKeyProgram(slug)
	if partnerID != 0 {
		k = u64(partnerID)
	}
	var b Balance
	if err := get(tx.Bucket(bBalances), k, &b); err != nil && err != ErrNotFound {
		return b, err
	}
	return b, nil
}

// eachMaturedTx calls fn for each pending unflagged commission of the
// program whose hold ended by now.
func eachMaturedTx(tx *bolt.Tx, slug string, now time.Time, fn func(k []byte, c *Commission) error) error {
	prefix := key(slug)
	end := key(slug, now.UnixNano()+1)
	cur := tx.Bucket(bMaturing).Cursor()
	type item struct {
		k  []byte
		id uint64
	}
	var items []item
	for k, _ := cur.Seek(prefix); k != nil && string(k) < string(end) && len(k) == len(prefix)+16; k, _ = cur.Next() {
		items = append(items, item{append([]byte(nil), k...), btou(k[len(prefix)+8:])})
	}
	for _, it := range items {
		c, err := commissionTx(tx, it.id)
		if err != nil {
			return err
		}
		if err := fn(it.k, c); err != nil {
			return err
		}
	}
	return nil
}

// promoteTx approves the program's matured commissions in storage.
func (s *Store) promoteTx(tx *bolt.Tx, slug string, now time.Time) (int, error) {
	n := 0
	err := eachMaturedTx(tx, slug, now, func(k []byte, c *Commission) error {
		if err := tx.Bucket(bMaturing).Delete(k); err != nil {
			return err
		}
		if c.Status != CommissionPending || len(c.Flags) > 0 {
			return nil
		}
		if err := setStatusTx(tx, c, CommissionApproved, now); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// setStatusTx moves a commission to a new status, keeping the balances.
func setStatusTx(tx *bolt.Tx, c *Commission, status string, now time.Time) error {
	before := c.contribution()
	old := c.Status
	if c.Status == CommissionPending && len(c.Flags) == 0 {
		if err := tx.Bucket(bMaturing).Delete(maturingKey(c)); err != nil {
			return err
		}
	}
	c.Status = status
	c.UpdatedAt = now
	after := c.contribution()
	if err := adjustBalanceTx(tx, c.Program, c.PartnerID, c.day(), func(b *Balance) {
		b.add(old, before.Neg())
		b.add(status, after)
	}); err != nil {
		return err
	}
	if err := putCommissionTx(tx, c); err != nil {
		return err
	}
	if old == CommissionPending && status == CommissionApproved {
		return emitCommissionApprovedTx(tx, c, now)
	}
	return nil
}

// PromoteMatured approves every unflagged pending commission whose hold
// ended, in every program. Reads do not need it (they show such commissions
// approved); it keeps the stored state current. The scheduler calls it
// every minute: when no hold has ended it writes nothing and signals no
// screen (maturedDue), and otherwise it signals the screens of the
// programs whose commissions it approved.
func (s *Store) PromoteMatured() (int, error) {
	now := s.now().UTC()
	slugs, err := s.maturedDue(now)
	if err != nil || len(slugs) == 0 {
		return 0, err
	}
	n := 0
	var changed []string
	err = s.db.Update(func(tx *bolt.Tx) error {
		n, changed = 0, changed[:0]
		for _, slug := range slugs {
			m, err := s.promoteTx(tx, slug, now)
			if err != nil {
				return err
			}
			n += m
			if m > 0 {
				changed = append(changed, slug)
			}
		}
		return nil
	})
	if err != nil {
		return 0, storageErr(err)
	}
	if n > 0 {
		s.gen.Add(1)
		s.changes.changed(changed...)
	}
	return n, nil
}

// maturedDue lists the programs with an entry in the maturing index whose
// hold ended by now (one seek per program, in a read transaction).
func (s *Store) maturedDue(now time.Time) ([]string, error) {
	var due []string
	err := s.db.View(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bMaturing).Cursor()
		return tx.Bucket(bPrograms).ForEach(func(k, _ []byte) error {
			prefix := key(string(k))
			end := key(string(k), now.UnixNano()+1)
			if mk, _ := cur.Seek(prefix); mk != nil && string(mk) < string(end) && len(mk) == len(prefix)+16 {
				due = append(due, string(k))
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("matured commissions: %w", err)
	}
	return due, nil
}
