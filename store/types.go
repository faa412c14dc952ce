package store

import (
	"time"

	"github.com/shopspring/decimal"
)

// Partner statuses.
const (
	PartnerPending   = "pending"
	PartnerApproved  = "approved"
	PartnerRejected  = "rejected"
	PartnerSuspended = "suspended"
)

// Commission statuses.
const (
	CommissionPending  = "pending"
	CommissionApproved = "approved"
	CommissionInPayout = "in_payout"
	CommissionPaid     = "paid"
	CommissionRejected = "rejected"
	CommissionReversed = "reversed"
)

// Fraud-review flags on a commission.
const (
	FlagSelfReferral = "self_referral"
	FlagPaidAds      = "paid_ads"
	FlagFastConvert  = "fast_conversion"
	FlagClickFlood   = "ip_click_burst"
)

// Conversion kinds.
const (
	KindSale    = "sale"
	KindRenewal = "renewal"
)

// Attribution models.
const (
	LastClick  = "last-click"
	FirstClick = "first-click"
)

// User is a person, known by one or more SSH public keys.
type User struct {
	ID        uint64        `json:"id"`
	Name      string        `json:"name"`
	Email     string        `json:"email"`
	Payout    *PayoutMethod `json:"payout,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
	NoMail    bool          `json:"no_mail,omitempty"` // email notifications turned off
}

// PayoutMethod is where a user is paid: PayPal (email) or Wise (email, currency).
type PayoutMethod struct {
	Kind     string `json:"kind"` // "paypal" | "wise"
	Email    string `json:"email"`
	Currency string `json:"currency,omitempty"`
}

// Key is one SSH public key of a user.
type Key struct {
	Fingerprint string    `json:"fingerprint"` // SHA256:…
	PublicKey   string    `json:"public_key"`  // authorized_keys form
	UserID      uint64    `json:"user_id"`
	AddedAt     time.Time `json:"added_at"`
	// Origin is how the key joined its account: KeyOriginCreated (the
	// account was made for it) or KeyOriginClaimed (its holder redeemed a
	// key claim). "" on records older than the field.
	Origin string `json:"origin,omitempty"`
}

// Program is one merchant's partner program and all of its settings.
type Program struct {
	Slug            string          `json:"slug"`
	Name            string          `json:"name"`
	URL             string          `json:"url"`
	Domains         []string        `json:"domains,omitempty"` // extra allowed destination hosts
	Currency        string          `json:"currency"`
	CookieDays      int             `json:"cookie_days"`
	Attribution     string          `json:"attribution"`
	Plan            Plan            `json:"plan"`
	RecurringMonths int             `json:"recurring_months"` // Forever, 0, N
	RenewalRate     *Rate           `json:"renewal_rate,omitempty"`
	HoldDays        int             `json:"hold_days"`
	MinPayout       decimal.Decimal `json:"min_payout"`
	AutoApprove     bool            `json:"auto_approve"`
	Listed          bool            `json:"listed"`
	ForbidPaidAds   bool            `json:"forbid_paid_ads"`
	Accent          string          `json:"accent,omitempty"`
	Welcome         string          `json:"welcome,omitempty"`
	Terms           string          `json:"terms,omitempty"`
	Admins          []uint64        `json:"admins"`
	APIKeyHash      []byte          `json:"api_key_hash"`
	APIKeyHint      string          `json:"api_key_hint"` // first characters, for recognition
	Secrets         ProgramSecrets  `json:"secrets"`
	CreatedAt       time.Time       `json:"created_at"`
	// PayoutSchedule is "" (off), weekly or monthly; PayoutScheduleSince is
	// when it was turned on (earlier periods are never paid by it).
	PayoutSchedule      string    `json:"payout_schedule,omitempty"`
	PayoutScheduleSince time.Time `json:"payout_schedule_since,omitzero"`
	PayoutAutoSend      bool      `json:"payout_auto_send,omitempty"`
}

// ProgramSecrets are provider credentials. They are never printed back.
type ProgramSecrets struct {
	StripeSecret   string `json:"stripe_secret,omitempty"`
	PayPalClientID string `json:"paypal_client_id,omitempty"`
	PayPalSecret   string `json:"paypal_secret,omitempty"`
	PayPalBaseURL  string `json:"paypal_base_url,omitempty"`
	WiseToken      string `json:"wise_token,omitempty"`
	WiseProfile    string `json:"wise_profile,omitempty"`
	WiseBaseURL    string `json:"wise_base_url,omitempty"`
}

// CommissionTerms returns the program's commission terms (plan and recurring rules).
func (p *Program) CommissionTerms() Terms {
	return Terms{Plan: p.Plan, RecurringMonths: p.RecurringMonths, RenewalRate: p.RenewalRate}
}

// Partner is a user's membership in one program.
type Partner struct {
	ID        uint64    `json:"id"`
	Program   string    `json:"program"`
	UserID    uint64    `json:"user_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Status    string    `json:"status"`
	Code      string    `json:"code"`           // default link code
	Plan      *Plan     `json:"plan,omitempty"` // per-partner override
	Customers int       `json:"customers"`      // referred paying customers
	CreatedAt time.Time `json:"created_at"`
}

