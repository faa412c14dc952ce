// Package notify delivers what the ledger's outbox holds: signed webhook
// POSTs to merchants' endpoints and email notifications to merchants and
// partners. One Dispatcher goroutine takes the due messages, delivers each
// at least once (retrying with exponential backoff for up to 24 hours) and
// records every attempt in the store's delivery log.
//
// Webhooks go through the guarded outbound client (payouts/outbound), with
// a 10 second timeout; mail goes through an SMTP server given as a URL.
package notify

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/charmbracelet/log"

	"github.com/affogato-sh/affogato/payouts/outbound"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// Retry policy defaults.
const (
	DefaultRetryBase = time.Second
	DefaultRetryCap  = time.Hour
	DefaultMaxAge    = 24 * time.Hour
	defaultPoll      = 500 * time.Millisecond
	defaultWorkers   = 8
	batchSize        = 256
)

// Config configures a Dispatcher.
type Config struct {
	Store *store.Store
	// Guard makes the HTTP client webhooks go through; nil refuses every
	// internal address.
	Guard *outbound.Guard
	// Mail sends email notifications; nil means mail is off (the store
	// queues none then).
	Mail *Mailer
	// PublicURL is the base of referral links, SSH the command users reach
	// the server with ("ssh -p 23234 host"); both go into mail bodies.
	PublicURL string
	SSH       func(user string) string
	Logger    *log.Logger
	// Now is the clock (nil: the store's).
	Now func() time.Time
	// Poll is how often the outbox is looked at (default 500ms).
	Poll time.Duration
	// RetryBase is the first retry's delay, doubled for each further one up
	// to RetryCap; MaxAge is how long a message is retried (24h).
	RetryBase, RetryCap, MaxAge time.Duration
	// Workers bounds deliveries in flight at once (default 8).
	Workers int
}

// Dispatcher delivers outbox messages.
type Dispatcher struct {
	cfg Config
	st  *store.Store
	hc  *http.Client
	log *log.Logger
	now func() time.Time
	sem chan struct{}

	mu       sync.Mutex
	inflight map[uint64]bool
	wg       sync.WaitGroup
}

// New makes a Dispatcher; Run starts it.
func New(cfg Config) *Dispatcher {
	if cfg.Logger == nil {
		cfg.Logger = log.New(io.Discard)
	}
	if cfg.Now == nil {
		cfg.Now = cfg.Store.Now
	}
	if cfg.Poll <= 0 {
		cfg.Poll = defaultPoll
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = DefaultRetryBase
	}
	if cfg.RetryCap <= 0 {
		cfg.RetryCap = DefaultRetryCap
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.Workers <= 0 {
		cfg.Workers = defaultWorkers
	}
	guard := cfg.Guard
	if guard == nil {
		guard = outbound.New(outbound.Options{Timeout: WebhookTimeout})
	}
	hc := guard.Client()
	hc.Timeout = WebhookTimeout
	return &Dispatcher{cfg: cfg, st: cfg.Store, hc: hc, log: cfg.Logger, now: cfg.Now,
		sem: make(chan struct{}, cfg.Workers), inflight: map[uint64]bool{}}
}

// Run delivers due messages until ctx ends, then waits for the deliveries
// in flight (each bounded by its timeout).
func (d *Dispatcher) Run(ctx context.Context) {
	defer d.wg.Wait()
	t := time.NewTicker(d.cfg.Poll)
	defer t.Stop()
	for {
		d.dispatch(ctx, false)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Pass delivers every message due now and waits until each attempt is
// recorded; it returns how many attempts it made (tests walk time with it).
func (d *Dispatcher) Pass(ctx context.Context) int {
	return d.dispatch(ctx, true)
}

func (d *Dispatcher) dispatch(ctx context.Context, wait bool) int {
	defer func() {
		if p := recover(); p != nil {
			d.log.Error("outbox dispatch panic", "panic", p)
		}
	}()
	ms, err := d.st.DueMessages(d.now(), batchSize)
	if err != nil {
		d.log.Warn("read outbox", "err", err)
		return 0
	}
	var wg sync.WaitGroup
	n := 0
	for _, m := range ms {
		if !d.claim(m.ID) {
			continue
		}
		select {
		case d.sem <- struct{}{}:
		case <-ctx.Done():
			d.release(m.ID)
			wg.Wait()
			return n
		}
		n++
		wg.Add(1)
		d.wg.Add(1)
		go func() {
			defer func() {
				if p := recover(); p != nil {
					d.log.Error("delivery panic", "message", m.ID, "panic", p)
				}
				<-d.sem
				d.release(m.ID)
				wg.Done()
				d.wg.Done()
			}()
			d.deliver(ctx, m)
		}()
	}
	if wait {
		wg.Wait()
	}
	return n
}

func (d *Dispatcher) claim(id uint64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inflight[id] {
		return false
	}
	d.inflight[id] = true
	return true
}

func (d *Dispatcher) release(id uint64) {
	d.mu.Lock()
	delete(d.inflight, id)
	d.mu.Unlock()
}

// deliver makes one attempt and records it.
func (d *Dispatcher) deliver(ctx context.Context, m store.OutboxMessage) {
	var code int
	var gone bool
	var err error
	switch m.Kind {
	case store.DeliverWebhook:
		code, gone, err = d.deliverWebhook(ctx, m)
	case store.DeliverEmail:
		gone, err = d.deliverMail(ctx, m)
	default:
		gone = true
	}
	if ctx.Err() != nil && err != nil {
		return // shutting down: the attempt did not really happen; retried after restart
	}
	now := d.now()
	att := store.DeliveryAttempt{At: now, StatusCode: code, OK: err == nil && !gone}
	if err != nil {
		att.Error = sanitize.Shorten(sanitize.Line(err.Error()), 300)
	}
	next := now.Add(d.backoff(m.Attempts + 1))
	giveUp := gone || (err != nil && next.Sub(m.CreatedAt) > d.cfg.MaxAge)
	if rerr := d.st.RecordAttempt(m.ID, att, next, giveUp); rerr != nil {
		d.log.Error("record delivery", "message", m.ID, "err", rerr)
		return
	}
	switch {
	case att.OK:
		d.log.Debug("delivered", "kind", m.Kind, "event", m.Event.Type, "id", m.Event.ID, "attempt", m.Attempts+1)
	case giveUp:
		d.log.Warn("delivery given up", "kind", m.Kind, "event", m.Event.Type, "id", m.Event.ID,
			"attempts", m.Attempts+1, "err", att.Error)
	default:
		d.log.Info("delivery failed, will retry", "kind", m.Kind, "event", m.Event.Type, "id", m.Event.ID,
			"attempt", m.Attempts+1, "status", code, "err", att.Error, "next", next.Format(time.RFC3339))
	}
}

// backoff is the delay before attempt n+1 after n failed attempts: base
// doubled per attempt, capped, with up to 10% jitter.
func (d *Dispatcher) backoff(n int) time.Duration {
	delay := d.cfg.RetryBase
	for i := 1; i < n && delay < d.cfg.RetryCap; i++ {
		delay *= 2
	}
	delay = min(delay, d.cfg.RetryCap)
	return delay + time.Duration(rand.Int64N(int64(delay/10)+1))
}
