package store

import (
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Payout schedules (SPEC 6.5): weekly batches on Mondays, monthly on the
// 1st, at 00:00 UTC.
const (
	ScheduleOff     = "off"
	ScheduleWeekly  = "weekly"
	ScheduleMonthly = "monthly"
)

// System is the actor the server's own scheduled work runs as: an instance
// admin that is no user.
func System() Actor { return Actor{Admin: true} }

// PayoutPeriod returns the period of a schedule that t falls in: its key
// ("2026-W48" for a week by ISO week, "2026-11" for a month) and its start.
// ok is false for ScheduleOff.
func PayoutPeriod(schedule string, t time.Time) (period string, start time.Time, ok bool) {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch schedule {
	case ScheduleWeekly:
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		start = day.AddDate(0, 0, -back)
		y, w := start.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w), start, true
	case ScheduleMonthly:
		start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		return start.Format("2006-01"), start, true
	}
	return "", time.Time{}, false
}

// NextPeriodStart is when the schedule's next period begins after t.
func NextPeriodStart(schedule string, t time.Time) (time.Time, bool) {
	_, start, ok := PayoutPeriod(schedule, t)
	if !ok {
		return time.Time{}, false
	}
	if schedule == ScheduleWeekly {
		return start.AddDate(0, 0, 7), true
	}
	return start.AddDate(0, 1, 0), true
}

// PeriodRun records that a program's scheduled period was handled: the
// batch made (0 when nobody reached the minimum).
type PeriodRun struct {
	Program string    `json:"program"`
	Period  string    `json:"period"`
	Batch   uint64    `json:"batch"`
	At      time.Time `json:"at"`
}

// applyScheduleSetting applies payout-schedule and payout-auto-send.
func applyScheduleSetting(p *Program, k, v string) error {
	switch k {
	case "payout-schedule":
		v = strings.ToLower(strings.TrimSpace(v))
		switch v {
		case ScheduleOff, ScheduleWeekly, ScheduleMonthly:
		default:
			return invalid(k, fmt.Sprintf("%q must be off, weekly or monthly", v))
		}
		if v != p.Schedule() {
			p.PayoutScheduleSince = time.Time{} // stamped by SetProgram
		}
		p.PayoutSchedule = v
		if v == ScheduleOff {
			p.PayoutSchedule = ""
		}
	case "payout-auto-send":
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "on":
			p.PayoutAutoSend = true
		case "off":
			p.PayoutAutoSend = false
		default:
			return invalid(k, fmt.Sprintf("%q must be on or off", v))
		}
	}
	return nil
}

// stampSchedule records when a payout schedule was turned on: the first
// scheduled period is the first one starting at or after that moment.
func stampSchedule(p *Program, now time.Time) {
	if p.Schedule() != ScheduleOff && p.PayoutScheduleSince.IsZero() {
		p.PayoutScheduleSince = now.UTC()
	}
}

// Schedule is the program's payout schedule: off, weekly or monthly.
func (p *Program) Schedule() string {
	if p.PayoutSchedule == "" {
		return ScheduleOff
	}
	return p.PayoutSchedule
}

// DuePeriod returns the program's scheduled period that has begun by now
// and that the schedule covers (ok false when the schedule is off or its
// current period began before the schedule was turned on).
func (p *Program) DuePeriod(now time.Time) (string, bool) {
	period, start, ok := PayoutPeriod(p.Schedule(), now)
	if !ok || start.Before(p.PayoutScheduleSince) {
		return "", false
	}
	return period, true
}

// PeriodRun returns the record of a program's scheduled period (ok false
// when it has not run).
func (s *Store) PeriodRun(slug, period string) (*PeriodRun, bool, error) {
	var r PeriodRun
	ok := false
	err := s.db.View(func(tx *bolt.Tx) error {
		err := get(tx.Bucket(bPeriods), key(slug, period), &r)
		if err == ErrNotFound {
			return nil
		}
		ok = err == nil
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("period %s of %s: %w", period, slug, err)
	}
	return &r, ok, nil
}

// CreateScheduledBatch creates the batch of a program's scheduled period,
// once: the period is keyed in the same transaction that creates the batch,
// so a second call for the same period (a restart, a late or repeated tick,
// a second server) makes nothing and returns created=false with the first
// run's record. When nobody reaches the minimum no batch is made (the batch
// is nil) and the period still counts as done.
func (s *Store) CreateScheduledBatch(slug, period string) (batch *PayoutBatch, skipped []Skipped, run *PeriodRun, created bool, err error) {
	if strings.TrimSpace(period) == "" {
		return nil, nil, nil, false, invalid("period", "is required")
	}
	return s.createPayoutBatch(System(), slug, period)
}

// periodTx reads a period's record (nil when it has not run).
func periodTx(tx *bolt.Tx, slug, period string) (*PeriodRun, error) {
	var r PeriodRun
	if err := get(tx.Bucket(bPeriods), key(slug, period), &r); err != nil {
		if err == ErrNotFound {
			return nil, nil
		}
		return nil, err
	}
	return &r, nil
}

func putPeriodTx(tx *bolt.Tx, r *PeriodRun) error {
	return put(tx.Bucket(bPeriods), key(r.Program, r.Period), r)
}

// InFlightBatches lists every batch being paid through a provider API
// (sending or sent), oldest first, in every program.
func (s *Store) InFlightBatches() ([]PayoutBatch, error) {
	var out []PayoutBatch
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bBatches).ForEach(func(_, v []byte) error {
			var b PayoutBatch
			if err := getBytes(v, &b); err != nil {
				return err
			}
			if b.Status == BatchSending || b.Status == BatchSent {
				out = append(out, b)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("in-flight batches: %w", err)
	}
	return out, nil
}

// parseNotifications reads `profile set notifications on|off`; it returns
// true when mail is turned off.
func parseNotifications(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on":
		return false, nil
	case "off":
		return true, nil
	}
	return false, invalid("notifications", fmt.Sprintf("%q must be on or off", v))
}