// Link is a referral code pointing at a partner.
type Link struct {
	Code      string    `json:"code"`
	Program   string    `json:"program"`
	PartnerID uint64    `json:"partner_id"`
	To        string    `json:"to,omitempty"`  // default destination for this link
	Sub       string    `json:"sub,omitempty"` // campaign sub-id its clicks carry
	CreatedAt time.Time `json:"created_at"`
}

// Click is one recorded visit through a referral link.
type Click struct {
	ID        uint64    `json:"id"`
	Program   string    `json:"program"`
	PartnerID uint64    `json:"partner_id"`
	Code      string    `json:"code"`
	Sub       string    `json:"sub,omitempty"`
	IPHash    string    `json:"ip_hash"`
	PaidAds   bool      `json:"paid_ads,omitempty"`
	At        time.Time `json:"at"`
	// RecentFromIP is how many clicks the same IP sent the same partner in
	// the hour before this one (counted up to 21).
	RecentFromIP int `json:"recent_from_ip"`
}

// Customer is a paying customer of a program, bound to the first partner a
// payment of theirs was attributed to.
type Customer struct {
	Program      string    `json:"program"`
	ID           string    `json:"id"`
	Email        string    `json:"email,omitempty"`
	PartnerID    uint64    `json:"partner_id"`
	FirstPayment time.Time `json:"first_payment"`
	// Code and Sub are the link and campaign the customer came through, so
	// that their renewals count for that campaign too.
	Code string `json:"code,omitempty"`
	Sub  string `json:"sub,omitempty"`
}

// Conversion is one payment reported by the merchant.
type Conversion struct {
	ID            uint64          `json:"id"`
	Program       string          `json:"program"`
	OrderID       string          `json:"order_id"`
	CustomerID    string          `json:"customer_id"`
	CustomerEmail string          `json:"customer_email,omitempty"`
	Amount        decimal.Decimal `json:"amount"`
	Currency      string          `json:"currency"`
	Kind          string          `json:"kind"`
	Attributed    bool            `json:"attributed"`
	PartnerID     uint64          `json:"partner_id,omitempty"`
	ClickID       uint64          `json:"click_id,omitempty"`
	Via           string          `json:"via,omitempty"`  // how it was attributed
	Code          string          `json:"code,omitempty"` // the referral code (link) it came through, if any
	Sub           string          `json:"sub,omitempty"`  // that click's campaign sub-id
	Refunded      decimal.Decimal `json:"refunded"`
	CommissionID  uint64          `json:"commission_id,omitempty"`
	Fingerprint   string          `json:"fingerprint"` // of the request, for idempotency
	// Warnings name what the request had that the ledger did not know
	// (WarnUnknownClick, WarnUnknownRef); the API answers them every time.
	Warnings []string `json:"warnings,omitempty"`
	// Manual is set when a merchant attributed the conversion by hand.
	Manual     *ManualAttribution `json:"manual,omitempty"`
	OccurredAt time.Time          `json:"occurred_at"`
	CreatedAt  time.Time          `json:"created_at"`
}

