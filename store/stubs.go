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

// ---------- users & keys (users.go) ----------

// UserByFingerprint finds the user owning an SSH key fingerprint ("SHA256:…").
func (s *Store) UserByFingerprint(fp string) (*User, error) { return nil, errTODO }

// UserByID returns one user.
func (s *Store) UserByID(id uint64) (*User, error) { return nil, errTODO }

// CreateUser creates a user with one key. ErrConflict if the key is taken.
func (s *Store) CreateUser(name, email, fingerprint, publicKey string) (*User, error) {
	return nil, errTODO
}

// EnsureUser returns the key's user, creating one named name if none (instance admin keys).
func (s *Store) EnsureUser(fingerprint, publicKey, name string) (*User, error) { return nil, errTODO }

// UserCount is the number of users (to tell an empty instance).
func (s *Store) UserCount() (int, error) { return 0, errTODO }

// SetProfile sets the actor's own name, email, or payout method (field paypal|wise: value is the email; currency for wise).
func (s *Store) SetProfile(a Actor, field, value, currency string) (*User, error) { return nil, errTODO }

// AddKey adds a key to the actor's account. ErrConflict if it belongs to anyone.
func (s *Store) AddKey(a Actor, fingerprint, publicKey string) (*Key, error) { return nil, errTODO }

// ListKeys lists the actor's keys.
func (s *Store) ListKeys(a Actor) ([]Key, error) { return nil, errTODO }

// RemoveKey removes one of the actor's keys, never the last one.
func (s *Store) RemoveKey(a Actor, fingerprint string) error { return errTODO }

// ---------- programs (programs.go) ----------

// ProgramInput is what program create takes. Empty/zero fields take defaults.
type ProgramInput struct {
	Slug, Name, URL, Currency string
	Commission                string // plan text; default "20%"
	RecurringMonths           string // "", N, "forever"
	RenewalRate               string
	CookieDays, HoldDays      *int
	MinPayout                 string
	AutoApprove, Listed       bool
}

// CreateProgram creates a program administered by the actor; only instance
// admins may unless openSignup. Returns the API key, shown once.
func (s *Store) CreateProgram(a Actor, in ProgramInput, openSignup bool) (*Program, string, error) {
	return nil, "", errTODO
}

// Program reads a program by slug without any permission check (tracker, system).
func (s *Store) Program(slug string) (*Program, error) { return nil, errTODO }

// AdminProgram reads a program the actor administers (ErrForbidden otherwise).
func (s *Store) AdminProgram(a Actor, slug string) (*Program, error) { return nil, errTODO }

// CanAdmin says whether the actor administers the program (instance admins do all).
func (s *Store) CanAdmin(a Actor, slug string) error { return errTODO }

// ListPrograms lists the programs the actor administers (all for instance admins).
func (s *Store) ListPrograms(a Actor) ([]Program, error) { return nil, errTODO }

// ListedPrograms lists programs flagged listed (public list for unknown keys).
func (s *Store) ListedPrograms() ([]Program, error) { return nil, errTODO }

// SetProgram changes one setting by its SPEC 7 key (name, url, currency, commission,
// recurring-months, renewal-rate, cookie-days, hold-days, min-payout, auto-approve,
// listed, domains, attribution, paid-ads, accent, welcome, terms, stripe-secret,
// paypal-client-id, paypal-secret, paypal-base-url, wise-token, wise-profile, wise-base-url).
func (s *Store) SetProgram(a Actor, slug, key, value string) (*Program, error) { return nil, errTODO }

// RotateAPIKey makes a new API key for the program and returns it (shown once).
func (s *Store) RotateAPIKey(a Actor, slug string) (string, error) { return "", errTODO }

// ProgramByAPIKey authenticates a conversion API key (hashed, constant time).
func (s *Store) ProgramByAPIKey(apiKey string) (*Program, error) { return nil, errTODO }

// AddTeamMember makes a user an admin of the program.
func (s *Store) AddTeamMember(a Actor, slug string, userID uint64) error { return errTODO }

// RemoveTeamMember removes a program admin (never the last).
func (s *Store) RemoveTeamMember(a Actor, slug string, userID uint64) error { return errTODO }

// TeamMembers lists the program's admins.
func (s *Store) TeamMembers(a Actor, slug string) ([]User, error) { return nil, errTODO }

// ---------- partners, links, coupons, invites (partners.go, links.go) ----------

// Join makes the actor a partner of the program: pending, or approved with
// auto-approve or a valid one-use invite token. ErrConflict if already a partner.
func (s *Store) Join(a Actor, slug, token string) (*Partner, error) { return nil, errTODO }

// Memberships lists the actor's own partner records across programs.
func (s *Store) Memberships(a Actor) ([]Partner, error) { return nil, errTODO }

// ListPartners lists a program's partners (merchant), optionally by status.
func (s *Store) ListPartners(a Actor, slug, status string) ([]Partner, error) { return nil, errTODO }

// FindPartner finds a program's partner by id or email (merchant).
func (s *Store) FindPartner(a Actor, slug, ref string) (*Partner, error) { return nil, errTODO }

// SetPartnerStatus approves, rejects or suspends a partner (merchant).
func (s *Store) SetPartnerStatus(a Actor, slug string, partnerID uint64, status string) (*Partner, error) {
	return nil, errTODO
}

// SetPartnerPlan sets (or with "" clears) a partner's own commission plan.
func (s *Store) SetPartnerPlan(a Actor, slug string, partnerID uint64, plan string) (*Partner, error) {
	return nil, errTODO
}

// CreateLink adds an extra referral code for the actor's partnership in slug.
func (s *Store) CreateLink(a Actor, slug, code, to string) (*Link, error) { return nil, errTODO }

// ListLinks lists the actor's links (all programs when slug is "").
func (s *Store) ListLinks(a Actor, slug string) ([]Link, error) { return nil, errTODO }

// CreateInvite makes a one-use join token for the program (merchant).
func (s *Store) CreateInvite(a Actor, slug string) (string, error) { return "", errTODO }

// AddCoupon binds a coupon code to a partner (merchant).
func (s *Store) AddCoupon(a Actor, slug, code string, partnerID uint64) (*Coupon, error) {
	return nil, errTODO
}

// ListCoupons lists a program's coupons (merchant).
func (s *Store) ListCoupons(a Actor, slug string) ([]Coupon, error) { return nil, errTODO }

// RemoveCoupon removes a coupon (merchant).
func (s *Store) RemoveCoupon(a Actor, slug, code string) error { return errTODO }

// ---------- tracking (clicks.go, conversions.go, refunds.go) ----------

// Target is what the redirector needs for a code.
type Target struct {
	Link    Link
	Program Program
	Partner Partner
}

// ResolveCode finds a referral code's link, program and partner. ErrNotFound if unknown.
func (s *Store) ResolveCode(code string) (*Target, error) { return nil, errTODO }

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
