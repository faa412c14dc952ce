package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	bolt "go.etcd.io/bbolt"

	"github.com/affogato-sh/affogato/store/sanitize"
)

// ConversionInput is one payment reported through the API or a webhook.
type ConversionInput struct {
	OrderID, CustomerID, CustomerEmail string
	Amount                             string // decimal string
	Currency, Kind                     string
	ClickID, Ref, Coupon               string
	OccurredAt                         string   // RFC 3339 or ""
	Aliases                            []string // other provider ids of the same payment
	// Provider names a payment provider ("stripe") whose events may report
	// the same payment more than once with more or less attribution (an
	// invoice without the click, then the checkout session with it). For
	// such inputs a repeat is the same payment when customer, amount,
	// currency and kind agree; it attributes a still unattributed
	// conversion and adds its aliases.
	Provider string
}

// ConversionResult is a conversion with its commission (nil when none).
type ConversionResult struct {
	Conversion Conversion
	Commission *Commission
}

// Fraud-review thresholds (SPEC 4).
const (
	fastConversion = 10 * time.Second
	ipBurstLimit   = 20
)

// maxFutureSkew is how far ahead of the server's clock a payment's
// occurred_at may be (the sender's clock may run a little fast).
const maxFutureSkew = 5 * time.Minute

type conversionRequest struct {
	in         ConversionInput
	amount     decimal.Decimal
	occurredAt time.Time
	clickID    uint64
	hasClick   bool
	print      string
	// program is the program as read before the change was queued.
	program programRead
	// refMemo is the ref's link and refClickedWithinTx's answer within
	// one run of the change (reset at the start of each: a run may be
	// retried, refwithin.go).
	refMemo refWithinMemo
}

