package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Rate is one commission rate: a percentage of the payment or a fixed
// amount in the program currency.
type Rate struct {
	Percent bool            `json:"percent"`
	Value   decimal.Decimal `json:"value"`
}

// String renders the rate as it is typed: "20%" or "25.00".
func (r Rate) String() string {
	if r.Percent {
		return r.Value.String() + "%"
	}
	return r.Value.String()
}

// Tier switches to Rate from the partner's From-th referred paying customer.
type Tier struct {
	From int  `json:"from"`
	Rate Rate `json:"rate"`
}

// Plan is a commission plan: a base rate and optional tiers by the number of
// referred paying customers. Its text form is "20%", "25.00" or
// "20%; 10:25%; 25:30%".
type Plan struct {
	Base  Rate   `json:"base"`
	Tiers []Tier `json:"tiers,omitempty"`
}

// Forever is the RecurringMonths value for commissions on every payment.
const Forever = -1

// Kind names the plan's shape: percentage, fixed or tiered.
func (p Plan) Kind() string {
	switch {
	case len(p.Tiers) > 0:
		return "tiered"
	case p.Base.Percent:
		return "percentage"
	default:
		return "fixed"
	}
}

// String renders the plan in the text form ParsePlan reads.
func (p Plan) String() string {
	parts := []string{p.Base.String()}
	for _, t := range p.Tiers {
		parts = append(parts, strconv.Itoa(t.From)+":"+t.Rate.String())
	}
	return strings.Join(parts, "; ")
}

// RateFor returns the rate for a payment made when the partner has
// customers referred paying customers (the paying customer included).
func (p Plan) RateFor(customers int) Rate {
	r := p.Base
	for _, t := range p.Tiers {
		if customers >= t.From {
			r = t.Rate
		}
	}
	return r
}

// ParsePlan reads a commission plan's text. Every front door uses it, so a
// malformed plan gets the same clear message everywhere.
func ParsePlan(text, currency string) (Plan, error) {
	var p Plan
	text = strings.TrimSpace(text)
	if text == "" {
		return p, invalid("commission", "empty plan: give a rate such as 20% or 25.00")
	}
	parts := strings.Split(text, ";")
	base, err := ParseRate(parts[0], currency)
	if err != nil {
		return p, err
	}
	p.Base = base
	prev := 1
	for _, part := range parts[1:] {
		part = strings.TrimSpace(part)
		from, rate, ok := strings.Cut(part, ":")
		if !ok {
			return Plan{}, invalid("commission", fmt.Sprintf("tier %q must look like COUNT:RATE, e.g. 10:25%%", part))
		}
		n, err := strconv.Atoi(strings.TrimSpace(from))
		if err != nil || n < 2 || n > 1_000_000 {
			return Plan{}, invalid("commission", fmt.Sprintf("tier %q: the customer count must be a whole number from 2", part))
		}
		if n <= prev {
			return Plan{}, invalid("commission", fmt.Sprintf("tier %q: customer counts must increase", part))
		}
		prev = n
		r, err := ParseRate(rate, currency)
		if err != nil {
			return Plan{}, err
		}
		p.Tiers = append(p.Tiers, Tier{From: n, Rate: r})
	}
	return p, nil
}

// ParseRate reads one rate: "20%", "12.5%" or a fixed amount "25.00".
func ParseRate(text, currency string) (Rate, error) {
	text = strings.TrimSpace(text)
	if strings.HasSuffix(text, "%") {
		num := strings.TrimSpace(strings.TrimSuffix(text, "%"))
		d, err := parseDecimalStrict(num)
		if err != nil || d.Sign() < 0 || d.GreaterThan(decimal.NewFromInt(100)) {
			return Rate{}, invalid("commission", fmt.Sprintf("%q is not a percentage from 0%% to 100%%", text))
		}
		return Rate{Percent: true, Value: d}, nil
	}
	if text == "" {
		return Rate{}, invalid("commission", "missing rate: give 20% or 25.00")
	}
	d, err := ParseMoney(text, currency)
	if err != nil {
		return Rate{}, invalid("commission", fmt.Sprintf("%q is neither a percentage (20%%) nor an amount (25.00): %v", text, err))
	}
	return Rate{Value: d}, nil
}

// ParseRecurring reads --recurring-months: a whole number of months (0 =
// first payment only) or "forever".
func ParseRecurring(text string) (int, error) {
	text = strings.TrimSpace(strings.ToLower(text))
	if text == "forever" || text == "" {
		return Forever, nil
	}
	n, err := strconv.Atoi(text)
	if err != nil || n < 0 || n > 1200 {
		return 0, invalid("recurring-months", fmt.Sprintf("%q must be a number of months from 0 or \"forever\"", text))
	}
	return n, nil
}

// FormatRecurring is the text form of a RecurringMonths value.
func FormatRecurring(n int) string {
	if n < 0 {
		return "forever"
	}
	return strconv.Itoa(n)
}

// AddMonths adds n calendar months to t, clamping to the last day of the
// target month (Jan 31 + 1 month = Feb 28 or 29), as billing systems do.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}

// Payment is what the plan needs to know about one payment to rate it.
type Payment struct {
	Amount       decimal.Decimal
	Currency     string
	Renewal      bool      // kind "renewal"
	Customers    int       // partner's referred paying customers, this one included
	FirstPayment time.Time // the customer's first payment (zero = this one)
	At           time.Time
}

// Terms is a plan with its recurring rules.
type Terms struct {
	Plan            Plan
	RecurringMonths int   // Forever, 0 = first payment only, or N months
	RenewalRate     *Rate // optional own rate for renewals
}

// Commission rates one payment: the commission rounded once to the
// currency's minor units (half away from zero), whether it earns at all, and
// the rule applied (for the record).
func (t Terms) Commission(p Payment) (decimal.Decimal, bool, string) {
	first := p.FirstPayment.IsZero() || !p.At.After(p.FirstPayment)
	if !first && t.RecurringMonths != Forever {
		end := AddMonths(p.FirstPayment, t.RecurringMonths)
		if !p.At.Before(end) {
			return decimal.Zero, false, fmt.Sprintf("outside the %d-month recurring window", t.RecurringMonths)
		}
	}
	rate := t.Plan.RateFor(p.Customers)
	rule := t.Plan.Kind() + " " + rate.String()
	if p.Renewal && t.RenewalRate != nil {
		rate = *t.RenewalRate
		rule = "renewal " + rate.String()
	}
	return rateAmount(rate, p.Amount, p.Currency), true, rule
}

func rateAmount(r Rate, amount decimal.Decimal, currency string) decimal.Decimal {
	if !r.Percent {
		return RoundMoney(r.Value, currency)
	}
	return RoundMoney(amount.Mul(r.Value).Shift(-2), currency)
}
