package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// printPublicProgram prints what a partner (or anyone who may join) reads
// of a program: its terms, never its secrets, API key, team or partners.
func (e *cmdEnv) printPublicProgram(p *store.Program) {
	e.printf("%s (%s)\n\n", sanitize.Line(p.Name), p.Slug)
	rows := [][]string{
		{"website", p.URL},
		{"commission", p.CommissionInWords()},
		{"cookie", strconv.Itoa(p.CookieDays) + " days after the click"},
		{"hold", strconv.Itoa(p.HoldDays) + " days before a commission is approved"},
		{"min payout", money(p.MinPayout, p.Currency)},
		{"attribution", p.Attribution},
		{"paid ads", paidAds(p)},
	}
	if len(p.Domains) > 0 {
		rows = append(rows, []string{"link targets", strings.Join(append([]string{hostOf(p.URL)}, p.Domains...), ", ")})
	}
	e.pairs(rows)
	e.printWelcomeTerms(p)
}

// printWelcomeTerms prints a program's welcome text and terms, when it
// has them, under the program's settings (program show, program info).
func (e *cmdEnv) printWelcomeTerms(p *store.Program) {
	if p.Welcome != "" {
		e.printf("\nwelcome:\n%s\n", indent(sanitize.Text(p.Welcome), "  "))
	}
	if p.Terms != "" {
		e.printf("\nterms:\n%s\n", indent(sanitize.Text(p.Terms), "  "))
	}
}

// hostOf is the host part of a URL ("" when there is none).
func hostOf(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	return host
}

// warnBareRates warns, on stderr, when a commission plan's text has a bare
// whole number: it means a fixed amount per sale, which may be a
// percentage whose "%" was forgotten. fix is the command that sets the
// plan ("program set SLUG commission"). The command still did what was
// asked.
func (e *cmdEnv) warnBareRates(fix, text, currency string) {
	bare := store.BareFixedRates(text)
	if len(bare) == 0 {
		return
	}
	n, err := strconv.ParseInt(bare[0], 10, 64)
	if err != nil {
		return
	}
	fmt.Fprintf(e.errw, "warning: %s means %s %s per sale (a fixed amount), not %s%%. If you meant a percentage, run:\n    %s %s %s\n",
		bare[0], store.FormatMoney(decimal.NewFromInt(n), currency), currency, bare[0], e.srv.sshHint(), fix, sshArg(withPercents(text)))
}

// withPercents is a plan's text with every bare whole-number rate made a
// percentage: "20; 10:30" → "20%; 10:30%".
func withPercents(text string) string {
	parts := strings.Split(text, ";")
	for i, part := range parts {
		from, rate, tiered := strings.Cut(part, ":")
		if !tiered {
			from, rate = "", part
		}
		r := strings.TrimSpace(rate)
		if len(store.BareFixedRates(r)) == 1 {
			r += "%"
		}
		if tiered {
			r = strings.TrimSpace(from) + ":" + r
		}
		parts[i] = r
	}
	return strings.Join(parts, "; ")
}

// publicProgramJSON is program show --json for a partner: the program's
// terms, nothing else.
type publicProgramJSON struct {
	Slug            string   `json:"slug"`
	Name            string   `json:"name"`
	URL             string   `json:"url"`
	Currency        string   `json:"currency"`
	Commission      string   `json:"commission"`       // as typed: "20%", "25.00"
	CommissionText  string   `json:"commission_text"`  // "25.00 USD per sale"
	CommissionTerms string   `json:"commission_terms"` // in words
	RecurringMonths string   `json:"recurring_months"`
	RenewalRate     string   `json:"renewal_rate"`
	CookieDays      int      `json:"cookie_days"`
	HoldDays        int      `json:"hold_days"`
	MinPayout       string   `json:"min_payout"`
	Attribution     string   `json:"attribution"`
	PaidAds         string   `json:"paid_ads"`
	Domains         []string `json:"domains"`
	Welcome         string   `json:"welcome"`
	Terms           string   `json:"terms"`
}

func renderPublicProgram(p *store.Program) publicProgramJSON {
	j := publicProgramJSON{Slug: p.Slug, Name: p.Name, URL: p.URL, Currency: p.Currency, Commission: p.Plan.String(),
		CommissionText: store.PlanText(p.Plan, p.Currency), CommissionTerms: p.CommissionInWords(),
		RecurringMonths: store.FormatRecurring(p.RecurringMonths), CookieDays: p.CookieDays, HoldDays: p.HoldDays,
		MinPayout: store.FormatMoney(p.MinPayout, p.Currency), Attribution: p.Attribution, PaidAds: paidAds(p),
		Domains: nonNil(p.Domains), Welcome: p.Welcome, Terms: p.Terms}
	if p.RenewalRate != nil {
		j.RenewalRate = p.RenewalRate.String()
	}
	return j
}