func parseConversion(prog *Program, in ConversionInput, now time.Time) (*conversionRequest, error) {
	in.OrderID, in.CustomerID = strings.TrimSpace(in.OrderID), strings.TrimSpace(in.CustomerID)
	r := &conversionRequest{in: in}
	for _, f := range []struct{ name, v string }{{"order_id", in.OrderID}, {"customer_id", in.CustomerID}} {
		if f.v == "" {
			return nil, invalid(f.name, "is required")
		}
		if len(f.v) > 200 || !sanitize.Clean(f.v) {
			return nil, invalid(f.name, "must be at most 200 printable characters")
		}
	}
	if in.Currency != prog.Currency {
		return nil, invalid("currency", fmt.Sprintf("%q is not the program currency %s", in.Currency, prog.Currency))
	}
	var err error
	if r.amount, err = ParseAmount(in.Amount, prog.Currency); err != nil {
		return nil, err
	}
	switch in.Kind {
	case KindSale, KindRenewal:
	default:
		return nil, invalid("kind", fmt.Sprintf("%q must be sale or renewal", in.Kind))
	}
	r.occurredAt = now
	if in.OccurredAt != "" {
		t, err := time.Parse(time.RFC3339Nano, in.OccurredAt)
		if err != nil {
			return nil, invalid("occurred_at", fmt.Sprintf("%q is not an RFC 3339 time", in.OccurredAt))
		}
		r.occurredAt = t.UTC()
		if r.occurredAt.After(now.Add(maxFutureSkew)) {
			return nil, invalid("occurred_at", fmt.Sprintf("%q is more than %s in the future", in.OccurredAt, maxFutureSkew))
		}
	}
	if in.ClickID != "" {
		id := in.ClickID
		if i := strings.LastIndexByte(id, '.'); i >= 0 { // the aff_ref cookie form code.clickid
			id = id[i+1:]
		}
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			return nil, invalid("click_id", fmt.Sprintf("%q is not a click id", in.ClickID))
		}
		r.clickID, r.hasClick = n, true
	}
	if in.CustomerEmail != "" {
		if len(in.CustomerEmail) > MaxEmailLen {
			return nil, invalid("customer_email", "is not an email address")
		}
		if err := CheckEmailText("customer_email", in.CustomerEmail); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct{ name, v string }{{"ref", in.Ref}, {"coupon", in.Coupon}} {
		if len(f.v) > 100 || !sanitize.Clean(f.v) {
			return nil, invalid(f.name, "must be at most 100 printable characters")
		}
	}
	parts := []string{in.CustomerID, r.amount.String(), in.Currency, in.Kind, in.ClickID,
		in.Ref, strings.ToUpper(in.Coupon), strings.ToLower(in.CustomerEmail), in.OccurredAt}
	if in.Provider != "" {
		parts = append([]string{"provider", in.Provider}, parts[:4]...)
	}
	h := sha256.New()
	for _, part := range parts {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	r.print = hex.EncodeToString(h.Sum(nil))
	return r, nil
}

// RecordConversion records a payment and its commission in one durable
// transaction. The same order again with the same content returns the
// stored conversion with created=false; other content is ErrConflict.
func (s *Store) RecordConversion(slug string, in ConversionInput) (*ConversionResult, bool, error) {
	read, err := s.readProgram(slug) // programsame.go
	if err != nil {
		return nil, false, err
	}
	now := s.now().UTC()
	req, err := parseConversion(read.prog, in, now)
	if err != nil {
		return nil, false, fmt.Errorf("conversion %s: %w", in.OrderID, err)
	}
	req.program = read
	var res *ConversionResult
	created := false
	err = s.writer.doFor(context.Background(), slug, func(tx *bolt.Tx, deltas map[string]*Counters) error {
		res, created = nil, false
		req.refMemo = refWithinMemo{}
		if id := tx.Bucket(bOrders).Get(key(slug, req.in.OrderID)); id != nil {
			r, err := conversionResultTx(tx, btou(id), now)
			if err != nil {
				return err
			}
			if r.Conversion.Fingerprint != req.print {
				return fmt.Errorf("order %s was recorded with other content: %w", req.in.OrderID, ErrConflict)
			}
			if req.in.Provider != "" && !r.Conversion.Attributed {
				r, err = s.attributeLaterTx(tx, slug, &r.Conversion, req, now, deltas)
				if err != nil {
					return err
				}
			}
			res = r
			return nil
		}
		var err error
		res, err = s.newConversionTx(tx, slug, req, now, deltas)
		created = err == nil
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("conversion %s: %w", in.OrderID, err)
	}
	return res, created, nil
}

func (s *Store) newConversionTx(tx *bolt.Tx, slug string, req *conversionRequest, now time.Time, deltas map[string]*Counters) (*ConversionResult, error) {
	prog, err := req.program.programTx(tx, slug)
	if err != nil {
		return nil, err
	}
	cust := Customer{Program: slug, ID: req.in.CustomerID, Email: req.in.CustomerEmail}
	custKey := key(slug, req.in.CustomerID)
	known := get(tx.Bucket(bCustomers), custKey, &cust) == nil
	partner, click, via := s.attributeTx(tx, &prog, req, &cust, known)
	id, err := nextID(tx, bConversions)
	if err != nil {
		return nil, err
	}
	conv := &Conversion{ID: id, Program: slug, OrderID: req.in.OrderID, CustomerID: req.in.CustomerID,
		CustomerEmail: req.in.CustomerEmail, Amount: req.amount, Currency: prog.Currency, Kind: req.in.Kind,
		Refunded: decimal.Zero, Fingerprint: req.print, OccurredAt: req.occurredAt, CreatedAt: now, Via: via,
		Warnings: conversionWarningsTx(tx, &prog, req)}
	day := dayKey(req.occurredAt)
	var comm *Commission
	if partner != nil {
		conv.Attributed, conv.PartnerID = true, partner.ID
		setReferral(conv, &cust, click, via, req.in.Ref)
		comm, err = s.rateTx(tx, deltas, &prog, partner, &cust, conv, click, now)
		if err != nil {
			return nil, err
		}
		d := Counters{Conversions: 1, Revenue: req.amount, Referred: 1, ReferredRevenue: req.amount}
		if comm != nil {
			d.Commission = comm.Amount
		}
		addPartnerDayDelta(deltas, slug, partner.ID, day, d)
		addLinkDelta(deltas, slug, conv.Code, conv.Sub, day, d)
	}
	if err := put(tx.Bucket(bCustomers), custKey, &cust); err != nil {
		return nil, err
	}
	if err := put(tx.Bucket(bConversions), u64(id), conv); err != nil {
		return nil, err
	}
	if err := tx.Bucket(bOrders).Put(key(slug, conv.OrderID), u64(id)); err != nil {
		return nil, err
	}
	for _, a := range req.in.Aliases {
		if a != "" && a != conv.OrderID {
			if err := tx.Bucket(bAliases).Put(key(slug, a), u64(id)); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.Bucket(bProgConv).Put(key(slug, id), nil); err != nil {
		return nil, err
	}
	d := Counters{Conversions: 1, Revenue: req.amount}
	if partner != nil {
		d.Referred, d.ReferredRevenue = 1, req.amount
	}
	if comm != nil {
		d.Commission = comm.Amount
	}
	addDelta(deltas, programDayKey(slug, day), d)
	res := &ConversionResult{Conversion: *conv, Commission: comm}
	return res, emitConversionTx(tx, res, now)
}

// rateTx binds the customer, counts the partner's paying customers and
// creates the commission the plan gives (nil when the payment earns none);
// the commission's day sums go with the group's counter changes (deltas).
func (s *Store) rateTx(tx *bolt.Tx, deltas map[string]*Counters, prog *Program, partner *Partner, cust *Customer, conv *Conversion, click *Click, now time.Time) (*Commission, error) {
	// Bind the customer to the first partner a payment is attributed to.
	first := time.Time{}
	switch {
	case cust.PartnerID == 0:
		cust.PartnerID, cust.FirstPayment = partner.ID, conv.OccurredAt
		cust.Code, cust.Sub = conv.Code, conv.Sub
	case cust.PartnerID == partner.ID && cust.FirstPayment.IsZero(): // bound before paying (a trial)
		cust.FirstPayment = conv.OccurredAt
	case cust.PartnerID == partner.ID:
		first = cust.FirstPayment
	}
	pc := key(partner.ID, conv.CustomerID)
	if tx.Bucket(bPartnerCust).Get(pc) == nil {
		partner.Customers++
		if err := tx.Bucket(bPartnerCust).Put(pc, nil); err != nil {
			return nil, err
		}
		if err := putCached(&s.decoded, tx.Bucket(bPartners), bPartners, u64(partner.ID), partner); err != nil {
			return nil, err
		}
	}
	terms := prog.CommissionTerms()
	if partner.Plan != nil {
		terms.Plan = *partner.Plan
	}
	amount, earns, rule := terms.Commission(Payment{Amount: conv.Amount, Currency: prog.Currency,
		Renewal: conv.Kind == KindRenewal, Customers: partner.Customers, FirstPayment: first, At: conv.OccurredAt})
	if !earns || amount.Sign() <= 0 {
		return nil, nil
	}
	comm, err := s.newCommissionTx(tx, deltas, prog, partner, conv, click, amount, rule, now)
	if err != nil {
		return nil, err
	}
	conv.CommissionID = comm.ID
	return comm, nil
}

// attributeTx picks the partner for a payment, first match wins: a renewal
// (or, under first-click, any payment) of a bound customer goes to their
// partner; then a coupon bound to a partner, the click (within the cookie
// lifetime), the ref code, and last the customer's bound partner. Only
// approved partners of this program are attributed.
func (s *Store) attributeTx(tx *bolt.Tx, prog *Program, req *conversionRequest, cust *Customer, known bool) (*Partner, *Click, string) {
	approved := func(id uint64) *Partner {
		var p Partner
		if id == 0 || getCached(&s.decoded, tx.Bucket(bPartners), bPartners, u64(id), &p) != nil || p.Program != prog.Slug || p.Status != PartnerApproved {
			return nil
		}
		return &p
	}
	bound := known && cust.PartnerID != 0
	if bound && (req.in.Kind == KindRenewal || prog.Attribution == FirstClick) {
		return approved(cust.PartnerID), nil, "customer"
	}
	if req.in.Coupon != "" {
		var c Coupon
		if get(tx.Bucket(bCoupons), key(prog.Slug, strings.ToUpper(strings.TrimSpace(req.in.Coupon))), &c) == nil {
			if p := approved(c.PartnerID); p != nil {
				return p, nil, "coupon"
			}
		}
	}
	lifetime := prog.CookieLifetime()
	if req.hasClick {
		c, err := clickTx(tx, req.clickID)
		// The click must precede the payment (to the second: RFC 3339
		// times often carry no fraction) by less than the cookie lifetime.
		if err == nil && c.Program == prog.Slug && c.PartnerID != 0 &&
			!c.At.Truncate(time.Second).After(req.occurredAt) && req.occurredAt.Before(c.At.Add(lifetime)) {
			if p := approved(c.PartnerID); p != nil {
				return p, c, "click"
			}
		}
	}
	if req.in.Ref != "" {
		if l := refLinkTx(tx, req); l != nil && l.Program == prog.Slug {
			// A referral code carries a referral no older than the cookie
			// lifetime only when some click on it falls within the lifetime
			// before the payment. A code never clicked (passed on by hand)
			// cannot show its age, so it never attributes
			// (conversionWarningsTx says why).
			if refClickedWithinTx(tx, req, l, prog, req.occurredAt) {
				if p := approved(l.PartnerID); p != nil {
					return p, nil, "ref"
				}
			}
		}
	}
	if bound {
		if p := approved(cust.PartnerID); p != nil {
			return p, nil, "customer"
		}
	}
	return nil, nil, ""
}

// newCommissionTx creates the commission for an attributed conversion:
// pending with fraud flags, or approved at once when there is no hold and no
// flag. Its day sums go with the group's counter changes (deltas).
func (s *Store) newCommissionTx(tx *bolt.Tx, deltas map[string]*Counters, prog *Program, partner *Partner, conv *Conversion, click *Click, amount decimal.Decimal, rule string, now time.Time) (*Commission, error) {
	id, err := nextID(tx, bCommissions)
	if err != nil {
		return nil, err
	}
	c := &Commission{ID: id, Program: prog.Slug, PartnerID: partner.ID, ConversionID: conv.ID,
		Currency: prog.Currency, Amount: amount, Reversed: decimal.Zero, Locked: decimal.Zero,
		Status: CommissionPending, Flags: fraudFlagsTx(tx, prog, partner, conv, click), Rule: rule,
		HoldUntil: now.Add(time.Duration(prog.HoldDays) * 24 * time.Hour), Day: dayKey(conv.OccurredAt),
		CreatedAt: now, UpdatedAt: now}
	if len(c.Flags) == 0 && prog.HoldDays == 0 {
		c.Status = CommissionApproved
	}
	if err := putCommissionTx(tx, c); err != nil {
		return nil, err
	}
	if err := tx.Bucket(bProgComm).Put(key(prog.Slug, id), nil); err != nil {
		return nil, err
	}
	if err := tx.Bucket(bPartnerComm).Put(key(partner.ID, id), nil); err != nil {
		return nil, err
	}
	if c.Status == CommissionPending && len(c.Flags) == 0 {
		if err := putMaturingTx(tx, c); err != nil { // maturing.go
			return nil, err
		}
	}
	return c, s.adjustBalanceDeltasTx(tx, deltas, c.Program, c.PartnerID, c.day(), func(b *Balance) {
		b.add(c.Status, c.Amount)
	})
}

func fraudFlagsTx(tx *bolt.Tx, prog *Program, partner *Partner, conv *Conversion, click *Click) []string {
	flags := []string{}
	if conv.CustomerEmail != "" { // the partner's user is read only to compare with it
		email := partner.Email
		var u User
		if get(tx.Bucket(bUsers), u64(partner.UserID), &u) == nil && u.Email != "" {
			email = u.Email
		}
		if email != "" && strings.EqualFold(strings.TrimSpace(conv.CustomerEmail), email) {
			flags = append(flags, FlagSelfReferral)
		}
	}
	if click != nil {
		if click.PaidAds && prog.ForbidPaidAds {
			flags = append(flags, FlagPaidAds)
		}
		if conv.OccurredAt.Sub(click.At) < fastConversion {
			flags = append(flags, FlagFastConvert)
		}
		if click.RecentFromIP > ipBurstLimit {
			flags = append(flags, FlagClickFlood)
		}
	}
	return flags
}

func maturingKey(c *Commission) []byte {
	return key(c.Program, c.HoldUntil.UnixNano(), c.ID)
}

func conversionTx(tx *bolt.Tx, id uint64) (*Conversion, error) {
	var c Conversion
	if err := get(tx.Bucket(bConversions), u64(id), &c); err != nil {
		return nil, fmt.Errorf("conversion %d: %w", id, err)
	}
	return &c, nil
}

func commissionTx(tx *bolt.Tx, id uint64) (*Commission, error) {
	var c Commission
	if err := get(tx.Bucket(bCommissions), u64(id), &c); err != nil {
		return nil, fmt.Errorf("commission %d: %w", id, err)
	}
	return &c, nil
}

func conversionResultTx(tx *bolt.Tx, id uint64, now time.Time) (*ConversionResult, error) {
	conv, err := conversionTx(tx, id)
	if err != nil {
		return nil, err
	}
	r := &ConversionResult{Conversion: *conv}
	if conv.CommissionID != 0 {
		c, err := commissionTx(tx, conv.CommissionID)
		if err != nil {
			return nil, err
		}
		c.effective(now)
		r.Commission = c
	}
	return r, nil
}

// attributeLaterTx attributes a stored, unattributed provider conversion
// when a later event of the same payment carries the click, ref or coupon.
func (s *Store) attributeLaterTx(tx *bolt.Tx, slug string, conv *Conversion, req *conversionRequest, now time.Time, deltas map[string]*Counters) (*ConversionResult, error) {
	prog, err := req.program.programTx(tx, slug)
	if err != nil {
		return nil, err
	}
	for _, a := range req.in.Aliases {
		if a != "" && a != conv.OrderID {
			if err := tx.Bucket(bAliases).Put(key(slug, a), u64(conv.ID)); err != nil {
				return nil, err
			}
		}
	}
	cust := Customer{Program: slug, ID: conv.CustomerID, Email: conv.CustomerEmail}
	custKey := key(slug, conv.CustomerID)
	known := get(tx.Bucket(bCustomers), custKey, &cust) == nil
	req.occurredAt = conv.OccurredAt
	partner, click, via := s.attributeTx(tx, &prog, req, &cust, known)
	if partner == nil {
		return &ConversionResult{Conversion: *conv}, nil
	}
	conv.Attributed, conv.PartnerID, conv.Via = true, partner.ID, via
	setReferral(conv, &cust, click, via, req.in.Ref)
	if req.in.CustomerEmail != "" && conv.CustomerEmail == "" {
		conv.CustomerEmail = req.in.CustomerEmail
	}
	comm, err := s.rateTx(tx, deltas, &prog, partner, &cust, conv, click, now)
	if err != nil {
		return nil, err
	}
	if err := put(tx.Bucket(bCustomers), custKey, &cust); err != nil {
		return nil, err
	}
	if err := put(tx.Bucket(bConversions), u64(conv.ID), conv); err != nil {
		return nil, err
	}
	addAttributedDeltas(deltas, conv, comm)
	if comm != nil {
		if err := emitCommissionCreatedTx(tx, comm, now); err != nil {
			return nil, err
		}
	}
	return &ConversionResult{Conversion: *conv, Commission: comm}, nil
}

// setReferral records on an attributed conversion the click and the link
// (code and campaign sub-id) it came through, when it came through one: a
// bound customer's payment counts for the link they first came through.
func setReferral(conv *Conversion, cust *Customer, click *Click, via, ref string) {
	switch {
	case click != nil:
		conv.ClickID, conv.Code, conv.Sub = click.ID, click.Code, click.Sub
	case via == "ref":
		conv.Code = ref
	case via == "customer" && cust.PartnerID == conv.PartnerID:
		conv.Code, conv.Sub = cust.Code, cust.Sub
	}
}

// BindCustomer binds a customer who has not paid yet (a trial started
// through a referral) to the partner of a click, so that their first
// payment is attributed. A customer already bound keeps their partner.
func (s *Store) BindCustomer(slug, customerID, clickID string) error {
	customerID = strings.TrimSpace(customerID)
	if customerID == "" || len(customerID) > 200 {
		return invalid("customer_id", "is required (at most 200 characters)")
	}
	prog, err := s.Program(slug)
	if err != nil {
		return err
	}
	req, err := parseConversion(prog, ConversionInput{OrderID: "bind", CustomerID: customerID, Amount: "1",
		Currency: prog.Currency, Kind: KindSale, ClickID: clickID}, s.now().UTC())
	if err != nil {
		return err
	}
	return s.writer.doFor(context.Background(), slug, func(tx *bolt.Tx, _ map[string]*Counters) error {
		req.refMemo = refWithinMemo{}
		cust := Customer{Program: slug, ID: customerID}
		custKey := key(slug, customerID)
		if get(tx.Bucket(bCustomers), custKey, &cust) == nil && cust.PartnerID != 0 {
			return nil
		}
		if !req.hasClick {
			return invalid("click_id", "is required")
		}
		partner, click, _ := s.attributeTx(tx, prog, req, &cust, false)
		if partner == nil {
			return nil
		}
		cust.PartnerID = partner.ID
		if click != nil {
			cust.Code, cust.Sub = click.Code, click.Sub
		}
		return put(tx.Bucket(bCustomers), custKey, &cust)
	})
}
