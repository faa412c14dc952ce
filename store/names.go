package store

import (
	"encoding/binary"
	"fmt"
	"math"

	bolt "go.etcd.io/bbolt"
)

// Name kinds interned for compact click records.
const (
	nameProgram byte = 'p'
	nameCode    byte = 'c'
	nameSub     byte = 's'
)

// maxCachedNames bounds the in-memory name → id cache (campaign sub-ids
// are partner-chosen and unbounded); names beyond it are looked up in the
// tree instead.
const maxCachedNames = 200_000

// names interns the strings that clicks repeat (program slugs, link codes,
// campaign sub-ids) as small ids: bNames maps kind|name → id, bNameIDs
// id → kind|name. It is used only by the group writer's goroutine: ids
// handed out in the open transaction stay in pending until that
// transaction commits, so a rolled-back id never reaches the cache.
type names struct {
	ids     map[string]uint32 // committed
	pending map[string]uint32 // handed out in the open transaction
}

func newNames() *names {
	return &names{ids: make(map[string]uint32), pending: make(map[string]uint32)}
}

// begin forgets what a previous, rolled-back transaction handed out.
func (n *names) begin() { clear(n.pending) }

// committed moves the open transaction's ids into the cache.
func (n *names) committed() {
	for k, id := range n.pending {
		if len(n.ids) < maxCachedNames {
			n.ids[k] = id
		}
	}
	clear(n.pending)
}

// idTx returns the id of name (0 for ""), interning it in tx if it is new.
func (n *names) idTx(tx *bolt.Tx, kind byte, name string) (uint32, error) {
	if name == "" {
		return 0, nil
	}
	var buf [80]byte
	k := append(append(buf[:0], kind), name...)
	if id, ok := n.ids[string(k)]; ok {
		return id, nil
	}
	if id, ok := n.pending[string(k)]; ok {
		return id, nil
	}
	b := tx.Bucket(bNames)
	if v := b.Get(k); len(v) == 4 {
		id := binary.BigEndian.Uint32(v)
		if len(n.ids) < maxCachedNames {
			n.ids[string(k)] = id // not in pending, so committed earlier
		}
		return id, nil
	}
	seq, err := b.NextSequence()
	if err != nil {
		return 0, fmt.Errorf("intern %q: %w", name, err)
	}
	if seq > math.MaxUint32 {
		return 0, fmt.Errorf("intern %q: out of name ids", name)
	}
	id := uint32(seq)
	idb := binary.BigEndian.AppendUint32(nil, id)
	kc := append([]byte(nil), k...)
	if err := b.Put(kc, idb); err != nil {
		return 0, fmt.Errorf("intern %q: %w", name, err)
	}
	if err := tx.Bucket(bNameIDs).Put(idb, kc); err != nil {
		return 0, fmt.Errorf("intern %q: %w", name, err)
	}
	n.pending[string(kc)] = id
	return id, nil
}

// nameTx reads back the name of id (of the given kind); "" for id 0.
func nameTx(tx *bolt.Tx, kind byte, id uint32) (string, error) {
	if id == 0 {
		return "", nil
	}
	v := tx.Bucket(bNameIDs).Get(binary.BigEndian.AppendUint32(nil, id))
	if len(v) == 0 || v[0] != kind {
		return "", fmt.Errorf("name %d of kind %c: %w", id, kind, ErrNotFound)
	}
	return string(v[1:]), nil
}
