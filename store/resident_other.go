//go:build !linux

package store

import (
	"errors"

	bolt "go.etcd.io/bbolt"
)

// dropResident is a no-op where the RSS effect of the mapping is not handled.
func dropResident(*bolt.DB) error { return nil }

// fileResident is not measured on this system.
func fileResident() (int64, error) { return 0, errors.New("not measured on this system") }

const residentTrimSupported = false
