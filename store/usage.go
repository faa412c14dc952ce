package store

import (
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// Usage is how much of the file the ledger uses.
type Usage struct {
	Clicks    int   // raw clicks stored
	UsedBytes int64 // up to the highest page in use (free pages inside it included)
	FileBytes int64 // the file, with the space bbolt allocated ahead
}

// Usage reports the stored clicks and the database's size.
func (s *Store) Usage() (Usage, error) {
	var u Usage
	err := s.db.View(func(tx *bolt.Tx) error {
		u.Clicks = tx.Bucket(bClicks).Stats().KeyN
		u.UsedBytes = tx.Size()
		return nil
	})
	if err != nil {
		return u, fmt.Errorf("usage: %w", err)
	}
	if fi, err := os.Stat(s.db.Path()); err == nil {
		u.FileBytes = fi.Size()
	}
	return u, nil
}
