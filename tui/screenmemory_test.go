package tui

import (
	"math"
	"runtime/debug"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// Each open screen raises the soft memory limit by its share while it is
// open; with no limit set, or no share, nothing changes.
func TestScreenMemoryFollowsOpenScreens(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(old) })

	debug.SetMemoryLimit(64 << 20)
	var r programRegistry
	r.init()
	r.counted = newScreenMemory(1 << 20).set
	p1, p2 := new(tea.Program), new(tea.Program)
	r.add(p1)
	r.add(p2)
	if got := debug.SetMemoryLimit(-1); got != 66<<20 {
		t.Fatalf("2 screens open: limit %d, want %d", got, 66<<20)
	}
	r.remove(p1)
	r.remove(p2)
	if got := debug.SetMemoryLimit(-1); got != 64<<20 {
		t.Fatalf("all closed: limit %d, want %d", got, 64<<20)
	}

	newScreenMemory(0).set(10)
	if got := debug.SetMemoryLimit(-1); got != 64<<20 {
		t.Fatalf("no share: limit %d", got)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	newScreenMemory(1 << 20).set(10)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("no limit set: limit %d", got)
	}
}
