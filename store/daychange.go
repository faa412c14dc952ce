package store

import (
	"sync"
	"time"
)

// Day change. What a screen shows depends on the day as well as on the
// data: 30-day windows, "today" figures, the dates on which commissions
// mature. Days are UTC days (dayKey), read from the store's clock. A
// screen reads again only when it is signalled (changes.go), and since a
// partner's portal is signalled only by its own partner's clicks (and the
// other writes of its program), a portal of a quiet partner left open
// overnight would keep yesterday's window until its next change. So the
// store itself signals every subscriber, merchant and partner alike, when
// its clock enters a new day, whether or not anything was written.
//
// Each subscription keeps the day it was opened on (or last told of a new
// day, changes.go); a new day signals each subscription once, and a
// subscription opened after the clock moved is not signalled for it (its
// first read already saw the new day).
//
// One goroutine per store, armed to the next day boundary: not one timer
// per screen or session, and nothing on the click path. The signal goes
// through the change hub, so it also moves Version: a shared screen read
// started before midnight is not reused after it (screencache.go).

// dayCheckMax bounds one wait for the day boundary. Timers run on the
// monotonic clock, which does not follow a change of the wall clock (a
// correction, a suspended machine) nor a test's clock: the day is checked
// again at least this often, so such a change is seen within it. One
// wake-up a second per store (a clock read and a date format) costs
// nothing next to one timer per open screen.
const dayCheckMax = time.Second

// dayCheckMin is the shortest wait: a clock that stands still just before
// midnight (a test's) is not polled in a tight loop.
const dayCheckMin = 20 * time.Millisecond

// dayWatcher signals the change hub's subscribers when the store's clock
// enters a new UTC day.
type dayWatcher struct {
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

// untilNextDay is how long from now until the next UTC day starts.
func untilNextDay(now time.Time) time.Duration {
	u := now.UTC()
	next := time.Date(u.Year(), u.Month(), u.Day()+1, 0, 0, 0, 0, time.UTC)
	return next.Sub(u)
}

// dayWait is how long the watcher sleeps when its clock reads now.
func dayWait(now time.Time) time.Duration {
	return min(max(untilNextDay(now), dayCheckMin), dayCheckMax)
}

// startDayWatcher starts the watcher of s's clock.
func (s *Store) startDayWatcher() *dayWatcher {
	w := &dayWatcher{stop: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		timer := time.NewTimer(dayWait(s.now()))
		defer timer.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-timer.C:
			}
			now := s.now()
			s.changes.newDay(dayKey(now)) // the screens read on an earlier day read again
			timer.Reset(dayWait(now))
		}
	}()
	return w
}

// close stops the watcher; safe on nil.
func (w *dayWatcher) close() {
	if w == nil {
		return
	}
	w.once.Do(func() { close(w.stop) })
	w.wg.Wait()
}
