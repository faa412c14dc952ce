package cli

import (
	"time"

	"github.com/affogato-sh/affogato/store"
)

// JSON shapes of the commands' --json output (SPEC section 8). Ids are
// numbers, money is a decimal string in the program currency.

// programJSON is program create/show/set/list output. APIKey is only set
// by create and apikey --rotate; secrets are shown as "set" or "".
type programJSON struct {
	Slug            string            `json:"slug"`
	Name            string            `json:"name"`
	URL             string            `json:"url"`
	Currency        string            `json:"currency"`
	Commission      string            `json:"commission"`
	CommissionText  string            `json:"commission_text"` // for people: "25.00 USD per sale"
	CookieDays      int               `json:"cookie_days"`
	HoldDays        int               `json:"hold_days"`
	MinPayout       string            `json:"min_payout"`
	APIKey          string            `json:"api_key,omitempty"`
	APIKeyHint      string            `json:"api_key_hint"`
	RecurringMonths string            `json:"recurring_months"`
	RenewalRate     string            `json:"renewal_rate"`
	Attribution     string            `json:"attribution"`
	AutoApprove     bool              `json:"auto_approve"`
	Listed          bool              `json:"listed"`
	Domains         []string          `json:"domains"`
	Accent          string            `json:"accent"`
	Welcome         string            `json:"welcome"`
	Terms           string            `json:"terms"`
	PaidAds         string            `json:"paid_ads"`
	Secrets         map[string]string `json:"secrets"`
	Admins          []uint64          `json:"admins"`
	CreatedAt       time.Time         `json:"created_at"`
	PayoutSchedule  string            `json:"payout_schedule"`  // off | weekly | monthly
	PayoutAutoSend  bool              `json:"payout_auto_send"` // send scheduled batches through the provider
}

func renderProgram(p *store.Program, apiKey string) programJSON {
	j := programJSON{
		Slug:            p.Slug,
		Name:            p.Name,
		URL:             p.URL,
		Currency:        p.Currency,
		Commission:      p.Plan.String(),
		CommissionText:  store.PlanText(p.Plan, p.Currency),
		CookieDays:      p.CookieDays,
		HoldDays:        p.HoldDays,
		MinPayout:       store.FormatMoney(p.MinPayout, p.Currency),
		APIKey:          apiKey,
		APIKeyHint:      p.APIKeyHint,
		RecurringMonths: store.FormatRecurring(p.RecurringMonths),
		Attribution:     p.Attribution,
		AutoApprove:     p.AutoApprove,
		Listed:          p.Listed,
		Domains:         nonNil(p.Domains),
		Accent:          p.Accent,
		Welcome:         p.Welcome,
		Terms:           p.Terms,
		PaidAds:         paidAds(p),
		Secrets:         secretsSet(p.Secrets),
		Admins:          nonNil(p.Admins),
		CreatedAt:       p.CreatedAt,
		PayoutSchedule:  p.Schedule(),
		PayoutAutoSend:  p.PayoutAutoSend,
	}
	if p.RenewalRate != nil {
		j.RenewalRate = p.RenewalRate.String()
	}
	return j
}

func paidAds(p *store.Program) string {
	if p.ForbidPaidAds {
		return "forbid"
	}
	return "allow"
}

// secretsSet says which provider credentials are set, never what they are.
// Base URLs and the Wise profile id are not secret but are shown the same way.
func secretsSet(s store.ProgramSecrets) map[string]string {
	set := func(v string) string {
		if v == "" {
			return ""
		}
		return "set"
	}
	return map[string]string{
		"stripe_secret":    set(s.StripeSecret),
		"paypal_client_id": set(s.PayPalClientID),
		"paypal_secret":    set(s.PayPalSecret),
		"paypal_base_url":  set(s.PayPalBaseURL),
		"wise_token":       set(s.WiseToken),
		"wise_profile":     set(s.WiseProfile),
		"wise_base_url":    set(s.WiseBaseURL),
	}
}

// joinJSON is join output.
type joinJSON struct {
	Program   string `json:"program"`
	PartnerID uint64 `json:"partner_id"`
	Status    string `json:"status"`
	Code      string `json:"code"`
	Link      string `json:"link"`
	UserID    uint64 `json:"user_id"`
}

// partnerJSON is one row of partner list (and partner approve/… output).
type partnerJSON struct {
	PartnerID uint64    `json:"partner_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Status    string    `json:"status"`
	Code      string    `json:"code"`
	Link      string    `json:"link"`
	Program   string    `json:"program"`
	UserID    uint64    `json:"user_id"`
	Plan      string    `json:"commission"` // own plan; "" = the program's
	Customers int       `json:"customers"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Deps) renderPartner(p *store.Partner) partnerJSON {
	j := partnerJSON{
		PartnerID: p.ID, Name: p.Name, Email: p.Email, Status: p.Status, Code: p.Code,
		Link: s.link(p.Code), Program: p.Program, UserID: p.UserID, Customers: p.Customers,
		CreatedAt: p.CreatedAt,
	}
	if p.Plan != nil {
		j.Plan = p.Plan.String()
	}
	return j
}

