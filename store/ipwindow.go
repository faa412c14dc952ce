package store

import (
	"sync"
	"time"
)

// ipWindow remembers, per partner and IP hash, the times of the clicks of
// the last hour, so that a click can carry how many clicks the same IP sent
// the same partner in the hour before it (the fraud rule "more than 20").
// It lives in memory and is rebuilt from the last hour of stored clicks when
// the store opens.
//
// It holds at most maxIPWindowKeys (partner, IP) pairs. A flood from more
// distinct addresses than that within the hour would otherwise grow it
// without end (each pair costs about 100 bytes); when it is full, the pairs
// seen once are forgotten first (a forgotten pair counts from zero again,
// so only an address that sent a single click to that partner loses
// anything), then arbitrary ones, down to three quarters of the bound.
type ipWindow struct {
	mu        sync.Mutex
	m         map[ipKey][]int64
	lastSweep int64
	max       int // maxIPWindowKeys; tests set less
}

// maxIPWindowKeys bounds the window: 200,000 pairs, about 20 MB.
const maxIPWindowKeys = 200_000

type ipKey struct {
	partner uint64
	hash    [clickHashLen]byte // the part of the IP hash a click keeps
}

func (w *ipWindow) init() {
	w.m = make(map[ipKey][]int64)
	if w.max == 0 {
		w.max = maxIPWindowKeys
	}
}

// record adds a click at t and returns the number of clicks of the same
// key in the hour before t, counting at most ipBurstLimit+1.
func (w *ipWindow) record(partner uint64, hash []byte, t time.Time) int {
	k := ipKey{partner: partner}
	copy(k.hash[:], hash)
	now := t.UnixNano()
	from := now - int64(time.Hour)
	w.mu.Lock()
	defer w.mu.Unlock()
	if now-w.lastSweep > int64(time.Minute) {
		w.sweep(from)
		w.lastSweep = now
	}
	times, seen := w.m[k]
	if !seen && len(w.m) >= w.max {
		w.sweep(from)
		w.shrink()
	}
	n := 0
	kept := times[:0]
	for _, at := range times {
		if at >= from {
			kept = append(kept, at)
			if at < now {
				n++
			}
		}
	}
	kept = append(kept, now)
	if len(kept) > ipBurstLimit+1 {
		kept = kept[len(kept)-(ipBurstLimit+1):]
	}
	w.m[k] = kept
	return n
}

// sweep drops keys with no click since from.
func (w *ipWindow) sweep(from int64) {
	for k, times := range w.m {
		if len(times) == 0 || times[len(times)-1] < from {
			delete(w.m, k)
		}
	}
}

// shrink makes room when the window is full after a sweep: it forgets the
// pairs seen once, then any, until a quarter of the bound is free.
func (w *ipWindow) shrink() {
	target := w.max - w.max/4
	for pass := 0; pass < 2 && len(w.m) > target; pass++ {
		for k, times := range w.m {
			if len(w.m) <= target {
				return
			}
			if pass == 1 || len(times) <= 1 {
				delete(w.m, k)
			}
		}
	}
}

// len is the number of (partner, IP) pairs held.
func (w *ipWindow) len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.m)
}
