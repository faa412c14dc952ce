package store

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Events leave the process through one outbox. A change that reports an
// event writes one outbox message per destination (each webhook endpoint of
// the program, each user to mail) in the same transaction as the change, so
// an event is never lost across a crash and never invented by a write that
// failed. The dispatcher (payouts/notify) delivers the messages at least
// once and records every attempt in the delivery log.

var (
	bWebhooks     = []byte("webhooks")       // id → Webhook
	bProgWebhooks = []byte("prog_webhooks")  // slug|0|id → nil
	bOutbox       = []byte("outbox")         // id → OutboxMessage
	bOutboxDue    = []byte("outbox_due")     // nextAt(unix ns)|id → nil (undelivered messages)
	bDeliveryLog  = []byte("delivery_log")   // slug|0|seq → DeliveryAttempt
	bPeriods      = []byte("payout_periods") // slug|0|period → PeriodRun
)

// automationBuckets are the buckets of the outbox, webhooks and schedule.
var automationBuckets = [][]byte{bWebhooks, bProgWebhooks, bOutbox, bOutboxDue, bDeliveryLog, bPeriods}

// metaMail is the meta key that says whether email notifications are on
// (the server runs with --smtp-url); without it no mail is queued.
var metaMail = []byte("mail_on")

// Webhook event types (SPEC 6.5).
const (
	EventPartnerJoined      = "partner.joined"
	EventPartnerApproved    = "partner.approved"
	EventConversionCreated  = "conversion.created"
	EventCommissionCreated  = "commission.created"
	EventCommissionApproved = "commission.approved"
	EventCommissionReversed = "commission.reversed"
	EventPayoutCreated      = "payout.created"
	EventPayoutPaid         = "payout.paid"
)

// EventTypes lists every webhook event type.
var EventTypes = []string{EventPartnerJoined, EventPartnerApproved, EventConversionCreated,
	EventCommissionCreated, EventCommissionApproved, EventCommissionReversed, EventPayoutCreated, EventPayoutPaid}

// Mail kinds: what an email notification is about.
const (
	MailPartnerApplied     = "partner.applied"     // to the program's admins
	MailPartnerApproved    = "partner.approved"    // to the partner
	MailPartnerRejected    = "partner.rejected"    // to the partner
	MailCommissionApproved = "commission.approved" // to the partner
	MailPayoutSent         = "payout.sent"         // to the partner
	MailPayoutPaid         = "payout.paid"         // to the partner
)

// Outbox message kinds.
const (
	DeliverWebhook = "webhook"
	DeliverEmail   = "email"
)

// Event is what a webhook POSTs: {"id","type","created","data"}. The id is
// the same on every attempt, so a receiver dedupes by it.
type Event struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Created time.Time       `json:"created"`
	Data    json.RawMessage `json:"data"`
}

// OutboxMessage is one event on its way to one destination.
type OutboxMessage struct {
	ID        uint64    `json:"id"`
	Kind      string    `json:"kind"` // DeliverWebhook | DeliverEmail
	Program   string    `json:"program"`
	Event     Event     `json:"event"`
	WebhookID uint64    `json:"webhook_id,omitempty"`
	UserID    uint64    `json:"user_id,omitempty"` // email recipient
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"next_at"`
	CreatedAt time.Time `json:"created_at"`
}

// PartnerEvent is the data of partner.joined and partner.approved.
type PartnerEvent struct {
	Program   string    `json:"program"`
	PartnerID uint64    `json:"partner_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Status    string    `json:"status"`
	Code      string    `json:"code"`
	CreatedAt time.Time `json:"created_at"`
}

