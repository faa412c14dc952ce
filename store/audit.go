package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Audit is a read-only summary of what the ledger holds for one program,
// for crash and recovery tests and for operators checking a restored
// backup: each conversion by order id (with how many records carry that
// order id), each refund by id, and a way to ask whether a click exists.
type Audit struct {
	Orders  map[string]int        // order id → number of conversion records with it (never more than 1)
	Refunds map[string]Refund     // refund id → refund
	Convs   map[string]Conversion // order id → conversion
}

// AuditProgram reads every conversion and refund of a program in one read
// transaction. It reads the whole program: an offline tool, not for a
// request path.
func (s *Store) AuditProgram(slug string) (*Audit, error) {
	s.seeClicks() // journalstore.go
	au := &Audit{Orders: map[string]int{}, Refunds: map[string]Refund{}, Convs: map[string]Conversion{}}
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		scanPrefix(tx.Bucket(bProgConv), key(slug), false, func(k, _ []byte) bool {
			var c Conversion
			if err = get(tx.Bucket(bConversions), k[len(k)-8:], &c); err != nil {
				return false
			}
			au.Orders[c.OrderID]++
			au.Convs[c.OrderID] = c
			return true
		})
		if err != nil {
			return err
		}
		scanPrefix(tx.Bucket(bRefunds), key(slug), false, func(_, v []byte) bool {
			var r Refund
			if err = getBytes(v, &r); err != nil {
				return false
			}
			au.Refunds[r.ID] = r
			return true
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit %s: %w", slug, err)
	}
	return au, nil
}

// ClickExists reports whether the ledger holds the click with this id.
func (s *Store) ClickExists(id uint64) (bool, error) {
	s.seeClicks() // journalstore.go
	found := false
	err := s.db.View(func(tx *bolt.Tx) error {
		_, err := clickTx(tx, id)
		found = err == nil
		return nil
	})
	return found, err
}
