package store

import (
	"context"
)

// Upkeep writes (the click purge, retention.go) change no figure any
// screen shows, and they come in long runs of small steps. Two things keep
// them out of the way of the clicks and the screens:
//
//   - They are quiet: a committed step signals no screen and does not move
//     Version, so open screens do not read again and the screens' shared
//     reads stay valid (before, every step signalled every screen of every
//     program, about 160 times a second during the purge), and a step does
//     not make its commit flush the clicks' counts waiting in memory
//     (clickcounters.go): under load they are written once per
//     clickFlushEvery as without the purge, not once per step.
//   - Under a click load they ride along: while journaled clicks wait to be
//     stored (the applier commits them every applyEvery), a step waits for
//     that commit instead of making one of its own, so the purge adds no
//     commit, and no fdatasync, to the redirector's. With no clicks waiting
//     a step commits at once.
//
// A quiet change must not read click counters (they may lag the journaled
// clicks by up to clickFlushEvery) and must change nothing that a screen
// or a cached read shows.

// maxHeldQuiet bounds the upkeep steps waiting for the next commit; past it
// a step commits at once.
const maxHeldQuiet = 64

// doQuiet runs fn, an upkeep step, in a group commit and returns once it
// is durable (see above).
func (w *groupWriter) doQuiet(ctx context.Context, fn writeFn) error {
	return w.send(ctx, &writeReq{quiet: true, fn: fn, done: make(chan struct{})})
}

// holdQuiet says whether the writer keeps r, just received, for its next
// commit: an upkeep step, while journaled clicks wait for the applier's
// commit (which then comes within applyEvery), with held steps already
// waiting.
func (w *groupWriter) holdQuiet(r *writeReq, held int) bool {
	return r.quiet && held < maxHeldQuiet && w.lagging()
}