// CommissionEvent is the data of the commission.* events.
type CommissionEvent struct {
	Program      string    `json:"program"`
	ID           uint64    `json:"id"`
	PartnerID    uint64    `json:"partner_id"`
	ConversionID uint64    `json:"conversion_id"`
	Amount       string    `json:"amount"`   // as created
	Reversed     string    `json:"reversed"` // reversed by refunds so far
	Currency     string    `json:"currency"`
	Status       string    `json:"status"`
	Flags        []string  `json:"flags"`
	HoldUntil    time.Time `json:"hold_until"`
	// ReversedNow is what this reversal took (commission.reversed only).
	ReversedNow string `json:"reversed_now,omitempty"`
	RefundID    string `json:"refund_id,omitempty"`
}

// PayoutEvent is the data of payout.created and payout.paid.
type PayoutEvent struct {
	Program   string            `json:"program"`
	Batch     uint64            `json:"batch"`
	Status    string            `json:"status"`
	Currency  string            `json:"currency"`
	Total     string            `json:"total"`
	Items     []PayoutEventItem `json:"items"`
	Period    string            `json:"period,omitempty"` // scheduled batches: 2026-W48, 2026-11
	CreatedAt time.Time         `json:"created_at"`
	PaidAt    *time.Time        `json:"paid_at,omitempty"`
}

// PayoutEventItem is one partner's item in a PayoutEvent.
type PayoutEventItem struct {
	PartnerID uint64 `json:"partner_id"`
	Email     string `json:"email"`
	Method    string `json:"method"`
	Amount    string `json:"amount"`
	Currency  string `json:"currency"`
	Status    string `json:"status"`
}

// PayoutItemMail is the data of the payout.sent and payout.paid mails.
type PayoutItemMail struct {
	Program  string `json:"program"`
	Batch    uint64 `json:"batch"`
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
	Method   string `json:"method"`
	Email    string `json:"email"`
}

func partnerEvent(p *Partner) PartnerEvent {
	return PartnerEvent{Program: p.Program, PartnerID: p.ID, Name: p.Name, Email: p.Email, Status: p.Status,
		Code: p.Code, CreatedAt: p.CreatedAt}
}

func commissionEvent(c *Commission) CommissionEvent {
	return CommissionEvent{Program: c.Program, ID: c.ID, PartnerID: c.PartnerID, ConversionID: c.ConversionID,
		Amount: FormatMoney(c.Amount, c.Currency), Reversed: FormatMoney(c.Reversed, c.Currency),
		Currency: c.Currency, Status: c.Status, Flags: append([]string{}, c.Flags...), HoldUntil: c.HoldUntil}
}

func payoutEvent(b *PayoutBatch) PayoutEvent {
	e := PayoutEvent{Program: b.Program, Batch: b.ID, Status: b.Status, Currency: b.Currency,
		Total: FormatMoney(b.Total, b.Currency), Items: []PayoutEventItem{}, Period: b.Period, CreatedAt: b.CreatedAt}
	if !b.PaidAt.IsZero() {
		t := b.PaidAt
		e.PaidAt = &t
	}
	for _, it := range b.Items {
		e.Items = append(e.Items, PayoutEventItem{PartnerID: it.PartnerID, Email: it.Email, Method: it.Method,
			Amount: FormatMoney(it.Amount, it.Currency), Currency: it.Currency, Status: it.Status})
	}
	return e
}

// newEvent makes an event with a fresh random id.
func newEvent(typ string, data any, now time.Time) (Event, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("encode %s event: %w", typ, err)
	}
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return Event{}, fmt.Errorf("make event id: %w", err)
	}
	return Event{ID: "evt_" + hex.EncodeToString(b), Type: typ, Created: now.UTC(), Data: raw}, nil
}

// emitTx queues a webhook event for every endpoint of the program, in the
// transaction of the change it reports. Without endpoints nothing is
// written.
func emitTx(tx *bolt.Tx, slug, typ string, data any, now time.Time) error {
	var ids []uint64
	scanPrefix(tx.Bucket(bProgWebhooks), key(slug), false, func(k, _ []byte) bool {
		ids = append(ids, btou(k[len(k)-8:]))
		return true
	})
	if len(ids) == 0 {
		return nil
	}
	ev, err := newEvent(typ, data, now)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := enqueueTx(tx, &OutboxMessage{Kind: DeliverWebhook, Program: slug, Event: ev, WebhookID: id,
			NextAt: now, CreatedAt: now}); err != nil {
			return fmt.Errorf("queue %s: %w", typ, err)
		}
	}
	return nil
}

