package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// A group commit of conversions of one partner decodes and re-encodes the
// same few records once per conversion: the partner (its paying
// customers counted), the partner's and the program's balance; and each
// conversion API request decodes its program twice before that (its API
// key, the request's checks). Decoding
// them (their money fields through math/big) was about a fifth of a
// conversion's work inside the group writer, whose one goroutine sets how
// many conversions a second the server takes. decodedCache keeps the
// last decoded value of such records with the exact bytes it was decoded
// from (or encoded to): a read whose stored bytes are the same takes a
// copy of the value instead of decoding, any other read decodes. Being
// keyed by content, it is right whatever wrote the record, in any
// transaction, rolled back or not.

// decodedCacheMax bounds the entries; the cache starts afresh when full.
const decodedCacheMax = 1024

type decodedCache struct {
	mu sync.Mutex
	m  map[string]decodedEntry
}

type decodedEntry struct {
	raw []byte // never changed once here
	v   any    // Program, Partner or Balance, by value
}

func decodedKey(bucket, k []byte) string { return string(bucket) + "\x00" + string(k) }

func (c *decodedCache) lookup(ck string, raw []byte) (any, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	e, ok := c.m[ck]
	c.mu.Unlock()
	if !ok || !bytes.Equal(e.raw, raw) {
		return nil, false
	}
	return e.v, true
}

func (c *decodedCache) store(ck string, raw []byte, v any) {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= decodedCacheMax {
		c.m = make(map[string]decodedEntry)
	}
	c.m[ck] = decodedEntry{raw: raw, v: v}
	c.mu.Unlock()
}

// getCached is get for a record type T kept in c (nil: none): a copy of the cached
// value when the stored bytes are the ones it came from. T's pointer and
// slice fields are shared with the cache, so callers must not change what
// they point to (they may change T's own fields).
func getCached[T any](c *decodedCache, b *bolt.Bucket, bucket, k []byte, v *T) error {
	raw := b.Get(k)
	if raw == nil {
		return ErrNotFound
	}
	ck := decodedKey(bucket, k)
	if cv, ok := c.lookup(ck, raw); ok {
		if t, ok := cv.(T); ok {
			*v = t
			return nil
		}
	}
	var t T
	if err := json.Unmarshal(raw, &t); err != nil {
		return fmt.Errorf("decode %T: %w", v, err)
	}
	c.store(ck, bytes.Clone(raw), t)
	*v = t
	return nil
}

// putCached is put for a record type T kept in c (nil: none).
func putCached[T any](c *decodedCache, b *bolt.Bucket, bucket, k []byte, v *T) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	if err := b.Put(k, data); err != nil {
		return err
	}
	c.store(decodedKey(bucket, k), data, *v)
	return nil
}
