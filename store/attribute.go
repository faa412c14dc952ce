package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ManualAttribution records that a merchant attributed a conversion by
// hand (`conversion attribute`): who, when, and the partner it had before
// (0 when it was unattributed).
type ManualAttribution struct {
	By   uint64    `json:"by"`
	At   time.Time `json:"at"`
	From uint64    `json:"from,omitempty"`
}

// Conversion warnings: the request named something the ledger does not know,
// or a referral too old to attribute, so the conversion may be attributed
// differently than the sender meant.
const (
	WarnUnknownClick = "unknown click_id"
	WarnUnknownRef   = "unknown ref"
)

// WarnStaleRef is the warning for a ref code of the program with no click
// within the cookie lifetime before the payment (never clicked, or only
// earlier): such a ref never attributes.
func WarnStaleRef(code string) string {
	return "ref " + code + " has no click within the cookie lifetime"
}

// conversionWarningsTx lists what the request named that this program does
// not know (a click id or referral code), and a known referral code whose
// clicks are all outside the cookie lifetime before the payment.
func conversionWarningsTx(tx *bolt.Tx, prog *Program, req *conversionRequest) []string {
	var w []string
	if req.hasClick {
		if c, err := clickTx(tx, req.clickID); err != nil || c.Program != prog.Slug {
			w = append(w, WarnUnknownClick)
		}
	}
	if req.in.Ref != "" {
		switch l := refLinkTx(tx, req); {
		case l == nil || l.Program != prog.Slug:
			w = append(w, WarnUnknownRef)
		case !refClickedWithinTx(tx, req, l, prog, req.occurredAt):
			w = append(w, WarnStaleRef(l.Code))
		}
	}
	return w
}

// refClickedWithinTx says whether link l was clicked within the program's
// cookie lifetime before a payment at paidAt: the only way a referral code
// shows that its referral is young enough to attribute. The answer is kept
// in req for the rest of this run of its change (refwithin.go).
func refClickedWithinTx(tx *bolt.Tx, req *conversionRequest, l *Link, prog *Program, paidAt time.Time) bool {
	lifetime := prog.CookieLifetime()
	m := &req.refMemo
	if m.set && m.code == l.Code && m.paidAt.Equal(paidAt) && m.lifetime == lifetime {
		return m.within
	}
	within := clickedWithinTx(tx, l.Code, paidAt.Add(-lifetime), paidAt)
	m.set, m.code, m.paidAt, m.lifetime, m.within = true, l.Code, paidAt, lifetime, within
	return within
}

// addAttributedDeltas counts a conversion attributed after it was recorded:
// for its partner as a conversion, for the program as a referred one, on
// the day of the payment. Refunds already applied are left out.
func addAttributedDeltas(deltas map[string]*Counters, conv *Conversion, comm *Commission) {
	day := dayKey(conv.OccurredAt)
	net := conv.Amount.Sub(conv.Refunded)
	d := Counters{Conversions: 1, Revenue: net, Referred: 1, ReferredRevenue: net}
	p := Counters{Referred: 1, ReferredRevenue: net}
	if comm != nil {
		d.Commission = comm.Amount
		p.Commission = comm.Amount
	}
	addPartnerDayDelta(deltas, conv.Program, conv.PartnerID, day, d)
	addDelta(deltas, programDayKey(conv.Program, day), p)
	addLinkDelta(deltas, conv.Program, conv.Code, conv.Sub, day, d)
}

