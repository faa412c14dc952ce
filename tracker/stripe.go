package tracker

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/affogato-sh/affogato/store"
)

// maxStripeBody is the largest webhook body accepted. Stripe events carry
// whole objects (an invoice with its lines), so it is larger than the API's.
const maxStripeBody = 512 << 10

// stripeEvent is the envelope of a Stripe event.
type stripeEvent struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	Data    struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

// expandable is a Stripe reference: an id string, or the expanded object
// whose "id" is taken.
type expandable string

// UnmarshalJSON accepts a string, null, or an object with an id.
func (e *expandable) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*e = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*e = expandable(s)
		return nil
	default:
		var obj struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &obj); err != nil {
			return fmt.Errorf("stripe reference: %w", err)
		}
		*e = expandable(obj.ID)
		return nil
	}
}

type checkoutSession struct {
	ID                string     `json:"id"`
	Mode              string     `json:"mode"`
	PaymentStatus     string     `json:"payment_status"`
	AmountTotal       int64      `json:"amount_total"`
	Currency          string     `json:"currency"`
	Customer          expandable `json:"customer"`
	CustomerEmail     string     `json:"customer_email"`
	ClientReferenceID string     `json:"client_reference_id"`
	PaymentIntent     expandable `json:"payment_intent"`
	Invoice           expandable `json:"invoice"`
	Subscription      expandable `json:"subscription"`
	CustomerDetails   *struct {
		Email string `json:"email"`
	} `json:"customer_details"`
}

type invoice struct {
	ID                string     `json:"id"`
	Customer          expandable `json:"customer"`
	CustomerEmail     string     `json:"customer_email"`
	AmountPaid        int64      `json:"amount_paid"`
	Currency          string     `json:"currency"`
	BillingReason     string     `json:"billing_reason"`
	Subscription      expandable `json:"subscription"` // API before 2025-03-31
	PaymentIntent     expandable `json:"payment_intent"`
	Charge            expandable `json:"charge"`
	StatusTransitions struct {
		PaidAt int64 `json:"paid_at"`
	} `json:"status_transitions"`
	Parent *struct { // API 2025-03-31 and later
		SubscriptionDetails *struct {
			Subscription expandable `json:"subscription"`
		} `json:"subscription_details"`
	} `json:"parent"`
	Payments *struct { // API 2025-03-31 and later, when included
		Data []struct {
			Payment struct {
				PaymentIntent expandable `json:"payment_intent"`
				Charge        expandable `json:"charge"`
			} `json:"payment"`
		} `json:"data"`
	} `json:"payments"`
}

type charge struct {
	ID             string     `json:"id"`
	PaymentIntent  expandable `json:"payment_intent"`
	Invoice        expandable `json:"invoice"`
	AmountRefunded int64      `json:"amount_refunded"`
	Currency       string     `json:"currency"`
}

// stripeOutcome is what processing an event did.
type stripeOutcome struct {
	ignored string // why nothing was recorded, "" when something was
}

// errStripePayload marks a verified event whose object cannot be read.
var errStripePayload = errors.New("malformed Stripe event")

// stripeWebhook serves POST /webhooks/stripe/{slug}.
func (s *Server) stripeWebhook(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	p, err := s.st.Program(slug)
	if err != nil {
		if isClientError(err) {
			writeError(w, http.StatusNotFound, codeNotFound, fmt.Sprintf("no program %q", slug))
			return
		}
		s.storeError(w, "stripe webhook program", err)
		return
	}
	secrets := stripeSecrets(p.Secrets.StripeSecret)
	if len(secrets) == 0 {
		writeError(w, http.StatusBadRequest, codeNotConfigured,
			fmt.Sprintf("program %q has no Stripe endpoint secret: set it with `program set %s stripe-secret whsec_…`", slug, slug))
		return
	}
	body, rerr := readBody(w, r, maxStripeBody)
	if rerr != nil {
		rerr.write(w)
		return
	}
	if err := verifyStripe(r.Header.Get("Stripe-Signature"), body, secrets, s.now()); err != nil {
		s.metrics.stripeEvents.WithLabelValues("rejected").Inc()
		writeError(w, http.StatusBadRequest, codeBadSignature, err.Error())
		return
	}
	var ev stripeEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" || ev.Type == "" {
		writeError(w, http.StatusBadRequest, codeBadRequest, "malformed Stripe event: want {id, type, data:{object}}")
		return
	}
	eventKey := "stripe:" + p.Slug + ":" + ev.ID
	if seen, err := s.st.EventSeen(eventKey); err != nil {
		s.storeError(w, "stripe event seen", err)
		return
	} else if seen {
		s.metrics.stripeEvents.WithLabelValues("duplicate").Inc()
		writeJSON(w, http.StatusOK, map[string]any{"received": true, "duplicate": true})
		return
	}
	out, err := s.stripeEventDo(p, &ev)
	switch {
	case errors.Is(err, errStripePayload):
		writeError(w, http.StatusBadRequest, codeBadRequest, err.Error())
		return
	case err != nil && isClientError(err):
		// The event will never apply (another currency, a refund of an
		// order we never saw, a conflicting repeat): answering an error
		// would only make Stripe retry it for days.
		kind := "stripe_rejected"
		if errors.Is(err, store.ErrConflict) {
			kind = "stripe_conflict"
		}
		s.metrics.errors.WithLabelValues(kind).Inc()
		s.log.Warn("stripe event not applied", "program", p.Slug, "event", ev.ID, "type", ev.Type, "err", err)
		out.ignored = err.Error()
	case err != nil:
		s.metrics.errors.WithLabelValues("store").Inc()
		s.log.Error("stripe event", "program", p.Slug, "event", ev.ID, "type", ev.Type, "err", err)
		writeError(w, http.StatusInternalServerError, codeInternal, "internal error; Stripe will retry")
		return
	}
	// Marked only after processing, so a failure above is retried by Stripe.
	first, err := s.st.MarkEvent(eventKey)
	if err != nil {
		s.storeError(w, "mark stripe event", err)
		return
	}
	resp := map[string]any{"received": true}
	switch {
	case !first:
		resp["duplicate"] = true
		s.metrics.stripeEvents.WithLabelValues("duplicate").Inc()
	case out.ignored != "":
		resp["ignored"] = out.ignored
		s.metrics.stripeEvents.WithLabelValues("ignored").Inc()
	default:
		s.metrics.stripeEvents.WithLabelValues("processed").Inc()
	}
	writeJSON(w, http.StatusOK, resp)
}

