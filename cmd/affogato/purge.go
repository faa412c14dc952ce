package main

import (
	"context"
	"time"

	"github.com/affogato-sh/affogato/store"
	"github.com/charmbracelet/log"
)

// purgeEvery is how often raw clicks past the retention are deleted.
const purgeEvery = time.Hour

// purgeLoop deletes raw clicks older than --click-retention-days (and the
// unique-click index of past days) five seconds after start and then every
// hour, in the store's small steps; it ends with ctx.
func purgeLoop(ctx context.Context, st *store.Store, logger *log.Logger) {
	defer func() {
		if p := recover(); p != nil {
			logger.Error("click purge panic", "panic", p)
		}
	}()
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		start := time.Now()
		res, err := st.PurgeClicks(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Warn("purge old clicks", "err", err)
		case res.Clicks > 0 || res.UniqueKeys > 0:
			logger.Info("purged old clicks", "clicks", res.Clicks, "unique_index", res.UniqueKeys,
				"retention_days", st.ClickRetentionDays(), "took", time.Since(start).Round(time.Millisecond))
		}
		t.Reset(purgeEvery)
	}
}
