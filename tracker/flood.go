package tracker

import (
	"net/netip"
	"sync"
	"time"
)

// maxFloodEntries bounds the per-minute table of client addresses. Beyond it
// new addresses are not tracked (and so are recorded) until the next minute.
const maxFloodEntries = 1 << 18

// floodGuard counts clicks per client address in fixed one-minute windows
// and says when an address went over the limit. IPv6 clients are counted per
// /64, the block one subscriber usually holds. The table is dropped whole
// when the minute changes, so memory holds at most one minute of addresses.
type floodGuard struct {
	limit  int
	mu     sync.Mutex
	minute int64
	counts map[netip.Addr]int
}

func newFloodGuard(limit int) *floodGuard {
	return &floodGuard{limit: limit, counts: make(map[netip.Addr]int)}
}

// allow counts one click from ip at now and reports whether it is within the
// limit. A zero limit allows everything.
func (g *floodGuard) allow(ip netip.Addr, now time.Time) bool {
	if g.limit <= 0 {
		return true
	}
	key := floodKey(ip)
	minute := now.Unix() / 60
	g.mu.Lock()
	defer g.mu.Unlock()
	if minute != g.minute {
		g.minute = minute
		if len(g.counts) > 0 {
			g.counts = make(map[netip.Addr]int)
		}
	}
	n, seen := g.counts[key]
	if !seen && len(g.counts) >= maxFloodEntries {
		return true
	}
	if n > g.limit {
		return false // stop counting: no overflow, no growth
	}
	g.counts[key] = n + 1
	return n+1 <= g.limit
}

// floodKey is the address a client is counted under.
func floodKey(ip netip.Addr) netip.Addr {
	ip = ip.Unmap()
	if ip.Is6() {
		if p, err := ip.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return ip
}
