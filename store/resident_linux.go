//go:build linux

package store

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// bbolt reads the database through a read-only shared mapping of the file.
// Every page a read touches stays mapped into the process, and Linux's
// fault-around maps the neighbouring pages that are in the page cache with
// each fault (64-128 KiB a fault measured here, MADV_RANDOM or not). The
// day counters that clicks change are keyed day first (counters.go), so a
// commit under load touches about 900 pages, but bbolt writes their copies
// wherever its free list has room, all over the file, and the next commit
// reads them there: without a trim, RSS passed 700 MB within 15 s of
// full load on the 10,000-partner seed and kept growing with the file,
// although these pages are the kernel's page cache, shared and clean. Two
// things keep the figure to what the server holds:
//
//   - dropResident, after opening: rebuilding the free list
//     (NoFreelistSync) reads every page once;
//   - the trimmer (resident.go), while the store is open: when the
//     process's file-backed resident memory passes a limit, the mapping's
//     pages are unmapped again (MADV_DONTNEED). The pages stay in the page
//     cache; the next read of one maps it back with a minor fault, no disk
//     read. Nothing is lost: the mapping is read-only and shared, and
//     bbolt writes through the file.
//
// This trims the figure, not the reads: the file pages a commit touches
// are still read, and RSS still rises between two checks.
//
// The mapping's address and length are read inside a read transaction,
// which holds bbolt's mmap lock: the file cannot be remapped under the
// madvise, so it never reaches memory that is not the database's.

// dropResident unmaps the database's resident pages (see above).
func dropResident(db *bolt.DB) error {
	return db.View(func(*bolt.Tx) error {
		addr := db.Info().Data
		size, err := mappingSize(addr)
		if err != nil || size == 0 {
			return err
		}
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, addr, size, syscall.MADV_DONTNEED); e != 0 {
			return fmt.Errorf("madvise the database mapping: %w", e)
		}
		return nil
	})
}

// mappingSize is the length of the mapping that starts at addr, from
// /proc/self/maps (bbolt does not say how much it mapped); 0 when there
// is none.
func mappingSize(addr uintptr) (uintptr, error) {
	if addr == 0 {
		return 0, nil
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, fmt.Errorf("find the database mapping: %w", err)
	}
	defer f.Close()
	start := []byte(strconv.FormatUint(uint64(addr), 16) + "-")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		rest, ok := bytes.CutPrefix(line, start)
		if !ok {
			continue
		}
		end, _, _ := bytes.Cut(rest, []byte{' '})
		e, err := strconv.ParseUint(string(end), 16, 64)
		if err != nil || uintptr(e) <= addr {
			return 0, fmt.Errorf("find the database mapping: bad line %q", line)
		}
		return uintptr(e) - addr, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("find the database mapping: %w", err)
	}
	return 0, nil
}

// fileResident is the process's resident file-backed (and shared) memory
// in bytes, from /proc/self/statm (the "shared" field: RssFile+RssShmem).
func fileResident() (int64, error) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, fmt.Errorf("read statm: %w", err)
	}
	f := bytes.Fields(b)
	if len(f) < 3 {
		return 0, fmt.Errorf("read statm: %q", b)
	}
	pages, err := strconv.ParseInt(string(f[2]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read statm: %w", err)
	}
	return pages * int64(os.Getpagesize()), nil
}

const residentTrimSupported = true
