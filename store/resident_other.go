//go:build !linux

package store

import bolt "go.etcd.io/bbolt"

// dropResident is a no-op where the RSS effect of opening is not handled.
func dropResident(*bolt.DB) {}