// mailTx queues an email notification to each of the users who has an
// email address and has not turned notifications off. Nothing is queued
// when the server has no mail configured.
func mailTx(tx *bolt.Tx, slug, kind string, data any, now time.Time, userIDs ...uint64) error {
	if !bytes.Equal(tx.Bucket(bMeta).Get(metaMail), []byte{1}) {
		return nil
	}
	var ev *Event
	var seen []uint64
	for _, uid := range userIDs {
		if uid == 0 || slices.Contains(seen, uid) {
			continue
		}
		seen = append(seen, uid)
		var u User
		if get(tx.Bucket(bUsers), u64(uid), &u) != nil || u.Email == "" || u.NoMail {
			continue
		}
		if ev == nil {
			e, err := newEvent(kind, data, now)
			if err != nil {
				return err
			}
			ev = &e
		}
		if err := enqueueTx(tx, &OutboxMessage{Kind: DeliverEmail, Program: slug, Event: *ev, UserID: uid,
			NextAt: now, CreatedAt: now}); err != nil {
			return fmt.Errorf("queue %s mail: %w", kind, err)
		}
	}
	return nil
}

// mailPartnerTx mails the user behind a partner record.
func mailPartnerTx(tx *bolt.Tx, partnerID uint64, kind string, data any, now time.Time) error {
	if !mailOnTx(tx) { // mailTx would queue nothing
		return nil
	}
	var p Partner
	if err := get(tx.Bucket(bPartners), u64(partnerID), &p); err != nil {
		return nil // nothing to mail
	}
	return mailTx(tx, p.Program, kind, data, now, p.UserID)
}

func enqueueTx(tx *bolt.Tx, m *OutboxMessage) error {
	id, err := tx.Bucket(bOutbox).NextSequence()
	if err != nil {
		return err
	}
	m.ID = id
	if err := put(tx.Bucket(bOutbox), u64(id), m); err != nil {
		return err
	}
	return tx.Bucket(bOutboxDue).Put(dueKey(m.NextAt, id), nil)
}

func dueKey(at time.Time, id uint64) []byte { return key(at.UnixNano(), id) }

// ---- event hooks called from the write paths ----

// emitPartnerJoinedTx reports a new partner: partner.joined (and
// partner.approved when they joined approved), and a mail to the program's
// admins when they wait for review.
func emitPartnerJoinedTx(tx *bolt.Tx, p *Partner, now time.Time) error {
	data := partnerEvent(p)
	if err := emitTx(tx, p.Program, EventPartnerJoined, data, now); err != nil {
		return err
	}
	if p.Status == PartnerApproved {
		return emitTx(tx, p.Program, EventPartnerApproved, data, now)
	}
	if p.Status != PartnerPending {
		return nil
	}
	var prog Program
	if err := get(tx.Bucket(bPrograms), []byte(p.Program), &prog); err != nil {
		return err
	}
	return mailTx(tx, p.Program, MailPartnerApplied, data, now, prog.Admins...)
}

// emitPartnerStatusTx reports a merchant's decision on a partner:
// partner.approved, and a mail to the partner when approved or rejected.
func emitPartnerStatusTx(tx *bolt.Tx, p *Partner, old string, now time.Time) error {
	if p.Status == old {
		return nil
	}
	data := partnerEvent(p)
	switch p.Status {
	case PartnerApproved:
		if err := emitTx(tx, p.Program, EventPartnerApproved, data, now); err != nil {
			return err
		}
		return mailTx(tx, p.Program, MailPartnerApproved, data, now, p.UserID)
	case PartnerRejected:
		return mailTx(tx, p.Program, MailPartnerRejected, data, now, p.UserID)
	}
	return nil
}

