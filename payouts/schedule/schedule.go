// Package schedule is the server's scheduled work, run by one goroutine on
// an injectable clock: commissions whose hold ended become approved; each
// program with a payout schedule gets its period's batch once, at the
// period start (UTC), sent through the provider when the program says
// payout-auto-send on; and every batch in flight at PayPal or Wise is
// refreshed every 15 minutes until it is settled.
//
// A period's batch is keyed by program and period in the transaction that
// creates it (store.CreateScheduledBatch), so restarts, late ticks, repeated
// ticks or two servers never make a second batch for the same period.
// Sending uses the same code path and idempotency keys as `payout send`, so
// a crash mid-send followed by a restart pays each partner once.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/charmbracelet/log"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
)

// Defaults.
const (
	DefaultTick    = time.Minute
	DefaultRefresh = 15 * time.Minute
)

// Config configures a Scheduler.
type Config struct {
	Store   *store.Store
	Payouts *payouts.Service // nil: batches are made but never sent or refreshed
	Logger  *log.Logger
	// Now is the clock (nil: the store's, so tests move both at once).
	Now func() time.Time
	// Tick is how often Run does its work (default one minute); Refresh
	// is how often a batch in flight is refreshed (default 15 minutes).
	Tick, Refresh time.Duration
	// PruneLog drops delivery log rows past their retention once a day.
	PruneLog bool
	// PurgeClicks deletes raw clicks past the store's click retention
	// once an hour (purge.go).
	PurgeClicks bool
}

// Scheduler runs the scheduled work.
type Scheduler struct {
	cfg Config
	st  *store.Store
	log *log.Logger
	now func() time.Time

	mu        sync.Mutex
	lastPoke  map[uint64]time.Time // batch → last refresh or resend
	lastPrune time.Time
	lastPurge time.Time
}

// New makes a Scheduler; Run starts it.
func New(cfg Config) *Scheduler {
	if cfg.Logger == nil {
		cfg.Logger = log.New(io.Discard)
	}
	if cfg.Now == nil {
		cfg.Now = cfg.Store.Now
	}
	if cfg.Tick <= 0 {
		cfg.Tick = DefaultTick
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = DefaultRefresh
	}
	return &Scheduler{cfg: cfg, st: cfg.Store, log: cfg.Logger, now: cfg.Now, lastPoke: map[uint64]time.Time{}}
}

// Run does the scheduled work at once and then every tick until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		s.safeTick(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Scheduler) safeTick(ctx context.Context) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("scheduler panic", "panic", p)
		}
	}()
	if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn("scheduled work", "err", err)
	}
}

// Tick does everything that is due now: approvals, period batches (and
// their sending), refreshes. Errors of one program do not stop the others;
// they are joined in the result.
func (s *Scheduler) Tick(ctx context.Context) error {
	var errs []error
	if n, err := s.st.PromoteMatured(); err != nil {
		errs = append(errs, fmt.Errorf("approve matured commissions: %w", err))
	} else if n > 0 {
		s.log.Info("approved commissions whose hold ended", "count", n)
	}
	progs, err := s.st.ListPrograms(store.System())
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for i := range progs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := s.period(ctx, &progs[i]); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.inFlight(ctx); err != nil {
		errs = append(errs, err)
	}
	if s.cfg.PruneLog {
		s.prune()
	}
	if s.cfg.PurgeClicks {
		s.purgeClicks(ctx)
	}
	return errors.Join(errs...)
}

// period creates the program's batch of its current scheduled period, once,
// and sends it when the program auto-sends.
func (s *Scheduler) period(ctx context.Context, p *store.Program) error {
	period, ok := p.DuePeriod(s.now())
	if !ok {
		return nil
	}
	if _, done, err := s.st.PeriodRun(p.Slug, period); err != nil || done {
		return err
	}
	b, skipped, _, fresh, err := s.st.CreateScheduledBatch(p.Slug, period)
	if err != nil {
		return fmt.Errorf("scheduled payout of %s for %s: %w", p.Slug, period, err)
	}
	if !fresh {
		return nil // another tick got there first
	}
	if b == nil {
		s.log.Info("scheduled payout: nobody reached the minimum payout, no batch", "program", p.Slug,
			"period", period, "left_out", len(skipped))
		return nil
	}
	s.log.Info("scheduled payout batch created", "program", p.Slug, "period", period, "batch", b.ID,
		"items", len(b.Items), "total", store.FormatMoney(b.Total, b.Currency), "left_out", len(skipped))
	if !p.PayoutAutoSend {
		return nil
	}
	return s.send(ctx, p, b)
}

