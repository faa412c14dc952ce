package merchant

import (
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store"
)

func TestScheduleAndWebhookLines(t *testing.T) {
	now := time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC) // a Sunday
	since := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		p    store.Program
		want string
	}{
		{store.Program{}, "no schedule (Settings: payout-schedule weekly|monthly)"},
		{store.Program{PayoutSchedule: store.ScheduleWeekly, PayoutScheduleSince: since},
			"schedule weekly, next 2026-11-30 00:00 UTC, auto-send off"},
		{store.Program{PayoutSchedule: store.ScheduleMonthly, PayoutScheduleSince: since, PayoutAutoSend: true},
			"schedule monthly, next 2026-12-01 00:00 UTC, sent by itself"},
	} {
		if got := scheduleLine(&c.p, now); got != c.want {
			t.Errorf("scheduleLine(%+v) = %q, want %q", c.p, got, c.want)
		}
	}
	ws := []store.Webhook{{ID: 1, URL: "https://hooks.test/a\x1b[31m"}, {ID: 3, URL: "https://b.test/"}}
	if got, want := webhooksLine(ws, "ssh h", "acme"), "webhooks: 1 https://hooks.test/a, 3 https://b.test/ (ssh h webhook deliveries acme)"; got != want {
		t.Errorf("webhooksLine = %q, want %q", got, want)
	}
}
