//go:build linux

package store

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// mappedResident is the resident size of the database's mapping, from
// /proc/self/smaps.
func mappedResident(t *testing.T, db *bolt.DB) int64 {
	t.Helper()
	var rss int64 = -1
	err := db.View(func(*bolt.Tx) error {
		b, err := os.ReadFile("/proc/self/smaps")
		if err != nil {
			return err
		}
		start := []byte(strconv.FormatUint(uint64(db.Info().Data), 16) + "-")
		in := false
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			line := sc.Bytes()
			if len(line) > 0 && (line[0] >= '0' && line[0] <= '9' || line[0] >= 'a' && line[0] <= 'f') && bytes.Contains(line, []byte("-")) && !bytes.Contains(line, []byte(":")) || bytes.HasPrefix(line, start) {
				in = bytes.HasPrefix(line, start)
				continue
			}
			if in && bytes.HasPrefix(line, []byte("Rss:")) {
				f := bytes.Fields(line)
				kb, err := strconv.ParseInt(string(f[1]), 10, 64)
				if err != nil {
					return err
				}
				rss = kb << 10
				return nil
			}
		}
		return fmt.Errorf("no mapping at %x", db.Info().Data)
	})
	if err != nil {
		t.Fatal(err)
	}
	return rss
}

// TestResidentTrimUnmapsTheDatabase reads every page of an 8 MB database
// (all of it mapped in), trims, and finds the mapping's resident size
// back near zero; the data reads the same after. The trimmer with a tiny
// limit does the same on its own.
func TestResidentTrimUnmapsTheDatabase(t *testing.T) {
	e := newEnv(t)
	e.st.resident.close() // only this test's trims, whatever else the process maps
	db := e.st.db
	val := bytes.Repeat([]byte("x"), 1000)
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("trim-test"))
		if err != nil {
			return err
		}
		for i := range 8000 {
			if err := b.Put(u64(uint64(i)), val); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	readAll := func() {
		t.Helper()
		n := 0
		if err := db.View(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("trim-test")).ForEach(func(_, v []byte) error {
				if !bytes.Equal(v, val) {
					return fmt.Errorf("value changed")
				}
				n++
				return nil
			})
		}); err != nil || n != 8000 {
			t.Fatalf("read %d values: %v", n, err)
		}
	}
	readAll()
	if got := mappedResident(t, db); got < 6<<20 {
		t.Fatalf("after reading 8 MB the mapping has %d bytes resident; the test measures nothing", got)
	}
	if err := dropResident(db); err != nil {
		t.Fatal(err)
	}
	if got := mappedResident(t, db); got > 1<<20 {
		t.Fatalf("after the trim the mapping still has %d bytes resident", got)
	}
	readAll()
	tr := startResidentTrimmer(db, 1, residentCheckEvery/50)
	defer tr.close()
	for tr.trims.Load() == 0 {
		readAll()
	}
	for n := tr.trims.Load(); tr.trims.Load() == n; { // a trim after the last read
		time.Sleep(residentCheckEvery / 50)
	}
	tr.close()
	if got := mappedResident(t, db); got > 1<<20 {
		t.Fatalf("after the trimmer ran the mapping has %d bytes resident", got)
	}
	tr.close()
}