// stripeEventDo applies one verified event. Processing is idempotent (the
// store dedupes orders and refund ids), so a redelivered event that was not
// yet marked seen does no harm.
func (s *Server) stripeEventDo(p *store.Program, ev *stripeEvent) (stripeOutcome, error) {
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded":
		var cs checkoutSession
		if err := decodeObject(ev, &cs); err != nil {
			return stripeOutcome{}, err
		}
		return s.stripeCheckout(p, &cs)
	case "invoice.paid":
		var inv invoice
		if err := decodeObject(ev, &inv); err != nil {
			return stripeOutcome{}, err
		}
		return s.stripeInvoice(p, &inv)
	case "charge.refunded":
		var ch charge
		if err := decodeObject(ev, &ch); err != nil {
			return stripeOutcome{}, err
		}
		return s.stripeRefund(p, &ch)
	default:
		return stripeOutcome{ignored: "event type " + ev.Type + " is not used"}, nil
	}
}

func decodeObject(ev *stripeEvent, v any) error {
	if len(ev.Data.Object) == 0 {
		return fmt.Errorf("%w %s: no data.object", errStripePayload, ev.ID)
	}
	if err := json.Unmarshal(ev.Data.Object, v); err != nil {
		return fmt.Errorf("%w %s: %v", errStripePayload, ev.ID, err)
	}
	return nil
}

// stripeCheckout records a paid Checkout session as a sale. A subscription
// session uses its first invoice's id as the order id, so the invoice.paid
// of the same payment is a repeat, not a second sale.
func (s *Server) stripeCheckout(p *store.Program, cs *checkoutSession) (stripeOutcome, error) {
	if cs.PaymentStatus == "no_payment_required" && cs.Customer != "" && strings.TrimSpace(cs.ClientReferenceID) != "" {
		// A trial through a referral: bind the customer now so that their
		// first paid invoice is attributed.
		if err := s.st.BindCustomer(p.Slug, string(cs.Customer), strings.TrimSpace(cs.ClientReferenceID)); err != nil {
			return stripeOutcome{}, fmt.Errorf("stripe trial %s: %w", cs.ID, err)
		}
		return stripeOutcome{}, nil
	}
	if cs.PaymentStatus != "paid" {
		return stripeOutcome{ignored: "checkout session not paid (" + cs.PaymentStatus + ")"}, nil
	}
	if cs.ID == "" {
		return stripeOutcome{}, fmt.Errorf("%w: checkout session without id", errStripePayload)
	}
	amount, currency, err := stripeAmount(cs.AmountTotal, cs.Currency)
	if err != nil {
		return stripeOutcome{ignored: err.Error()}, nil
	}
	email := cs.CustomerEmail
	if cs.CustomerDetails != nil && cs.CustomerDetails.Email != "" {
		email = cs.CustomerDetails.Email
	}
	customer := firstOf(string(cs.Customer), email, cs.ID)
	order := firstOf(string(cs.Invoice), cs.ID)
	aliases := nonEmpty(string(cs.PaymentIntent), cs.ID, string(cs.Invoice))
	if cs.Subscription != "" {
		aliases = append(aliases, "sub:"+string(cs.Subscription))
	}
	in := store.ConversionInput{
		OrderID:       order,
		CustomerID:    customer,
		CustomerEmail: email,
		Amount:        amount,
		Currency:      currency,
		Kind:          store.KindSale,
		ClickID:       strings.TrimSpace(cs.ClientReferenceID),
		Aliases:       without(aliases, order),
	}
	return s.stripeConversion(p, in)
}

