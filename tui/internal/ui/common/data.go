package common

import (
	"context"
	"sync/atomic"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
)

// Data is the store bound to one session's actor: its methods take no
// actor, so a screen can not act as anyone else; the store checks every
// permission, as it does for the commands.
//
// The screens' reads are shared with other sessions that see the same
// (store.StatsSince and the other *Since reads), and none waits for the
// click applier: a click it has not stored yet shows when its commit is
// signalled (Subscribe) and the tab reloads. Each read holds at least the
// store version this session last learned of (its subscription, a change
// signal, its own write), so a shared read never hides a change the
// session was told about, and every later change signals it again.
type Data struct {
	st      *store.Store
	a       store.Actor
	payouts *payouts.Service
	since   atomic.Uint64 // the store version the reads must hold
}

// NewData binds st (and the payouts service, which may be nil) to actor a.
func NewData(st *store.Store, a store.Actor, ps *payouts.Service) *Data {
	d := &Data{st: st, a: a, payouts: ps}
	d.Saw()
	return d
}

// Saw records that the session learned of every change up to now (a
// change signal arrived, or it wrote): later reads hold them.
func (d *Data) Saw() {
	v := d.st.Version()
	for {
		old := d.since.Load()
		if v <= old || d.since.CompareAndSwap(old, v) {
			return
		}
	}
}

// Since is the store version the session's reads must hold (Saw).
func (d *Data) Since() uint64 { return d.since.Load() }

// Actor is who the data is read as (for display only).
func (d *Data) Actor() store.Actor { return d.a }

// Subscribe signals changes of program slug (see store.Subscribe).
// Changes before it are held by the reads that follow (Saw).
func (d *Data) Subscribe(slug string) (<-chan struct{}, func()) {
	ch, cancel := d.st.Subscribe(slug)
	d.Saw()
	return ch, cancel
}

// SubscribePartner is Subscribe for what partner partnerID sees of
// program slug (store.SubscribePartner: other partners' clicks do not
// signal it).
func (d *Data) SubscribePartner(slug string, partnerID uint64) (<-chan struct{}, func()) {
	ch, cancel := d.st.SubscribePartner(slug, partnerID)
	d.Saw()
	return ch, cancel
}

// Programs lists the programs the actor administers.
func (d *Data) Programs() ([]store.Program, error) { return d.st.ListPrograms(d.a) }

// Memberships lists the actor's partner memberships.
func (d *Data) Memberships() ([]store.Partner, error) { return d.st.Memberships(d.a) }

// Program reads a program's settings without secrets.
func (d *Data) Program(ctx context.Context, slug string) (*store.ProgramView, error) {
	return d.st.ProgramView(ctx, d.a, slug)
}

// Stats reads a program's stats over days.
func (d *Data) Stats(slug string, days int) (*store.Stats, error) {
	return d.st.StatsSince(d.a, slug, days, d.since.Load())
}

// PartnerStats reads one partner's stats over days.
func (d *Data) PartnerStats(slug string, partnerID uint64, days int) (*store.Stats, error) {
	return d.st.PartnerStatsSince(d.a, slug, partnerID, days, d.since.Load())
}

// TopPartners reads the n partners with the most revenue over days.
func (d *Data) TopPartners(ctx context.Context, slug string, days, n int) ([]store.TopPartner, error) {
	return d.st.TopPartnersSince(ctx, d.a, slug, days, n, d.since.Load())
}

// Partners reads one page of partners.
func (d *Data) Partners(ctx context.Context, slug string, q store.PageQuery) (*store.PartnerPage, error) {
	return d.st.PartnerPageSince(ctx, d.a, slug, q, d.since.Load())
}

// PartnerCount counts a program's partners.
func (d *Data) PartnerCount(ctx context.Context, slug string) (int, error) {
	return d.st.PartnerCountSince(ctx, d.a, slug, d.since.Load())
}

// PartnerLinks lists a partner's links with their counts.
func (d *Data) PartnerLinks(ctx context.Context, slug string, partnerID uint64) ([]store.LinkStat, error) {
	return d.st.PartnerLinksOfSince(ctx, d.a, slug, partnerID, d.since.Load())
}

// Conversions reads one page of conversions.
func (d *Data) Conversions(ctx context.Context, slug string, q store.PageQuery) (*store.ConversionPage, error) {
	return d.st.ConversionPageSince(ctx, d.a, slug, q, d.since.Load())
}

