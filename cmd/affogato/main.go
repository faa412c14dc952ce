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

func main() {
	// The redirector allocates little per request but at a high rate; a
	// larger GC target trades a few MB of heap for CPU. GOGC still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	// Clicks are committed by one writer goroutine that spends much of its
	// time in fdatasync. With one P per core, on its return it queues behind
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
