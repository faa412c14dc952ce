package main

import (
	"context"
	"errors"
	"sync"

	"github.com/charmbracelet/log"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/payouts/notify"
	"github.com/affogato-sh/affogato/payouts/outbound"
	"github.com/affogato-sh/affogato/payouts/schedule"
	"github.com/affogato-sh/affogato/store"
)

// mailer makes the SMTP mailer from --smtp-url and --mail-from (nil when
// mail is off).
func mailer(cfg Config) (*notify.Mailer, error) {
	if cfg.SMTPURL == "" {
		if cfg.MailFrom != "" {
			return nil, errors.New("--mail-from needs --smtp-url")
		}
		return nil, nil
	}
	return notify.NewMailer(cfg.SMTPURL, cfg.MailFrom)
}

// automation is the server's background work: the scheduler (hold
// maturity, scheduled payouts, provider refreshes) and the outbox
// dispatcher (webhooks, email). Start runs both; Stop ends them and waits.
type automation struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startAutomation(cfg Config, st *store.Store, pay *payouts.Service, m *notify.Mailer, sshPublic string, logger *log.Logger) *automation {
	ctx, cancel := context.WithCancel(context.Background())
	a := &automation{cancel: cancel}
	sched := schedule.New(schedule.Config{Store: st, Payouts: pay, Logger: logger.WithPrefix("schedule"), PruneLog: true, PurgeClicks: true})
	disp := notify.New(notify.Config{Store: st, Mail: m, PublicURL: cfg.PublicURL, SSH: notify.SSHHint(sshPublic),
		Guard:  outbound.New(outbound.Options{AllowPrivate: cfg.AllowPrivateTargets, Timeout: notify.WebhookTimeout}),
		Logger: logger.WithPrefix("outbox")})
	a.wg.Add(2)
	go func() { defer a.wg.Done(); sched.Run(ctx) }()
	go func() { defer a.wg.Done(); disp.Run(ctx) }()
	if m != nil {
		logger.Info("email notifications on", "smtp", m.Addr(), "security", m.Security())
	}
	return a
}

// Stop ends the background work and waits for it (deliveries in flight
// end within their timeout).
func (a *automation) Stop() {
	a.cancel()
	a.wg.Wait()
}
