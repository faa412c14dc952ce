package store

import (
	"sync"
	"sync/atomic"
)

// changeHub tells subscribers that a program's data changed. A signal
// carries no data: the subscriber reads what it shows again. Sending never
// blocks the writer: each subscription is a channel of capacity one, so
// signals that arrive while one is pending coalesce into it.
type changeHub struct {
	// ver counts change signals (of any program); it moves before the
	// subscribers are told, so a read that starts after ver reached v
	// sees every commit signalled up to v (screencache.go).
	ver  atomic.Uint64
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{} // program slug → channels
}

// Subscribe returns a channel that receives a value after each commit that
// changed program slug (clicks, conversions, refunds, and any other write),
// and a function that ends the subscription. Signals coalesce: a burst of
// commits while the subscriber is busy leaves one value in the channel.
func (s *Store) Subscribe(slug string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h := &s.changes
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[string]map[chan struct{}]struct{}{}
	}
	if h.subs[slug] == nil {
		h.subs[slug] = map[chan struct{}]struct{}{}
	}
	h.subs[slug][ch] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs[slug], ch)
			if len(h.subs[slug]) == 0 {
				delete(h.subs, slug)
			}
			h.mu.Unlock()
		})
	}
}

// changed signals the subscribers of the programs in slugs; "" among them
// signals every subscriber (a write whose program is not known here).
func (h *changeHub) changed(slugs ...string) {
	h.ver.Add(1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) == 0 {
		return
	}
	signal := func(set map[chan struct{}]struct{}) {
		for ch := range set {
			select {
			case ch <- struct{}{}:
			default: // one is pending already: coalesced
			}
		}
	}
	for _, slug := range slugs {
		if slug == "" {
			for _, set := range h.subs {
				signal(set)
			}
			return
		}
	}
	for _, slug := range slugs {
		signal(h.subs[slug])
	}
}
