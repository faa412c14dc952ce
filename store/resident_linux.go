//go:build linux

package store

import (
	"os"
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// dropResident tells the kernel that the process need not keep the
// database's pages mapped in. Opening a file written without a synced free
// list (NoFreelistSync) reads every page to rebuild the list, which would
// count the whole file in the process's RSS until memory runs short; after
// this, pages come back from the page cache as they are read, so the RSS
// follows what the server actually uses. The mapping is read-only and
// shared, so nothing is lost.
func dropResident(db *bolt.DB) {
	fi, err := os.Stat(db.Path())
	if err != nil || fi.Size() == 0 {
		return
	}
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, db.Info().Data, uintptr(fi.Size()), syscall.MADV_DONTNEED)
}