// send sends a scheduled batch through its providers, when the program has
// their credentials.
func (s *Scheduler) send(ctx context.Context, p *store.Program, b *store.PayoutBatch) error {
	if s.cfg.Payouts == nil {
		return nil
	}
	if missing := missingCredentials(p, b); missing != "" {
		s.log.Warn("scheduled payout not sent: set the provider credentials, then payout send", "program", p.Slug,
			"batch", b.ID, "missing", missing)
		return nil
	}
	s.poke(b.ID)
	nb, err := s.cfg.Payouts.Send(ctx, store.System(), b.ID, nil)
	if err != nil {
		if errors.Is(err, payouts.ErrBusy) {
			return nil
		}
		return fmt.Errorf("auto-send batch %d of %s: %w", b.ID, p.Slug, err)
	}
	s.log.Info("scheduled payout batch sent", "program", p.Slug, "batch", b.ID, "status", nb.Status)
	return nil
}

// inFlight refreshes each batch in flight at a provider every Refresh, and
// resumes sending scheduled batches of auto-sending programs that a crash
// or an error left half sent.
func (s *Scheduler) inFlight(ctx context.Context) error {
	if s.cfg.Payouts == nil {
		return nil
	}
	bs, err := s.st.InFlightBatches()
	if err != nil {
		return err
	}
	var errs []error
	for i := range bs {
		b := &bs[i]
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !s.due(b.ID) {
			continue
		}
		pending := false
		for _, it := range b.Items {
			pending = pending || it.Status == store.ItemPending
		}
		if pending && b.Period != "" {
			p, err := s.st.Program(b.Program)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if p.PayoutAutoSend {
				if err := s.send(ctx, p, b); err != nil {
					errs = append(errs, err)
				}
				continue
			}
		}
		s.poke(b.ID)
		nb, err := s.cfg.Payouts.Refresh(ctx, store.System(), b.ID, nil)
		if err != nil && !errors.Is(err, payouts.ErrBusy) {
			errs = append(errs, fmt.Errorf("refresh batch %d of %s: %w", b.ID, b.Program, err))
			continue
		}
		if nb != nil && nb.Status != b.Status {
			s.log.Info("payout batch refreshed", "program", b.Program, "batch", b.ID, "status", nb.Status)
		}
	}
	return errors.Join(errs...)
}

// due says whether a batch's last refresh (or send) is Refresh ago.
func (s *Scheduler) due(id uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	last, ok := s.lastPoke[id]
	return !ok || s.now().Sub(last) >= s.cfg.Refresh
}

func (s *Scheduler) poke(id uint64) {
	s.mu.Lock()
	s.lastPoke[id] = s.now()
	s.mu.Unlock()
}

func (s *Scheduler) prune() {
	now := s.now()
	if now.Sub(s.lastPrune) < 24*time.Hour {
		return
	}
	s.lastPrune = now
	if n, err := s.st.PruneDeliveryLog(now); err != nil {
		s.log.Warn("prune delivery log", "err", err)
	} else if n > 0 {
		s.log.Info("delivery log pruned", "rows", n)
	}
}

// missingCredentials names the provider settings a batch needs and the
// program lacks ("" when all are there).
func missingCredentials(p *store.Program, b *store.PayoutBatch) string {
	var pp, wise bool
	for _, it := range b.Items {
		pp = pp || it.Method == payouts.MethodPayPal
		wise = wise || it.Method == payouts.MethodWise
	}
	sec := p.Secrets
	switch {
	case pp && (sec.PayPalClientID == "" || sec.PayPalSecret == ""):
		return "paypal-client-id / paypal-secret"
	case wise && (sec.WiseToken == "" || sec.WiseProfile == ""):
		return "wise-token / wise-profile"
	}
	return ""
}
