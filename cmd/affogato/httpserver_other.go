//go:build !linux

package main

import "syscall"

// setUserTimeout does nothing outside Linux: there a client that stops
// reading holds its connection until the kernel's own retransmission
// limits close it.
func setUserTimeout(_, _ string, _ syscall.RawConn) error { return nil }
