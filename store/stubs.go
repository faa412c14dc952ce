package store

// TEMPORARY: signatures of the store API being implemented; each moves to its
// own file with its implementation. Nothing here ships.

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/shopspring/decimal"
)

var errTODO = errors.New("store: not implemented yet")

type clickWriter struct{}

func newClickWriter(s *Store) *clickWriter { return &clickWriter{} }
func (w *clickWriter) close()             {}

// ---------- tracking (clicks.go, conversions.go, refunds.go) ----------

// ClickInput is one visit to record.
type ClickInput struct {
	Program   string
	PartnerID uint64
	Code      string
	Sub       string
	IP        netip.Addr
	PaidAds   bool
}

// RecordClick records a click durably (group commit) and returns it with its id.
func (s *Store) RecordClick(ctx context.Context, in ClickInput) (*Click, error) { return nil, errTODO }

// ConversionInput is one payment reported through the API or a webhook.
type ConversionInput struct {
	OrderID, CustomerID, CustomerEmail string
	Amount                             string // decimal string
	Currency, Kind                     string
	ClickID, Ref, Coupon               string
	OccurredAt                         string   // RFC 3339 or ""
	Aliases                            []string // other provider ids for the same payment (refund lookup)
}

// ConversionResult is a conversion with its commission (nil when none).
type ConversionResult struct {
	Conversion Conversion
	Commission *Commission
}

// RecordConversion records a payment: 201-case created=true; the same order
// again with the same content returns it with created=false; other content → ErrConflict.
func (s *Store) RecordConversion(slug string, in ConversionInput) (*ConversionResult, bool, error) {
	return nil, false, errTODO
}

// RefundInput is a refund of a conversion.
type RefundInput struct {
	RefundID string
	OrderID  string // order id or alias
	Amount   string // "" = the rest of the order
	// Cumulative means Amount is the order's total refunded so far (Stripe's
	// amount_refunded); only the difference is refunded.
	Cumulative bool
}

// RecordRefund applies a refund; idempotent by RefundID (created=false on repeat).
func (s *Store) RecordRefund(slug string, in RefundInput) (*Refund, bool, error) {
	return nil, false, errTODO
}

// MarkEvent records a provider event id; false when it was seen before.
func (s *Store) MarkEvent(id string) (bool, error) { return false, errTODO }

// ---------- commissions & stats (commissions.go, stats.go) ----------

// ListConversions lists the program's conversions newest first (a partner: own only).
func (s *Store) ListConversions(a Actor, slug string, limit int) ([]ConversionResult, error) {
	return nil, errTODO
}

// ListCommissions lists commissions newest first (a partner: own only), optionally by status.
func (s *Store) ListCommissions(a Actor, slug, status string, limit int) ([]Commission, error) {
	return nil, errTODO
}

// ApproveCommission approves a pending commission early (merchant), flagged ones included.
func (s *Store) ApproveCommission(a Actor, slug string, id uint64) (*Commission, error) {
	return nil, errTODO
}

// RejectCommission rejects a pending or approved commission (merchant).
func (s *Store) RejectCommission(a Actor, slug string, id uint64, reason string) (*Commission, error) {
	return nil, errTODO
}

// PromoteMatured approves every unflagged pending commission whose hold ended.
func (s *Store) PromoteMatured() (int, error) { return 0, errTODO }

// Stats is a program's (merchant) or a partner's (own) activity over days.
type Stats struct {
	Program      string
	Currency     string
	PartnerID    uint64 // 0 for program-wide
	Days         int
	Clicks       int64
	UniqueClicks int64
	Conversions  int64
	Revenue      decimal.Decimal
	Commission   decimal.Decimal
	Balance      Balance
	Daily        []DayCounters // oldest first, one per day
}

// DayCounters is one day of Counters.
type DayCounters struct {
	Day time.Time
	Counters
}

// Stats returns program-wide stats for a merchant, own stats for a partner.
func (s *Store) Stats(a Actor, slug string, days int) (*Stats, error) { return nil, errTODO }

// ---------- payouts (payouts.go) ----------

// Skipped names a partner left out of a batch and why.
type Skipped struct {
	PartnerID uint64
	Name      string
	Balance   decimal.Decimal
	Reason    string
}

// CreatePayoutBatch reserves every eligible partner's approved balance in a new batch.
func (s *Store) CreatePayoutBatch(a Actor, slug string) (*PayoutBatch, []Skipped, error) {
	return nil, nil, errTODO
}

// PayoutBatch reads one batch (merchant of its program).
func (s *Store) PayoutBatch(a Actor, id uint64) (*PayoutBatch, error) { return nil, errTODO }

// ListPayoutBatches lists a program's batches newest first (merchant).
func (s *Store) ListPayoutBatches(a Actor, slug string) ([]PayoutBatch, error) { return nil, errTODO }

// PartnerPayouts lists the actor's own payout items across batches (partner history).
func (s *Store) PartnerPayouts(a Actor, slug string) ([]PartnerPayout, error) { return nil, errTODO }

// PartnerPayout is one payout as its partner sees it.
type PartnerPayout struct {
	BatchID uint64
	Program string
	Item    PayoutItem
	Date    time.Time
}

// SetBatchStatus records a batch-level state (exported, sending, sent) with provider id and error.
func (s *Store) SetBatchStatus(a Actor, id uint64, status, remoteID, errMsg string) (*PayoutBatch, error) {
	return nil, errTODO
}

// MarkBatchPaid marks every unpaid item of the batch paid (exported batches).
func (s *Store) MarkBatchPaid(a Actor, id uint64) (*PayoutBatch, error) { return nil, errTODO }

// SetItemStatus records one item's outcome: paid → its commissions paid;
// failed → its commissions back to approved and clawbacks open, with the reason.
func (s *Store) SetItemStatus(a Actor, batchID, itemID uint64, status, remoteID, errMsg string) (*PayoutBatch, error) {
	return nil, errTODO
}

// ---------- check (check.go) ----------

// Violation is one broken ledger invariant.
type Violation struct {
	What string
}

// Check verifies every ledger invariant and returns each violation.
func (s *Store) Check() ([]Violation, error) { return nil, errTODO }