// emitConversionTx reports a new conversion and its commission.
func emitConversionTx(tx *bolt.Tx, r *ConversionResult, now time.Time) error {
	if !hasWebhooksTx(tx, r.Conversion.Program) && !mailOnTx(tx) { // emitwho.go
		return nil
	}
	if err := emitTx(tx, r.Conversion.Program, EventConversionCreated, r.View(), now); err != nil {
		return err
	}
	if r.Commission == nil {
		return nil
	}
	return emitCommissionCreatedTx(tx, r.Commission, now)
}

// emitCommissionCreatedTx reports a new commission (and its approval when
// it is approved at once).
func emitCommissionCreatedTx(tx *bolt.Tx, c *Commission, now time.Time) error {
	if !hasWebhooksTx(tx, c.Program) && !mailOnTx(tx) { // emitwho.go
		return nil
	}
	if err := emitTx(tx, c.Program, EventCommissionCreated, commissionEvent(c), now); err != nil {
		return err
	}
	if c.Status == CommissionApproved {
		return emitCommissionApprovedTx(tx, c, now)
	}
	return nil
}

// emitCommissionApprovedTx reports a commission that became approved
// (hold ended, or the merchant approved it).
func emitCommissionApprovedTx(tx *bolt.Tx, c *Commission, now time.Time) error {
	data := commissionEvent(c)
	if err := emitTx(tx, c.Program, EventCommissionApproved, data, now); err != nil {
		return err
	}
	return mailPartnerTx(tx, c.PartnerID, MailCommissionApproved, data, now)
}

// emitCommissionReversedTx reports (part of) a commission reversed by a
// refund.
func emitCommissionReversedTx(tx *bolt.Tx, c *Commission, ref *Refund, now time.Time) error {
	data := commissionEvent(c)
	data.ReversedNow = FormatMoney(ref.Reversed, c.Currency)
	data.RefundID = ref.ID
	return emitTx(tx, c.Program, EventCommissionReversed, data, now)
}

// emitPayoutCreatedTx reports a new payout batch.
func emitPayoutCreatedTx(tx *bolt.Tx, b *PayoutBatch, now time.Time) error {
	return emitTx(tx, b.Program, EventPayoutCreated, payoutEvent(b), now)
}

// emitBatchChangeTx reports what a batch update changed: payout.paid once
// the batch is settled with something paid, and a mail to each partner
// whose item was sent or paid.
func emitBatchChangeTx(tx *bolt.Tx, before, after *PayoutBatch, now time.Time) error {
	settled := func(s string) bool { return s == BatchPaid || s == BatchPartial }
	if settled(after.Status) && !settled(before.Status) {
		if err := emitTx(tx, after.Program, EventPayoutPaid, payoutEvent(after), now); err != nil {
			return err
		}
	}
	for _, it := range after.Items {
		old := ""
		for _, o := range before.Items {
			if o.ID == it.ID {
				old = o.Status
			}
		}
		if it.Status == old || (it.Status != ItemSent && it.Status != ItemPaid) {
			continue
		}
		kind := MailPayoutSent
		if it.Status == ItemPaid {
			kind = MailPayoutPaid
		}
		data := PayoutItemMail{Program: after.Program, Batch: after.ID, Amount: FormatMoney(it.Amount, it.Currency),
			Currency: it.Currency, Method: it.Method, Email: it.Email}
		if err := mailPartnerTx(tx, it.PartnerID, kind, data, now); err != nil {
			return err
		}
	}
	return nil
}

// setMail records whether email notifications are on for this process.
func setMail(db *bolt.DB, on bool) error {
	v := []byte{0}
	if on {
		v = []byte{1}
	}
	return db.Update(func(tx *bolt.Tx) error {
		for _, name := range automationBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return tx.Bucket(bMeta).Put(metaMail, v)
	})
}