// stripeInvoice records a paid invoice: the first invoice of a subscription
// (or a one-off invoice) as a sale, later ones as renewals.
func (s *Server) stripeInvoice(p *store.Program, inv *invoice) (stripeOutcome, error) {
	if inv.ID == "" {
		return stripeOutcome{}, fmt.Errorf("%w: invoice without id", errStripePayload)
	}
	if inv.AmountPaid <= 0 {
		return stripeOutcome{ignored: "invoice paid nothing"}, nil
	}
	amount, currency, err := stripeAmount(inv.AmountPaid, inv.Currency)
	if err != nil {
		return stripeOutcome{ignored: err.Error()}, nil
	}
	sub := string(inv.Subscription)
	if sub == "" && inv.Parent != nil && inv.Parent.SubscriptionDetails != nil {
		sub = string(inv.Parent.SubscriptionDetails.Subscription)
	}
	in := store.ConversionInput{
		OrderID:       inv.ID,
		CustomerID:    firstOf(string(inv.Customer), inv.CustomerEmail, inv.ID),
		CustomerEmail: inv.CustomerEmail,
		Amount:        amount,
		Currency:      currency,
		Kind:          store.KindSale,
	}
	if sub != "" && inv.BillingReason != "subscription_create" {
		in.Kind = store.KindRenewal
		// The payment time decides the recurring window; redeliveries
		// carry the same paid_at, so repeats stay identical.
		if inv.StatusTransitions.PaidAt > 0 {
			in.OccurredAt = time.Unix(inv.StatusTransitions.PaidAt, 0).UTC().Format(time.RFC3339)
		}
	}
	in.Aliases = nonEmpty(string(inv.PaymentIntent), string(inv.Charge))
	if inv.Payments != nil {
		for _, pm := range inv.Payments.Data {
			in.Aliases = append(in.Aliases, nonEmpty(string(pm.Payment.PaymentIntent), string(pm.Payment.Charge))...)
		}
	}
	if sub != "" {
		in.Aliases = append(in.Aliases, "sub:"+sub)
	}
	return s.stripeConversion(p, in)
}

func (s *Server) stripeConversion(p *store.Program, in store.ConversionInput) (stripeOutcome, error) {
	if in.Currency != p.Currency {
		return stripeOutcome{ignored: fmt.Sprintf("payment in %s, program currency is %s", in.Currency, p.Currency)}, nil
	}
	in.Provider = "stripe" // invoice and checkout events of one payment may come in either order
	_, created, err := s.st.RecordConversion(p.Slug, in)
	if err != nil {
		return stripeOutcome{}, fmt.Errorf("stripe order %s: %w", in.OrderID, err)
	}
	s.metrics.conversions.WithLabelValues("stripe", result(created)).Inc()
	return stripeOutcome{}, nil
}

// stripeRefund applies a charge's cumulative refunded amount. The refund id
// includes that amount, so each new refund on the charge refunds only the
// difference and a redelivery is a repeat.
func (s *Server) stripeRefund(p *store.Program, ch *charge) (stripeOutcome, error) {
	if ch.ID == "" {
		return stripeOutcome{}, fmt.Errorf("%w: charge without id", errStripePayload)
	}
	if ch.AmountRefunded <= 0 {
		return stripeOutcome{ignored: "nothing refunded"}, nil
	}
	amount, currency, err := stripeAmount(ch.AmountRefunded, ch.Currency)
	if err != nil {
		return stripeOutcome{ignored: err.Error()}, nil
	}
	if currency != p.Currency {
		return stripeOutcome{ignored: fmt.Sprintf("refund in %s, program currency is %s", currency, p.Currency)}, nil
	}
	refundID := "stripe:" + ch.ID + ":" + strconv.FormatInt(ch.AmountRefunded, 10)
	// Try each id the order may be known by, in order.
	var lastErr error
	for _, order := range nonEmpty(string(ch.PaymentIntent), string(ch.Invoice), ch.ID) {
		_, created, err := s.st.RecordRefund(p.Slug, store.RefundInput{
			RefundID: refundID, OrderID: order, Amount: amount, Cumulative: true,
		})
		if err == nil {
			s.metrics.refunds.WithLabelValues("stripe", result(created)).Inc()
			return stripeOutcome{}, nil
		}
		lastErr = fmt.Errorf("stripe refund %s of %s: %w", refundID, order, err)
		if !errors.Is(err, store.ErrNotFound) {
			return stripeOutcome{}, lastErr
		}
	}
	return stripeOutcome{}, lastErr
}

// stripeAmount turns an amount in minor units into a decimal string in the
// currency's major unit (JPY has none: 5000 is 5000 yen).
func stripeAmount(minor int64, currency string) (string, string, error) {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	places, ok := store.CurrencyDecimals(currency)
	if !ok {
		return "", "", fmt.Errorf("unknown currency %q", currency)
	}
	if minor <= 0 {
		return "", "", fmt.Errorf("amount %d is not positive", minor)
	}
	return decimal.New(minor, -places).StringFixed(places), currency, nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func nonEmpty(vals ...string) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func without(vals []string, drop string) []string {
	out := vals[:0]
	for _, v := range vals {
		if v != drop {
			out = append(out, v)
		}
	}
	return out
}
