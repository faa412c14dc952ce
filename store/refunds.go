package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"

	"github.com/affogato-sh/affogato/store/sanitize"
)

// RefundInput is a refund of a conversion.
type RefundInput struct {
	RefundID string
	OrderID  string // order id or a provider alias of it
	Amount   string // "" = the rest of the order
	// Cumulative means Amount is the order's total refunded so far (Stripe's
	// amount_refunded); only the difference is refunded.
	Cumulative bool
}

// RecordRefund applies a refund in one durable transaction; idempotent by
// RefundID (created=false on a repeat with the same content, ErrConflict
// with other content). A refund of part r of a sale of amount a brings the
// commission's reversal to round(c × refunded / a): refunds add up to at
// most the sale and reverse at most the commission. Commission already in a
// payout or paid becomes a clawback.
func (s *Store) RecordRefund(slug string, in RefundInput) (*Refund, bool, error) {
	in.RefundID, in.OrderID = strings.TrimSpace(in.RefundID), strings.TrimSpace(in.OrderID)
	if in.RefundID == "" || len(in.RefundID) > 200 || !sanitize.Clean(in.RefundID) {
		return nil, false, invalid("refund_id", "is required (at most 200 printable characters)")
	}
	if in.OrderID == "" {
		return nil, false, invalid("order_id", "is required")
	}
	prog, err := s.Program(slug)
	if err != nil {
		return nil, false, err
	}
	var amount *decimal.Decimal
	if in.Amount != "" {
		d, err := parseDecimalStrict(in.Amount)
		if err == nil && !(in.Cumulative && d.Sign() == 0) {
			d, err = ParseAmount(in.Amount, prog.Currency)
		}
		if err != nil {
			return nil, false, invalid("amount", strings.TrimPrefix(err.Error(), "amount: "))
		}
		amount = &d
	}
	now := s.now().UTC()
	var ref *Refund
	created := false
	err = s.writer.doFor(context.Background(), slug, func(tx *bolt.Tx, deltas map[string]*Counters) error {
		ref, created = nil, false
		rk := key(slug, in.RefundID)
		var old Refund
		if get(tx.Bucket(bRefunds), rk, &old) == nil {
			conv, _ := findOrderTx(tx, slug, in.OrderID)
			if conv == nil || conv.ID != old.ConversionID || (amount != nil && !in.Cumulative && !amount.Equal(old.Amount)) {
				return fmt.Errorf("refund %s was recorded with other content: %w", in.RefundID, ErrConflict)
			}
			ref = &old
			return nil
		}
		conv, err := findOrderTx(tx, slug, in.OrderID)
		if err != nil {
			return err
		}
		if _, err := s.promoteTx(tx, slug, now); err != nil {
			return err
		}
		rest := conv.Amount.Sub(conv.Refunded)
		r := rest
		switch {
		case amount == nil:
		case in.Cumulative:
			r = amount.Sub(conv.Refunded)
			if amount.GreaterThan(conv.Amount) {
				return invalid("amount", fmt.Sprintf("refunded total %s exceeds the sale %s", amount, conv.Amount))
			}
		default:
			r = *amount
		}
		if r.GreaterThan(rest) {
			return invalid("amount", fmt.Sprintf("%s exceeds what is left to refund of order %s (%s)",
				FormatMoney(r, conv.Currency), conv.OrderID, FormatMoney(rest, conv.Currency)))
		}
		if r.Sign() <= 0 && !in.Cumulative {
			return invalid("amount", fmt.Sprintf("order %s is already fully refunded", conv.OrderID))
		}
		if r.Sign() < 0 {
			r = decimal.Zero
		}
		ref = &Refund{ID: in.RefundID, Program: slug, OrderID: conv.OrderID, ConversionID: conv.ID,
			Amount: r, Reversed: decimal.Zero, Clawback: decimal.Zero, CreatedAt: now}
		if err := s.applyRefundTx(tx, conv, ref, now, deltas); err != nil {
			return err
		}
		created = true
		return put(tx.Bucket(bRefunds), rk, ref)
	})
	if err != nil {
		return nil, false, fmt.Errorf("refund %s of %s: %w", in.RefundID, in.OrderID, err)
	}
	return ref, created, nil
}

func findOrderTx(tx *bolt.Tx, slug, orderID string) (*Conversion, error) {
	id := tx.Bucket(bOrders).Get(key(slug, orderID))
	if id == nil {
		id = tx.Bucket(bAliases).Get(key(slug, orderID))
	}
	if id == nil {
		return nil, fmt.Errorf("order %s: %w", orderID, ErrNotFound)
	}
	return conversionTx(tx, btou(id))
}

