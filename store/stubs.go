package store

// TEMPORARY: signatures of the store API being implemented; each moves to its
// own file with its implementation. Nothing here ships.

import (
	"errors"
	"time"

	"github.com/shopspring/decimal"
)

var errTODO = errors.New("store: not implemented yet")

// ---------- tracking (clicks.go, conversions.go, refunds.go) ----------

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
