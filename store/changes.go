package store

import (
	"sync"
	"sync/atomic"
)

// changeHub tells subscribers that a program's data changed. A signal
// carries no data: the subscriber reads what it shows again. Sending never
// blocks the writer: each subscription is a channel of capacity one, so
// signals that arrive while one is pending coalesce into it.
//
// A subscription is the program's (every change of it signals) or one
// partner's in it (SubscribePartner): a commit whose only change to the
// program is click counts signals a partner's subscription only when it
// counted clicks of that partner. Under a click load a portal screen then
// reads again only when its own figures moved, not after every counter
// flush of the program (about ten a second).
type changeHub struct {
	// ver counts change signals (of any program); it moves before the
	// subscribers are told, so a read that starts after ver reached v
	// sees every commit signalled up to v (screencache.go).
	ver  atomic.Uint64
	mu   sync.Mutex
	subs map[string]map[chan struct{}]*subscription // program slug → channel → what it follows
}

// subscription is what one subscriber follows.
type subscription struct {
	partner uint64 // 0: the program's
	// day is the UTC day (dayKey) the subscriber's screen was last told
	// about: a new day signals it once (daychange.go).
	day string
}

// changeSet is what one commit changed, for the subscribers.
type changeSet struct {
	// all: programs any of whose data changed; "" among them: every
	// program (a write whose program is not known).
	all []string
	// clicks: programs whose only change is click counts, of the
	// partners in partners (nil: not known, every partner).
	clicks   []string
	partners map[uint64]bool
}

// Subscribe returns a channel that receives a value after each commit that
// changed program slug (clicks, conversions, refunds, and any other write),
// and a function that ends the subscription. Signals coalesce: a burst of
// commits while the subscriber is busy leaves one value in the channel.
func (s *Store) Subscribe(slug string) (<-chan struct{}, func()) {
	return s.changes.subscribe(slug, 0, dayKey(s.now()))
}

// SubscribePartner is Subscribe for what partner partnerID of program
// slug sees of it (the partner portal): every change of the program
// except click counts of other partners.
func (s *Store) SubscribePartner(slug string, partnerID uint64) (<-chan struct{}, func()) {
	return s.changes.subscribe(slug, partnerID, dayKey(s.now()))
}

// subscribe subscribes to slug's changes (partnerID's share of them, if
// not 0) of a screen read on day.
func (h *changeHub) subscribe(slug string, partnerID uint64, day string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[string]map[chan struct{}]*subscription{}
	}
	if h.subs[slug] == nil {
		h.subs[slug] = map[chan struct{}]*subscription{}
	}
	h.subs[slug][ch] = &subscription{partner: partnerID, day: day}
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

// changed signals every subscriber of the programs in slugs; "" among
// them signals every subscriber (a write whose program is not known here).
func (h *changeHub) changed(slugs ...string) { h.signal(changeSet{all: slugs}) }

// signal tells the subscribers of what c changed.
func (h *changeHub) signal(c changeSet) {
	h.ver.Add(1)
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) == 0 {
		return
	}
	for _, slug := range c.all {
		if slug == "" {
			for _, set := range h.subs {
				for ch := range set {
					wake(ch)
				}
			}
			return
		}
	}
	for _, slug := range c.all {
		for ch := range h.subs[slug] {
			wake(ch)
		}
	}
	for _, slug := range c.clicks {
		for ch, sub := range h.subs[slug] {
			if sub.partner == 0 || c.partners == nil || c.partners[sub.partner] {
				wake(ch)
			}
		}
	}
}

// wake signals ch without blocking.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default: // one is pending already: coalesced
	}
}

// newDay signals, once, every subscriber whose screen was read on another
// day than day (a UTC day, dayKey), of every program.
func (h *changeHub) newDay(day string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	moved := false
	for _, set := range h.subs {
		for ch, sub := range set {
			if sub.day == day {
				continue
			}
			if !moved {
				h.ver.Add(1) // before any subscriber is told (screencache.go)
				moved = true
			}
			sub.day = day
			wake(ch)
		}
	}
}
