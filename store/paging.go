package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// MaxPage is the most rows one list call returns; the caller continues
// with the cursor it got back.
const MaxPage = 1000

// Page asks for one page of a list: the rows after the cursor After (an id
// from a previous page's Next; 0 = from the start) and at most Limit of
// them (<= 0 or above MaxPage means MaxPage).
type Page struct {
	After uint64
	Limit int
}

func (p Page) limit() int {
	if p.Limit <= 0 || p.Limit > MaxPage {
		return MaxPage
	}
	return p.Limit
}

// scanIDsAfter walks the keys of b that start with prefix and end with a
// big-endian id, newest (highest id) first when rev, skipping up to and
// including the id after (0: from the start). fn returns false to stop.
func scanIDsAfter(b *bolt.Bucket, prefix []byte, rev bool, after uint64, fn func(id uint64) bool) {
	c := b.Cursor()
	var k []byte
	switch {
	case !rev && after == ^uint64(0):
		return
	case !rev:
		k, _ = c.Seek(append(bytes.Clone(prefix), u64(after+1)...))
	case after == 0:
		end := append(bytes.Clone(prefix), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
		if k, _ = c.Seek(end); k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
	default:
		// The first key below prefix|after.
		if k, _ = c.Seek(append(bytes.Clone(prefix), u64(after)...)); k == nil {
			k, _ = c.Last()
		} else {
			k, _ = c.Prev()
		}
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k = step(c, rev) {
		if len(k) < len(prefix)+8 {
			continue
		}
		if !fn(btou(k[len(k)-8:])) {
			return
		}
	}
}

func step(c *bolt.Cursor, rev bool) []byte {
	var k []byte
	if rev {
		k, _ = c.Prev()
	} else {
		k, _ = c.Next()
	}
	return k
}

// collector gathers up to limit rows and reports the cursor of the next page
// (0 when this is the last).
type collector[T any] struct {
	limit int
	rows  []T
	last  uint64
	next  uint64
}

// add keeps row (with its id) and reports whether to go on.
func (c *collector[T]) add(id uint64, row T) bool {
	if len(c.rows) == c.limit {
		c.next = c.last
		return false
	}
	c.rows, c.last = append(c.rows, row), id
	return true
}

// ConversionsPage is one page of ListConversions: newest first (a
// partner: their own only); Next continues with older ones.
func (s *Store) ConversionsPage(a Actor, slug string, pg Page) ([]ConversionResult, uint64, error) {
	col := collector[ConversionResult]{limit: pg.limit()}
	now := s.now().UTC()
	err := s.db.View(func(tx *bolt.Tx) error {
		_, partnerID, err := viewerTx(tx, a, slug)
		if err != nil {
			return err
		}
		scanIDsAfter(tx.Bucket(bProgConv), key(slug), true, pg.After, func(id uint64) bool {
			var r *ConversionResult
			if r, err = conversionResultTx(tx, id, now); err != nil {
				return false
			}
			if partnerID != 0 && r.Conversion.PartnerID != partnerID {
				return true
			}
			if partnerID != 0 && r.Commission != nil {
				r.Commission.forPartner()
			}
			return col.add(id, *r)
		})
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list conversions of %s: %w", slug, err)
	}
	return col.rows, col.next, nil
}

// CommissionsPage is one page of ListCommissions: newest first (a partner:
// their own only), optionally of one status.
func (s *Store) CommissionsPage(a Actor, slug, status string, pg Page) ([]Commission, uint64, error) {
	switch status {
	case "", CommissionPending, CommissionApproved, CommissionInPayout, CommissionPaid, CommissionRejected, CommissionReversed:
	default:
		return nil, 0, invalid("status", fmt.Sprintf("%q is not a commission status", status))
	}
	col := collector[Commission]{limit: pg.limit()}
	now := s.now().UTC()
	err := s.db.View(func(tx *bolt.Tx) error {
		_, partnerID, err := viewerTx(tx, a, slug)
		if err != nil {
			return err
		}
		prefix, bucket := key(slug), bProgComm
		if partnerID != 0 {
			prefix, bucket = u64(partnerID), bPartnerComm
		}
		scanIDsAfter(tx.Bucket(bucket), prefix, true, pg.After, func(id uint64) bool {
			var c *Commission
			if c, err = commissionTx(tx, id); err != nil {
				return false
			}
			c.effective(now)
			if partnerID != 0 {
				c.forPartner()
			}
			if status != "" && c.Status != status {
				return true
			}
			return col.add(id, *c)
		})
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list commissions of %s: %w", slug, err)
	}
	return col.rows, col.next, nil
}

// PartnersPage is one page of ListPartners, in the order partners joined.
func (s *Store) PartnersPage(a Actor, slug, status string, pg Page) ([]Partner, uint64, error) {
	if status != "" && !validPartnerStatus(status) {
		return nil, 0, invalid("status", fmt.Sprintf("%q must be pending, approved, rejected or suspended", status))
	}
	col := collector[Partner]{limit: pg.limit()}
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		var err error
		scanIDsAfter(tx.Bucket(bProgPartners), key(slug), false, pg.After, func(id uint64) bool {
			var p Partner
			if err = get(tx.Bucket(bPartners), u64(id), &p); err != nil {
				return false
			}
			if status != "" && p.Status != status {
				return true
			}
			return col.add(id, p)
		})
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list partners of %s: %w", slug, err)
	}
	return col.rows, col.next, nil
}

// PayoutBatchesPage is one page of ListPayoutBatches, newest first.
func (s *Store) PayoutBatchesPage(a Actor, slug string, pg Page) ([]PayoutBatch, uint64, error) {
	col := collector[PayoutBatch]{limit: pg.limit()}
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		var err error
		scanIDsAfter(tx.Bucket(bProgBatches), key(slug), true, pg.After, func(id uint64) bool {
			var b PayoutBatch
			if b, err = s.cachedBatchTx(tx, id); err != nil {
				return false
			}
			return col.add(id, b)
		})
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list payouts of %s: %w", slug, err)
	}
	return col.rows, col.next, nil
}