// Commission is what a partner earns from one conversion.
type Commission struct {
	ID           uint64          `json:"id"`
	Program      string          `json:"program"`
	PartnerID    uint64          `json:"partner_id"`
	ConversionID uint64          `json:"conversion_id"`
	Currency     string          `json:"currency"`
	Amount       decimal.Decimal `json:"amount"`   // as created, rounded once
	Reversed     decimal.Decimal `json:"reversed"` // reversed by refunds, all time
	Locked       decimal.Decimal `json:"locked"`   // amount taken into a payout
	Status       string          `json:"status"`
	Flags        []string        `json:"flags"`
	Rule         string          `json:"rule"`
	HoldUntil    time.Time       `json:"hold_until"`
	BatchID      uint64          `json:"batch_id,omitempty"`
	Reason       string          `json:"reason,omitempty"`
	// DecidedBy is the user who approved or rejected the commission by hand
	// (0: the hold, or nobody yet), at DecidedAt. OverrodeFlags says the
	// approval went past fraud flags; EarlyApproval that it came before the
	// hold ended. MovedTo is the partner a pending commission's order was
	// attributed to instead (the commission is then rejected).
	DecidedBy     uint64    `json:"decided_by,omitempty"`
	DecidedAt     time.Time `json:"decided_at,omitzero"`
	OverrodeFlags bool      `json:"overrode_flags,omitempty"`
	EarlyApproval bool      `json:"early_approval,omitempty"`
	MovedTo       uint64    `json:"moved_to,omitempty"`
	Day           string    `json:"day"` // YYYYMMDD of its payment: the day counters it counts in
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// day is the commission's counter day.
func (c *Commission) day() string {
	if c.Day != "" {
		return c.Day
	}
	return dayKey(c.CreatedAt)
}

// Net is the commission's amount after reversals.
func (c *Commission) Net() decimal.Decimal { return c.Amount.Sub(c.Reversed) }

// Refund is one refund of (part of) a conversion.
type Refund struct {
	ID           string          `json:"id"`
	Program      string          `json:"program"`
	OrderID      string          `json:"order_id"`
	ConversionID uint64          `json:"conversion_id"`
	Amount       decimal.Decimal `json:"amount"`
	Reversed     decimal.Decimal `json:"reversed"` // commission reversed by it
	Clawback     decimal.Decimal `json:"clawback"` // of that, owed back after payment
	CreatedAt    time.Time       `json:"created_at"`
}

// Clawback statuses.
const (
	ClawbackOpen     = "open"
	ClawbackInPayout = "in_payout"
	ClawbackSettled  = "settled"
)

// Clawback is commission refunded after it was paid (or taken into a
// payout): a negative balance the next payout nets out.
type Clawback struct {
	ID           uint64          `json:"id"`
	Program      string          `json:"program"`
	PartnerID    uint64          `json:"partner_id"`
	CommissionID uint64          `json:"commission_id"`
	Amount       decimal.Decimal `json:"amount"`
	Status       string          `json:"status"`
	BatchID      uint64          `json:"batch_id,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
}

// Balance is a partner's (or a program's) commission sums by status, in the
// program currency. Pending, Approved, InPayout and Paid are net of
// reversals; Clawback is refunded paid commission not yet netted out.
type Balance struct {
	Pending  decimal.Decimal `json:"pending"`
	Approved decimal.Decimal `json:"approved"`
	InPayout decimal.Decimal `json:"in_payout"`
	Paid     decimal.Decimal `json:"paid"`
	Clawback decimal.Decimal `json:"clawback"`
}

// Total is pending + approved + in_payout + paid − clawback.
func (b Balance) Total() decimal.Decimal {
	return b.Pending.Add(b.Approved).Add(b.InPayout).Add(b.Paid).Sub(b.Clawback)
}

// Counters are one day's activity of a program or a partner.
type Counters struct {
	Clicks       int64           `json:"clicks"`
	UniqueClicks int64           `json:"unique_clicks"`
	Conversions  int64           `json:"conversions,omitzero"`
	Revenue      decimal.Decimal `json:"revenue,omitzero"`
	Commission   decimal.Decimal `json:"commission,omitzero"`
	// Referred and ReferredRevenue count the conversions attributed to a
	// partner (net of refunds); Conversions and Revenue count every order.
	Referred        int64           `json:"referred,omitempty"`
	ReferredRevenue decimal.Decimal `json:"referred_revenue,omitzero"`
	// Status is that day's commission (by the day of its payment) by its
	// status now, and that day's refunds of paid commission (clawback).
	Status Balance `json:"status,omitzero"`
	// FirstClickAt and LastClickAt bound the times of the day's clicks; only a
	// link's counters keep them (store/linkstats.go), to tell whether a
	// referral code was clicked within a cookie lifetime.
	FirstClickAt time.Time `json:"first_click,omitzero"`
	LastClickAt  time.Time `json:"last_click,omitzero"`
}

// Add sums o into c.
func (c *Counters) Add(o Counters) {
	c.Clicks += o.Clicks
	c.UniqueClicks += o.UniqueClicks
	c.Conversions += o.Conversions
	c.Revenue = c.Revenue.Add(o.Revenue)
	c.Commission = c.Commission.Add(o.Commission)
	c.Referred += o.Referred
	c.ReferredRevenue = c.ReferredRevenue.Add(o.ReferredRevenue)
	c.Status.add(CommissionPending, o.Status.Pending)
	c.Status.add(CommissionApproved, o.Status.Approved)
	c.Status.add(CommissionInPayout, o.Status.InPayout)
	c.Status.add(CommissionPaid, o.Status.Paid)
	c.Status.Clawback = c.Status.Clawback.Add(o.Status.Clawback)
	if !o.FirstClickAt.IsZero() && (c.FirstClickAt.IsZero() || o.FirstClickAt.Before(c.FirstClickAt)) {
		c.FirstClickAt = o.FirstClickAt
	}
	if o.LastClickAt.After(c.LastClickAt) {
		c.LastClickAt = o.LastClickAt
	}
}

// Payout batch and item statuses.
const (
	BatchCreated  = "created"  // commissions reserved, nothing sent
	BatchExported = "exported" // CSV written; the merchant pays by hand
	BatchSending  = "sending"  // provider API calls under way or to retry
	BatchSent     = "sent"     // accepted by the provider, items in flight
	BatchPaid     = "paid"     // every item paid
	BatchPartial  = "partial"  // done, some items failed and were released
	BatchFailed   = "failed"   // every item failed and was released

	ItemPending = "pending"
	ItemSent    = "sent"
	ItemPaid    = "paid"
	ItemFailed  = "failed"
)

// PayoutBatch is one payout run of a program.
type PayoutBatch struct {
	ID        uint64          `json:"id"`
	Program   string          `json:"program"`
	Currency  string          `json:"currency"`
	Status    string          `json:"status"`
	Items     []PayoutItem    `json:"items"`
	Total     decimal.Decimal `json:"total"`
	Provider  string          `json:"provider,omitempty"` // paypal | wise | csv
	RemoteID  string          `json:"remote_id,omitempty"`
	Error     string          `json:"error,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	PaidAt    time.Time       `json:"paid_at,omitempty"`
	Period    string          `json:"period,omitempty"` // scheduled batches: the period they pay
}

// PayoutItem pays one partner within a batch.
type PayoutItem struct {
	ID          uint64          `json:"id"`
	PartnerID   uint64          `json:"partner_id"`
	Name        string          `json:"name"`
	Email       string          `json:"email"`  // payout method email
	Method      string          `json:"method"` // paypal | wise
	Currency    string          `json:"currency"`
	Target      string          `json:"target_currency,omitempty"` // Wise target currency
	Amount      decimal.Decimal `json:"amount"`
	Commissions []uint64        `json:"commissions"`
	Clawbacks   []uint64        `json:"clawbacks,omitempty"`
	Status      string          `json:"status"`
	RemoteID    string          `json:"remote_id,omitempty"`
	Error       string          `json:"error,omitempty"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// Coupon binds a merchant's coupon code to a partner.
type Coupon struct {
	Program   string    `json:"program"`
	Code      string    `json:"code"`
	PartnerID uint64    `json:"partner_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Invite is a one-use token to join a program approved.
type Invite struct {
	Program   string    `json:"program"`
	CreatedBy uint64    `json:"created_by"`
	UsedBy    uint64    `json:"used_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Actor is who is asking: a user and whether they are an instance admin.
type Actor struct {
	UserID uint64
	Admin  bool
}
