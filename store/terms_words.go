package store

import (
	"fmt"
	"strconv"
	"strings"
)

// CommissionInWords says the program's commission terms as a partner reads
// them on the signup form and page, e.g. "20% of each payment from the
// customers you refer, for as long as they pay. Renewals earn 10%."
func (p *Program) CommissionInWords() string {
	rate := func(r Rate) string {
		if r.Percent {
			return r.Value.String() + "%"
		}
		return FormatMoney(r.Value, p.Currency) + " " + p.Currency
	}
	var b strings.Builder
	plan := p.Plan
	switch {
	case len(plan.Tiers) == 0 && plan.Base.Percent:
		b.WriteString(rate(plan.Base) + " of each payment from the customers you refer")
	case len(plan.Tiers) == 0:
		b.WriteString(rate(plan.Base) + " per payment from the customers you refer")
	default:
		b.WriteString(rate(plan.Base) + " of each payment from your first " +
			strconv.Itoa(plan.Tiers[0].From-1) + " paying customers")
		for _, t := range plan.Tiers {
			b.WriteString(", " + rate(t.Rate) + " from your " + nthWord(t.From) + " customer on")
		}
	}
	switch {
	case p.RecurringMonths == 0:
		b.WriteString(", on their first payment only.")
	case p.RecurringMonths < 0:
		b.WriteString(", for as long as they pay.")
	case p.RecurringMonths == 1:
		b.WriteString(", on their payments in the first month.")
	default:
		fmt.Fprintf(&b, ", on their payments in the first %d months.", p.RecurringMonths)
	}
	if p.RenewalRate != nil && p.RecurringMonths != 0 {
		b.WriteString(" Renewals earn " + rate(*p.RenewalRate) + ".")
	}
	return b.String()
}

// PayoutTermsInWords says the cookie lifetime, hold period and minimum
// payout in one sentence.
func (p *Program) PayoutTermsInWords() string {
	hold := "Commissions are approved right away"
	if p.HoldDays > 0 {
		hold = fmt.Sprintf("Commissions are approved after a %d-day hold", p.HoldDays)
	}
	return fmt.Sprintf("Referrals count for %s after the click. %s and paid once you are owed at least %s %s.",
		plural(p.CookieDays, "day"), hold, FormatMoney(p.MinPayout, p.Currency), p.Currency)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