func (s *Store) applyRefundTx(tx *bolt.Tx, conv *Conversion, ref *Refund, now time.Time, deltas map[string]*Counters) error {
	if ref.Amount.Sign() == 0 {
		return nil
	}
	conv.Refunded = conv.Refunded.Add(ref.Amount)
	if err := put(tx.Bucket(bConversions), u64(conv.ID), conv); err != nil {
		return err
	}
	d := Counters{Revenue: ref.Amount.Neg()}
	if conv.Attributed {
		d.ReferredRevenue = ref.Amount.Neg()
	}
	if conv.CommissionID != 0 {
		c, err := commissionTx(tx, conv.CommissionID)
		if err != nil {
			return err
		}
		if err := s.reverseTx(tx, c, conv, ref, now); err != nil {
			return err
		}
		d.Commission = ref.Reversed.Neg()
	}
	day := dayKey(now)
	addDelta(deltas, programDayKey(conv.Program, day), d)
	if conv.PartnerID != 0 {
		addPartnerDayDelta(deltas, conv.Program, conv.PartnerID, day, d)
	}
	addLinkDelta(deltas, conv.Program, conv.Code, conv.Sub, day, d)
	return nil
}

// reverseTx brings the commission's reversal to round(c × refunded / a).
func (s *Store) reverseTx(tx *bolt.Tx, c *Commission, conv *Conversion, ref *Refund, now time.Time) error {
	if c.Status == CommissionRejected || c.Status == CommissionReversed {
		return nil
	}
	places, _ := CurrencyDecimals(c.Currency)
	target := c.Amount.Mul(conv.Refunded).DivRound(conv.Amount, places)
	if target.GreaterThan(c.Amount) {
		target = c.Amount
	}
	delta := target.Sub(c.Reversed)
	if delta.Sign() <= 0 {
		return nil
	}
	ref.Reversed = delta
	switch c.Status {
	case CommissionPending, CommissionApproved:
		before := c.contribution()
		c.Reversed = target
		c.UpdatedAt = now
		status := c.Status
		if c.Reversed.Equal(c.Amount) {
			if status == CommissionPending && len(c.Flags) == 0 {
				if err := tx.Bucket(bMaturing).Delete(maturingKey(c)); err != nil {
					return err
				}
			}
			c.Status = CommissionReversed
		}
		if err := adjustBalanceTx(tx, c.Program, c.PartnerID, c.day(), func(b *Balance) {
			b.add(status, before.Neg())
			b.add(c.Status, c.contribution())
		}); err != nil {
			return err
		}
	case CommissionInPayout, CommissionPaid:
		c.Reversed = target
		c.UpdatedAt = now
		ref.Clawback = delta
		id, err := nextID(tx, bClawbacks)
		if err != nil {
			return err
		}
		cb := &Clawback{ID: id, Program: c.Program, PartnerID: c.PartnerID, CommissionID: c.ID,
			Amount: delta, Status: ClawbackOpen, CreatedAt: now}
		if err := put(tx.Bucket(bClawbacks), u64(id), cb); err != nil {
			return err
		}
		if err := tx.Bucket(bPartnerClaw).Put(key(c.PartnerID, id), nil); err != nil {
			return err
		}
		if err := adjustBalanceTx(tx, c.Program, c.PartnerID, dayKey(now), func(b *Balance) {
			b.Clawback = b.Clawback.Add(delta)
		}); err != nil {
			return err
		}
	}
	if err := putCommissionTx(tx, c); err != nil {
		return err
	}
	return emitCommissionReversedTx(tx, c, ref, now)
}

// MarkEvent records a provider event id; false when it was seen before.
func (s *Store) MarkEvent(id string) (bool, error) {
	first := false
	err := s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bEvents).Get([]byte(id)) != nil {
			return nil
		}
		first = true
		return tx.Bucket(bEvents).Put([]byte(id), []byte(s.now().UTC().Format(time.RFC3339)))
	})
	if err != nil {
		return false, fmt.Errorf("mark event %s: %w", id, err)
	}
	return first, nil
}

// EventSeen reports whether a provider event id was recorded.
func (s *Store) EventSeen(id string) (bool, error) {
	seen := false
	err := s.db.View(func(tx *bolt.Tx) error {
		seen = tx.Bucket(bEvents).Get([]byte(id)) != nil
		return nil
	})
	return seen, err
}
