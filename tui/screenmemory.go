package tui

import (
	"math"
	"runtime/debug"
)

// screenMemory grows the Go runtime's soft memory limit (GOMEMLIMIT,
// debug.SetMemoryLimit) by a share for each open screen, back to where it
// was as they close. The binary sets a limit for the redirector's load
// (cmd/affogato: 128 MiB); 200 open screens (their goroutine stacks,
// buffers and the garbage each redraw makes) pushed the heap against it,
// and the collector then ran back to back: about half the server's CPU
// went to garbage collection, and new sessions' first frames waited for
// it (bench/sessions-under-load.sh).
type screenMemory struct {
	base int64 // the limit when the server was made (math.MaxInt64: none)
	per  int64 // added per open screen; 0: the limit is left alone
}

func newScreenMemory(per int64) screenMemory {
	if per <= 0 {
		return screenMemory{}
	}
	return screenMemory{base: debug.SetMemoryLimit(-1), per: per}
}

// set sets the limit for n open screens (registry.go calls it, in order).
func (m screenMemory) set(n int) {
	if m.per <= 0 || m.base == math.MaxInt64 {
		return
	}
	debug.SetMemoryLimit(m.base + m.per*int64(n))
}
