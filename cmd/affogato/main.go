// Command affogato runs a self-hosted affiliate (partner) program platform:
// an SSH dashboard and command line for merchants and partners, and an HTTP
// tracker for referral links, conversions and refunds, over one bbolt ledger.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"

	"github.com/charmbracelet/log"
)

// defaultMemoryLimit is the soft limit of the Go runtime's memory (heap,
// stacks, runtime structures) when GOMEMLIMIT is not set. It is a GC
// target, not a cap: a program whose live data needs more gets more, at
// the cost of collections back to back (the runtime gives them at most
// about half the CPU). Live data under full load on the 10,000-partner
// seed is 40-55 MB.
const defaultMemoryLimit = 128 << 20

// memoryPerScreen is what each open dashboard screen adds to the soft
// memory limit while it is open (tui.Config.MemoryPerScreen): 200 screens
// raise it by 50 MiB. The redirector's own load is held to the limit
// above; open screens get room for their garbage, or the collector runs
// back to back and first frames wait for it.
const memoryPerScreen = 256 << 10

// gcPercent is the GC target (GOGC) when GOGC is not set: the heap may
// grow to 13 times what is live, up to defaultMemoryLimit. A program whose
// live data is over a tenth of the limit (the 10,000-partner seed: 40-55
// MB) is held by the limit as before, so its memory does not change; a
// small one (4 MB live) collects at about 55 MB instead of 20.
const gcPercent = 1200

func main() {
	// The redirector allocates little per request but at a high rate; a
	// larger GC target trades heap for CPU. With 4 MB live (a new program)
	// GOGC=400 collected 13 times a second under wrk, about 7% of the
	// server's CPU (gctrace); gcPercent makes that a few times fewer. The
	// soft limit below bounds the heap either way. GOGC still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	// GOGC=400 already let the heap grow to five times what is live (about 55 MB
	// on a 10,000-partner program under load: 250+ MB). A soft memory
	// limit makes the GC run earlier whenever that headroom would take the
	// Go runtime past defaultMemoryLimit, and return freed memory to the
	// system, so the server's anonymous memory stays under it with room
	// for the mapped database pages (store/resident.go) inside the 200 MB
	// target of issue 12. The Go runtime's own GOMEMLIMIT wins.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	// Clicks are made durable by one journal goroutine (store/journal.go)
	// that spends much of its time in fdatasync. With one P per core, on its return it queues behind
	// hundreds of runnable HTTP goroutines; twice as many Ps as the CPU
	// quota lets the kernel run it at once (measured in make bench: about
	// +10% redirects at 256 connections, +15% at 1024). GOMAXPROCS still wins.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(2 * runtime.GOMAXPROCS(0))
	}
	logger := log.NewWithOptions(os.Stderr, log.Options{ReportTimestamp: true, Prefix: "affogato"})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd(ctx, logger)
	if err := root.ExecuteContext(ctx); err != nil {
		var ce checkError
		if !errors.As(err, &ce) {
			fmt.Fprintln(os.Stderr, "affogato:", err)
		}
		os.Exit(1)
	}
}
