//go:build !linux

package tui

import "net"

// quickAckListener is the listener itself where TCP_QUICKACK does not
// exist (quickack_linux.go).
type quickAckListener struct{ net.Listener }
