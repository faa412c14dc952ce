// Command freelist compares bbolt's freelist settings on a copy of a
// stopped affogato database (issue 12 part 4: the heap a long-running,
// fragmented file's freelist takes). It opens the file with the freelist
// type and NoFreelistSync asked for, and prints the time to open, the Go
// heap in use before and after, the free pages, and then the time of
// COMMITS commits that each append clicks to the clicks bucket and rewrite
// random day counters (as the click applier's flushes do), and the heap
// after them. It writes to the file: give it a copy.
//
//	go run ./bench/freelist -db /tmp/copy/affogato.db -type array -sync=false
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

func main() {
	path := flag.String("db", "", "a copy of affogato.db (it is written to)")
	typ := flag.String("type", "hashmap", "freelist type: hashmap or array")
	sync := flag.Bool("sync", false, "write the freelist on every commit (NoFreelistSync false)")
	commits := flag.Int("commits", 300, "commits to time")
	appends := flag.Int("appends", 600, "click records appended per commit")
	rewrites := flag.Int("rewrites", 400, "random day counters rewritten per commit")
	fsync := flag.Bool("fsync", false, "fdatasync every commit (off: the figures are CPU alone)")
	heapProfile := flag.String("heapprofile", "", "write a heap profile here at the end (every 512 bytes sampled)")
	flag.Parse()
	if *heapProfile != "" {
		runtime.MemProfileRate = 512
	}
	if err := run(*path, *typ, *sync, *fsync, *commits, *appends, *rewrites, *heapProfile); err != nil {
		fmt.Fprintln(os.Stderr, "freelist:", err)
		os.Exit(1)
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	return f.Close()
}

func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / 1e6
}

func run(path, typ string, freelistSync, fsync bool, commits, appends, rewrites int, heapProfile string) error {
	ft := bolt.FreelistMapType
	switch typ {
	case "hashmap":
	case "array":
		ft = bolt.FreelistArrayType
	default:
		return fmt.Errorf("type %q: want hashmap or array", typ)
	}
	h0 := heapMB()
	t0 := time.Now()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, FreelistType: ft,
		NoFreelistSync: !freelistSync, InitialMmapSize: 256 << 20})
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	db.NoSync = !fsync
	opened := time.Since(t0)
	h1 := heapMB()
	st := db.Stats()
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	fmt.Printf("freelist %s, NoFreelistSync %v, fsync %v; file %.0f MB\n", typ, !freelistSync, fsync, float64(fi.Size())/1e6)
	fmt.Printf("open: %v; heap in use %.1f -> %.1f MB (+%.1f); free pages %d (%.0f MB), pending %d\n",
		opened.Round(time.Millisecond), h0, h1, h1-h0, st.FreePageN, float64(st.FreePageN)*float64(db.Info().PageSize)/1e6, st.PendingPageN)

	// The day counters' keys, to rewrite at random.
	var keys [][]byte
	var next uint64
	if err := db.View(func(tx *bolt.Tx) error {
		daily, clicks := tx.Bucket([]byte("daily")), tx.Bucket([]byte("clicks"))
		if daily == nil || clicks == nil {
			return fmt.Errorf("%s has no daily or clicks bucket", path)
		}
		if err := daily.ForEach(func(k, _ []byte) error {
			keys = append(keys, slices.Clone(k))
			return nil
		}); err != nil {
			return err
		}
		if k, _ := clicks.Cursor().Last(); len(k) == 8 {
			next = binary.BigEndian.Uint64(k) + 1
		}
		return nil
	}); err != nil {
		return err
	}
	hk := heapMB() // with the keys read
	rng := rand.New(rand.NewPCG(1, 2))
	click := make([]byte, 90)
	times := make([]time.Duration, 0, commits)
	for range commits {
		tx, err := db.Begin(true)
		if err != nil {
			return err
		}
		clicks, daily := tx.Bucket([]byte("clicks")), tx.Bucket([]byte("daily"))
		for range appends {
			var k [8]byte
			binary.BigEndian.PutUint64(k[:], next)
			next++
			if err := clicks.Put(k[:], click); err != nil {
				tx.Rollback()
				return err
			}
		}
		for range rewrites {
			k := keys[rng.IntN(len(keys))]
			v := slices.Clone(daily.Get(k))
			if err := daily.Put(k, v); err != nil {
				tx.Rollback()
				return err
			}
		}
		t := time.Now()
		if err := tx.Commit(); err != nil {
			return err
		}
		times = append(times, time.Since(t))
	}
	h2 := heapMB()
	runtime.KeepAlive(keys) // counted in hk, so in h2 too
	slices.Sort(times)
	var sum time.Duration
	for _, d := range times {
		sum += d
	}
	st = db.Stats()
	fmt.Printf("%d commits (%d appends, %d rewrites each): commit mean %v, p50 %v, p99 %v, max %v\n",
		len(times), appends, rewrites, (sum / time.Duration(len(times))).Round(time.Microsecond),
		times[len(times)/2].Round(time.Microsecond), times[len(times)*99/100].Round(time.Microsecond),
		times[len(times)-1].Round(time.Microsecond))
	fmt.Printf("after: heap in use %.1f MB (+%.1f over the commits); free pages %d\n", h2, h2-hk, st.FreePageN)
	if heapProfile != "" { // the database still open
		return writeHeapProfile(heapProfile)
	}
	return nil
}
