package merchant

import (
	"fmt"
	"strings"
	"time"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// scheduleLine says how the program's batches are made: the payout
// schedule, when its next batch is due, and whether it is sent by itself.
func scheduleLine(p *store.Program, now time.Time) string {
	sched := p.Schedule()
	if sched == store.ScheduleOff {
		return "no schedule (Settings: payout-schedule weekly|monthly)"
	}
	line := "schedule " + sched
	if next, ok := nextScheduled(p, now); ok {
		line += ", next " + next.Format("2006-01-02") + " 00:00 UTC"
	}
	if p.PayoutAutoSend {
		return line + ", sent by itself"
	}
	return line + ", auto-send off"
}

// nextScheduled is when the schedule's next batch is made.
func nextScheduled(p *store.Program, now time.Time) (time.Time, bool) {
	next, ok := store.NextPeriodStart(p.Schedule(), now)
	if !ok {
		return time.Time{}, false
	}
	for next.Before(p.PayoutScheduleSince) {
		if next, ok = store.NextPeriodStart(p.Schedule(), next); !ok {
			return time.Time{}, false
		}
	}
	return next, true
}

// webhooksLine lists a program's webhook endpoints on one line.
func webhooksLine(ws []store.Webhook, hint, slug string) string {
	if len(ws) == 0 {
		return fmt.Sprintf("webhooks: none (%s webhook add %s URL)", hint, slug)
	}
	urls := make([]string, 0, len(ws))
	for _, w := range ws {
		urls = append(urls, fmt.Sprintf("%d %s", w.ID, common.Clean(w.URL)))
	}
	return fmt.Sprintf("webhooks: %s (%s webhook deliveries %s)", strings.Join(urls, ", "), hint, slug)
}