// Commissions reads one page of commissions.
func (d *Data) Commissions(ctx context.Context, slug string, q store.PageQuery) (*store.CommissionPage, error) {
	return d.st.CommissionPageSince(ctx, d.a, slug, q, d.since.Load())
}

// Owed reads one page of who is owed what.
func (d *Data) Owed(ctx context.Context, slug string, q store.PageQuery) (*store.OwedPage, error) {
	return d.st.OwedPageSince(ctx, d.a, slug, q, d.since.Load())
}

// BatchHeads lists a program's payout batches without their items.
func (d *Data) BatchHeads(slug string) ([]store.PayoutBatchHead, error) {
	return d.st.PayoutBatchHeadsSince(d.a, slug, d.since.Load())
}

// Batch reads one payout batch.
func (d *Data) Batch(id uint64) (*store.PayoutBatch, error) { return d.st.PayoutBatch(d.a, id) }

// Team lists a program's admins.
func (d *Data) Team(slug string) ([]store.User, error) { return d.st.TeamMembers(d.a, slug) }

// SetPartnerStatus approves, rejects or suspends a partner.
func (d *Data) SetPartnerStatus(slug string, id uint64, status string) (*store.Partner, error) {
	defer d.Saw()
	return d.st.SetPartnerStatus(d.a, slug, id, status)
}

// SetPartnerPlan sets a partner's commission override ("" = the program's).
func (d *Data) SetPartnerPlan(slug string, id uint64, plan string) (*store.Partner, error) {
	defer d.Saw()
	return d.st.SetPartnerPlan(d.a, slug, id, plan)
}

// ApproveCommission approves a commission now (one with fraud flags is
// refused with a *store.FlaggedError).
func (d *Data) ApproveCommission(slug string, id uint64) (*store.Commission, error) {
	defer d.Saw()
	return d.st.ApproveCommission(d.a, slug, id)
}

// ApproveFlaggedCommission approves a commission past its fraud flags,
// after the merchant confirmed them; the decision is recorded.
func (d *Data) ApproveFlaggedCommission(slug string, id uint64) (*store.Commission, error) {
	defer d.Saw()
	return d.st.ApproveCommissionWith(d.a, slug, id, true)
}

// RejectCommission rejects a commission.
func (d *Data) RejectCommission(slug string, id uint64, reason string) (*store.Commission, error) {
	defer d.Saw()
	return d.st.RejectCommission(d.a, slug, id, reason)
}

// CreateBatch creates a payout batch.
func (d *Data) CreateBatch(slug string) (*store.PayoutBatch, []store.Skipped, error) {
	defer d.Saw()
	return d.st.CreatePayoutBatch(d.a, slug)
}

// MarkPaid marks a batch paid (paid by hand from its CSV).
func (d *Data) MarkPaid(id uint64) (*store.PayoutBatch, error) {
	defer d.Saw()
	return d.st.MarkBatchPaid(d.a, id)
}

// CanSend says whether batches can be sent through a provider API here.
func (d *Data) CanSend() bool { return d.payouts != nil }

// Send sends a batch through its providers, reporting each item.
func (d *Data) Send(ctx context.Context, id uint64, progress payouts.Progress) (*store.PayoutBatch, error) {
	defer d.Saw()
	return d.payouts.Send(ctx, d.a, id, progress)
}

// Refresh asks the providers for a batch's status, reporting each item.
func (d *Data) Refresh(ctx context.Context, id uint64, progress payouts.Progress) (*store.PayoutBatch, error) {
	defer d.Saw()
	return d.payouts.Refresh(ctx, d.a, id, progress)
}

// SetProgram changes one program setting.
func (d *Data) SetProgram(slug, k, value string) (*store.Program, error) {
	defer d.Saw()
	return d.st.SetProgram(d.a, slug, k, value)
}

// RotateAPIKey makes a new API key (returned once).
func (d *Data) RotateAPIKey(slug string) (string, error) {
	defer d.Saw()
	return d.st.RotateAPIKey(d.a, slug)
}

// CreateInvite makes an invitation token.
func (d *Data) CreateInvite(slug string) (string, error) {
	defer d.Saw()
	return d.st.CreateInvite(d.a, slug)
}

// CreateProgram creates a program (instance admins; anyone with open signup).
func (d *Data) CreateProgram(in store.ProgramInput, openSignup bool) (*store.Program, string, error) {
	defer d.Saw()
	return d.st.CreateProgram(d.a, in, openSignup)
}