// commissionJSON is one row of commission list.
type commissionJSON struct {
	ID           uint64    `json:"id"`
	PartnerID    uint64    `json:"partner_id"`
	ConversionID uint64    `json:"conversion_id"`
	Amount       string    `json:"amount"`
	Status       string    `json:"status"`
	Flags        []string  `json:"flags"`
	Currency     string    `json:"currency"`
	Reversed     string    `json:"reversed"`
	Net          string    `json:"net"`
	Rule         string    `json:"rule"`
	HoldUntil    time.Time `json:"hold_until"`
	BatchID      uint64    `json:"batch_id,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	// The merchant's decision: who, when, past fraud flags, before the
	// hold ended; the partner the order moved to (never shown to partners).
	DecidedBy     uint64     `json:"decided_by,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	OverrodeFlags bool       `json:"overrode_flags,omitempty"`
	EarlyApproval bool       `json:"early_approval,omitempty"`
	MovedTo       uint64     `json:"moved_to,omitempty"`
}

func renderCommission(c *store.Commission) commissionJSON {
	j := commissionJSONBase(c)
	j.DecidedBy, j.OverrodeFlags, j.EarlyApproval, j.MovedTo = c.DecidedBy, c.OverrodeFlags, c.EarlyApproval, c.MovedTo
	if !c.DecidedAt.IsZero() {
		at := c.DecidedAt
		j.DecidedAt = &at
	}
	return j
}

func commissionJSONBase(c *store.Commission) commissionJSON {
	return commissionJSON{
		ID: c.ID, PartnerID: c.PartnerID, ConversionID: c.ConversionID,
		Amount: store.FormatMoney(c.Amount, c.Currency), Status: c.Status, Flags: nonNil(c.Flags),
		Currency: c.Currency, Reversed: store.FormatMoney(c.Reversed, c.Currency),
		Net: store.FormatMoney(c.Net(), c.Currency), Rule: c.Rule, HoldUntil: c.HoldUntil,
		BatchID: c.BatchID, Reason: c.Reason, CreatedAt: c.CreatedAt,
	}
}

// statsJSON is stats output.
type statsJSON struct {
	Clicks       int64  `json:"clicks"`
	UniqueClicks int64  `json:"unique_clicks"`
	Conversions  int64  `json:"conversions"`
	Revenue      string `json:"revenue"`
	// Referred: the conversions attributed to a partner; conversion rate
	// (a fraction, 4 places) and EPC (commission per click) count only them.
	ReferredConversions int64     `json:"referred_conversions"`
	ReferredRevenue     string    `json:"referred_revenue"`
	ConversionRate      string    `json:"conversion_rate"`
	EPC                 string    `json:"epc"`
	Commission          string    `json:"commission"`
	Pending             string    `json:"pending"`
	Approved            string    `json:"approved"`
	InPayout            string    `json:"in_payout"`
	Paid                string    `json:"paid"`
	Clawback            string    `json:"clawback"`
	Program             string    `json:"program"`
	Currency            string    `json:"currency"`
	PartnerID           uint64    `json:"partner_id,omitempty"`
	Days                int       `json:"days"`
	Daily               []dayJSON `json:"daily"`
	Subs                []subJSON `json:"subs"` // campaigns (stats_subs.go)
}

type dayJSON struct {
	Day                 string `json:"day"` // YYYY-MM-DD (UTC)
	Clicks              int64  `json:"clicks"`
	UniqueClicks        int64  `json:"unique_clicks"`
	Conversions         int64  `json:"conversions"`
	Revenue             string `json:"revenue"`
	ReferredConversions int64  `json:"referred_conversions"`
	ReferredRevenue     string `json:"referred_revenue"`
	Commission          string `json:"commission"`
	// That day's commission by its status now, and refunds of paid commission.
	Pending  string `json:"pending"`
	Approved string `json:"approved"`
	InPayout string `json:"in_payout"`
	Paid     string `json:"paid"`
	Clawback string `json:"clawback"`
}