// AttributeConversion attributes a program's order to one of its approved
// partners by hand (program admins): an order recorded unattributed (an
// unknown click id, a lost cookie), or one whose commission is still
// pending (it then moves to the new partner: the old commission is rejected
// with the reason). The commission is rated by the partner's plan as if the
// payment had been attributed when it came. Orders with refunds, or whose
// commission was approved, paid or decided, are refused. The change is
// recorded on the conversion (who, when, the partner before).
func (s *Store) AttributeConversion(a Actor, slug, orderID, partnerRef string) (*ConversionResult, error) {
	orderID = strings.TrimSpace(orderID)
	if orderID == "" {
		return nil, invalid("order", "is required")
	}
	now := s.now().UTC()
	var res *ConversionResult
	err := s.writer.doFor(context.Background(), slug, func(tx *bolt.Tx, deltas map[string]*Counters) error {
		res = nil
		prog, err := adminProgramTx(tx, a, slug)
		if err != nil {
			return err
		}
		partner, err := findPartnerTx(tx, slug, partnerRef)
		if err != nil {
			return err
		}
		if partner.Status != PartnerApproved {
			return fmt.Errorf("partner %d is %s, not approved; approve them first: %w", partner.ID, partner.Status, ErrConflict)
		}
		conv, err := findOrderTx(tx, slug, orderID)
		if err != nil {
			return err
		}
		if _, err := s.promoteTx(tx, slug, now); err != nil {
			return err
		}
		if conv.Attributed && conv.PartnerID == partner.ID {
			return fmt.Errorf("order %s is already attributed to partner %d: %w", orderID, partner.ID, ErrConflict)
		}
		if conv.Refunded.Sign() > 0 {
			return fmt.Errorf("order %s has refunds (%s), so its attribution can no longer change: %w",
				orderID, FormatMoney(conv.Refunded, conv.Currency), ErrConflict)
		}
		manual := &ManualAttribution{By: a.UserID, At: now}
		cust := Customer{Program: slug, ID: conv.CustomerID, Email: conv.CustomerEmail}
		custKey := key(slug, conv.CustomerID)
		if get(tx.Bucket(bCustomers), custKey, &cust) != nil {
			cust = Customer{Program: slug, ID: conv.CustomerID, Email: conv.CustomerEmail}
		}
		if conv.Attributed {
			if err := s.detachTx(tx, conv, &cust, partner, a.UserID, deltas, now); err != nil {
				return err
			}
			manual.From = conv.PartnerID
		}
		conv.Attributed, conv.PartnerID, conv.Via, conv.ClickID, conv.CommissionID = true, partner.ID, "manual", 0, 0
		conv.Code, conv.Sub = "", ""
		conv.Manual = manual
		comm, err := s.rateTx(tx, deltas, prog, partner, &cust, conv, nil, now)
		if err != nil {
			return err
		}
		if err := put(tx.Bucket(bCustomers), custKey, &cust); err != nil {
			return err
		}
		if err := put(tx.Bucket(bConversions), u64(conv.ID), conv); err != nil {
			return err
		}
		addAttributedDeltas(deltas, conv, comm)
		if comm != nil {
			if err := emitCommissionCreatedTx(tx, comm, now); err != nil {
				return err
			}
		}
		res = &ConversionResult{Conversion: *conv, Commission: comm}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("attribute order %s of %s: %w", orderID, slug, err)
	}
	return res, nil
}

// detachTx takes an attributed conversion away from its partner: its
// commission (pending only) is rejected with the reason, the partner's day
// counters give the conversion back, and a customer bound by this very
// payment is unbound so the new partner binds them.
func (s *Store) detachTx(tx *bolt.Tx, conv *Conversion, cust *Customer, to *Partner, by uint64, deltas map[string]*Counters, now time.Time) error {
	day := dayKey(conv.OccurredAt)
	d := Counters{Conversions: -1, Revenue: conv.Amount.Neg(), Referred: -1, ReferredRevenue: conv.Amount.Neg()}
	p := Counters{Referred: -1, ReferredRevenue: conv.Amount.Neg()}
	if conv.CommissionID != 0 {
		c, err := commissionTx(tx, conv.CommissionID)
		if err != nil {
			return err
		}
		if c.Status != CommissionPending {
			return fmt.Errorf("the commission %d of order %s is %s, and only a pending commission can move to another partner: %w",
				c.ID, conv.OrderID, c.Status, ErrConflict)
		}
		c.Reason = fmt.Sprintf("order attributed to partner %d instead", to.ID)
		c.DecidedBy, c.DecidedAt, c.MovedTo = by, now, to.ID
		if err := setStatusTx(tx, c, CommissionRejected, now); err != nil {
			return err
		}
		d.Commission, p.Commission = c.Amount.Neg(), c.Amount.Neg()
	}
	addPartnerDayDelta(deltas, conv.Program, conv.PartnerID, day, d)
	addDelta(deltas, programDayKey(conv.Program, day), p)
	addLinkDelta(deltas, conv.Program, conv.Code, conv.Sub, day, d)
	if cust.PartnerID == conv.PartnerID && cust.FirstPayment.Equal(conv.OccurredAt) {
		cust.PartnerID, cust.FirstPayment = 0, time.Time{}
		var old Partner
		pc := key(conv.PartnerID, conv.CustomerID)
		if tx.Bucket(bPartnerCust).Get(pc) != nil && get(tx.Bucket(bPartners), u64(conv.PartnerID), &old) == nil {
			old.Customers--
			if err := tx.Bucket(bPartnerCust).Delete(pc); err != nil {
				return err
			}
			if err := put(tx.Bucket(bPartners), u64(old.ID), &old); err != nil {
				return err
			}
		}
	}
	return nil
}
