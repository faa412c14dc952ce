package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A conversion reads its program twice: before its change is queued (to
// check the request against the program's currency and rules) and again
// inside the group commit, where changes run one at a time. The second
// read decodes the record again only when it changed in between: the
// bytes read first are kept and compared.

// programRead is a program as read before a change, with its stored bytes.
type programRead struct {
	prog *Program
	raw  []byte
}

// readProgram reads a program and keeps its stored bytes. The program is
// decoded through the store's decodedCache (decodedcache.go): the same
// program is read for every conversion.
func (s *Store) readProgram(slug string) (programRead, error) {
	var r programRead
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bPrograms).Get([]byte(slug))
		if v == nil {
			return ErrNotFound
		}
		var p Program
		if err := getCached(&s.decoded, tx.Bucket(bPrograms), bPrograms, []byte(slug), &p); err != nil {
			return err
		}
		r = programRead{prog: &p, raw: bytes.Clone(v)}
		return nil
	})
	if err != nil {
		return programRead{}, fmt.Errorf("program %q: %w", slug, err)
	}
	return r, nil
}

// programTx reads the program in tx: a copy of the one read before when
// its stored bytes are the same, decoded afresh otherwise. The copy shares
// its slices with the one read before; neither is changed.
func (r programRead) programTx(tx *bolt.Tx, slug string) (Program, error) {
	v := tx.Bucket(bPrograms).Get([]byte(slug))
	if v != nil && r.prog != nil && bytes.Equal(v, r.raw) {
		return *r.prog, nil
	}
	var p Program
	if v == nil {
		return p, ErrNotFound
	}
	return p, getBytes(v, &p)
}