func renderStats(st *store.Stats) statsJSON {
	cur := st.Currency
	j := statsJSON{
		Clicks: st.Clicks, UniqueClicks: st.UniqueClicks, Conversions: st.Conversions,
		Revenue:             store.FormatMoney(st.Revenue, cur),
		ReferredConversions: st.ReferredConversions,
		ReferredRevenue:     store.FormatMoney(st.ReferredRevenue, cur),
		ConversionRate:      st.ConversionRate().StringFixed(4),
		EPC:                 epcText(st),
		Commission:          store.FormatMoney(st.Commission, cur),
		Pending:             store.FormatMoney(st.Balance.Pending, cur),
		Approved:            store.FormatMoney(st.Balance.Approved, cur),
		InPayout:            store.FormatMoney(st.Balance.InPayout, cur),
		Paid:                store.FormatMoney(st.Balance.Paid, cur),
		Clawback:            store.FormatMoney(st.Balance.Clawback, cur),
		Program:             st.Program, Currency: cur, PartnerID: st.PartnerID, Days: st.Days,
		Daily: make([]dayJSON, 0, len(st.Daily)),
	}
	for _, d := range st.Daily {
		j.Daily = append(j.Daily, dayJSON{
			Day: d.Day.UTC().Format(time.DateOnly), Clicks: d.Clicks, UniqueClicks: d.UniqueClicks,
			Conversions: d.Conversions, Revenue: store.FormatMoney(d.Revenue, cur),
			ReferredConversions: d.Referred, ReferredRevenue: store.FormatMoney(d.ReferredRevenue, cur),
			Commission: store.FormatMoney(d.Commission, cur),
			Pending:    store.FormatMoney(d.Status.Pending, cur), Approved: store.FormatMoney(d.Status.Approved, cur),
			InPayout: store.FormatMoney(d.Status.InPayout, cur), Paid: store.FormatMoney(d.Status.Paid, cur),
			Clawback: store.FormatMoney(d.Status.Clawback, cur),
		})
	}
	j.Subs = renderSubs(st)
	return j
}

// payoutJSON is payout create (and export/send/mark-paid) output.
type payoutJSON struct {
	Batch    *uint64          `json:"batch"` // null when payout create found nobody to pay
	Program  string           `json:"program"`
	Status   string           `json:"status"`
	Currency string           `json:"currency"`
	Items    []payoutItemJSON `json:"items"`
	Total    string           `json:"total"`
	Skipped  []skippedJSON    `json:"skipped,omitempty"`
	Provider string           `json:"provider,omitempty"`
	Error    string           `json:"error,omitempty"`
	Created  time.Time        `json:"created_at"`
}

type payoutItemJSON struct {
	ID        uint64 `json:"id"`
	PartnerID uint64 `json:"partner_id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Method    string `json:"method"`
	Amount    string `json:"amount"`
	Currency  string `json:"currency"`
	Status    string `json:"status"`
	Error     string `json:"error,omitempty"`
}

type skippedJSON struct {
	PartnerID uint64 `json:"partner_id"`
	Name      string `json:"name"`
	Balance   string `json:"balance"`
	Reason    string `json:"reason"`
}

func renderBatch(b *store.PayoutBatch, skipped []store.Skipped) payoutJSON {
	id := b.ID
	j := payoutJSON{
		Batch: &id, Program: b.Program, Status: b.Status, Currency: b.Currency,
		Items: make([]payoutItemJSON, 0, len(b.Items)), Total: store.FormatMoney(b.Total, b.Currency),
		Provider: b.Provider, Error: b.Error, Created: b.CreatedAt,
	}
	for _, it := range b.Items {
		j.Items = append(j.Items, payoutItemJSON{
			ID: it.ID, PartnerID: it.PartnerID, Name: it.Name, Email: it.Email, Method: it.Method,
			Amount: store.FormatMoney(it.Amount, it.Currency), Currency: it.Currency,
			Status: it.Status, Error: it.Error,
		})
	}
	for _, sk := range skipped {
		j.Skipped = append(j.Skipped, skippedJSON{
			PartnerID: sk.PartnerID, Name: sk.Name, Balance: store.FormatMoney(sk.Balance, b.Currency), Reason: sk.Reason,
		})
	}
	return j
}

// batchLineJSON is one row of payout list (merchant).
type batchLineJSON struct {
	Batch    uint64    `json:"batch"`
	Status   string    `json:"status"`
	Total    string    `json:"total"`
	Items    int       `json:"items"`
	Currency string    `json:"currency"`
	Created  time.Time `json:"created_at"`
}

// partnerPayoutJSON is one row of payout list for a partner (own history).
type partnerPayoutJSON struct {
	Batch    uint64    `json:"batch"`
	Program  string    `json:"program"`
	Status   string    `json:"status"`
	Amount   string    `json:"amount"`
	Currency string    `json:"currency"`
	Method   string    `json:"method"`
	Date     time.Time `json:"date"`
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// epcText is the EPC with the currency's decimals plus two: "0.0625".
func epcText(st *store.Stats) string {
	places, _ := store.CurrencyDecimals(st.Currency)
	return st.EPC().StringFixed(places + 2)
}
