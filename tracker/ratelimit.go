package tracker

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// apiLimiter is a token bucket per API key (keyed by the program slug the
// key authenticates): limit requests a second with a burst of limit.
type apiLimiter struct {
	limit   int
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

func newAPILimiter(limit int) *apiLimiter {
	return &apiLimiter{limit: limit, buckets: make(map[string]*rate.Limiter)}
}

// allow takes one token for key at now. When none is left it returns false
// and the whole seconds to wait (at least 1). A zero limit allows everything.
func (l *apiLimiter) allow(key string, now time.Time) (bool, int) {
	if l.limit <= 0 {
		return true, 0
	}
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Limit(l.limit), l.limit)
		l.buckets[key] = b
	}
	l.mu.Unlock()
	r := b.ReserveN(now, 1)
	if !r.OK() {
		return false, 1
	}
	delay := r.DelayFrom(now)
	if delay <= 0 {
		return true, 0
	}
	r.CancelAt(now)
	return false, max(1, int(math.Ceil(delay.Seconds())))
}
