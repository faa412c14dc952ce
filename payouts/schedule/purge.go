package schedule

import (
	"context"
	"time"
)

// PurgeEvery is how often the scheduler deletes raw clicks past the click
// retention.
const PurgeEvery = time.Hour

// purgeClicks deletes raw clicks older than the store's click retention
// (and the unique-click index of past days), at the first tick and then
// once every PurgeEvery. The store works in small steps inside the group
// commit, so the redirector's clicks go on meanwhile; day counters are
// kept, so no figure changes.
func (s *Scheduler) purgeClicks(ctx context.Context) {
	now := s.now()
	s.mu.Lock()
	due := s.lastPurge.IsZero() || now.Sub(s.lastPurge) >= PurgeEvery
	if due {
		s.lastPurge = now
	}
	s.mu.Unlock()
	if !due {
		return
	}
	start := time.Now()
	res, err := s.st.PurgeClicks(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Warn("purge old clicks", "err", err)
	case res.Clicks > 0 || res.UniqueKeys > 0:
		s.log.Info("purged old clicks", "clicks", res.Clicks, "unique_index", res.UniqueKeys,
			"retention_days", s.st.ClickRetentionDays(), "took", time.Since(start).Round(time.Millisecond))
	}
}
