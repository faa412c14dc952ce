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

// pager gathers one page of a list: up to limit rows, each with its cursor
// C (an id for Page, a name for NamePage), and the cursor of the next page
// (C's zero value when this is the last).
type pager[C comparable, T any] struct {
	limit int
	rows  []T
	last  C
	next  C
}

// add keeps row (at cursor at) and reports whether to go on; a row past
// the limit only says that there is a next page.
func (c *pager[C, T]) add(at C, row T) bool {
	if len(c.rows) == c.limit {
		c.next = c.last
		return false
	}
	c.rows, c.last = append(c.rows, row), at
	return true
}

// walkPages reads a list page by page, page(after, limit) being one page
// of at most limit rows after the cursor after and the cursor of the next
// (C's zero value on the last page), until it has limit rows (limit <= 0:
// all of them) or the list ends. Each page is its own read transaction.
func walkPages[C comparable, T any](limit int, page func(after C, limit int) ([]T, C, error)) ([]T, error) {
	var out []T
	var after, end C
	for {
		n := MaxPage
		if limit > 0 {
			n = min(n, limit-len(out))
		}
		rows, next, err := page(after, n)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		if next == end || limit > 0 && len(out) >= limit {
			return out, nil
		}
		after = next
	}
}

// ConversionsPage is one page of ListConversions: newest first (a
// partner: their own only); Next continues with older ones.
func (s *Store) ConversionsPage(a Actor, slug string, pg Page) ([]ConversionResult, uint64, error) {
	col := pager[uint64, ConversionResult]{limit: pg.limit()}
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
	col := pager[uint64, Commission]{limit: pg.limit()}
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
	col := pager[uint64, Partner]{limit: pg.limit()}
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
	col := pager[uint64, PayoutBatch]{limit: pg.limit()}
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
