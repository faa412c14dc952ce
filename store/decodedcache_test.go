package store

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"
)

// TestDecodedCacheFollowsTheStoredBytes writes a balance through the
// cache, then changes it behind the cache's back (a plain put, a rolled
// back write, a delete): every read must say what is stored.
func TestDecodedCacheFollowsTheStoredBytes(t *testing.T) {
	e := newEnv(t)
	var c decodedCache
	k := u64(424242)
	read := func() (Balance, error) {
		var b Balance
		err := e.st.db.View(func(tx *bolt.Tx) error {
			return getCached(&c, tx.Bucket(bBalances), bBalances, k, &b)
		})
		return b, err
	}
	write := func(fn func(tx *bolt.Tx) error) {
		t.Helper()
		if err := e.st.db.Update(fn); err != nil {
			t.Fatal(err)
		}
	}
	want := func(what, approved string) {
		t.Helper()
		b, err := read()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !b.Approved.Equal(decimal.RequireFromString(approved)) {
			t.Fatalf("%s: approved %s, want %s", what, b.Approved, approved)
		}
	}
	write(func(tx *bolt.Tx) error {
		return putCached(&c, tx.Bucket(bBalances), bBalances, k, &Balance{Approved: decimal.RequireFromString("1.50")})
	})
	want("written through the cache", "1.50")
	write(func(tx *bolt.Tx) error {
		return put(tx.Bucket(bBalances), k, &Balance{Approved: decimal.RequireFromString("2.25")})
	})
	want("written around the cache", "2.25")
	rolledBack := errors.New("rolled back")
	if err := e.st.db.Update(func(tx *bolt.Tx) error {
		if err := putCached(&c, tx.Bucket(bBalances), bBalances, k, &Balance{Approved: decimal.RequireFromString("9")}); err != nil {
			return err
		}
		return rolledBack
	}); !errors.Is(err, rolledBack) {
		t.Fatal(err)
	}
	want("after a rolled back write", "2.25")
	var got Balance
	_ = e.st.db.View(func(tx *bolt.Tx) error {
		return getCached(&c, tx.Bucket(bBalances), bBalances, k, &got)
	})
	got.Approved = decimal.RequireFromString("7") // a reader's change stays its own
	want("after a reader changed its copy", "2.25")
	write(func(tx *bolt.Tx) error { return tx.Bucket(bBalances).Delete(k) })
	if _, err := read(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted: %v, want ErrNotFound", err)
	}
}
