package store

import "time"

// ConversionView is a conversion with its commission as scripts see it:
// the conversion API's answer and `conversion list --json` (SPEC 8). Money
// is a decimal string in the program currency; partner_id and commission
// are null when there are none. The customer's email is left out (partners
// list their own conversions too).
type ConversionView struct {
	ID         uint64          `json:"id"`
	Program    string          `json:"program"`
	OrderID    string          `json:"order_id"`
	CustomerID string          `json:"customer_id"`
	Amount     string          `json:"amount"`
	Currency   string          `json:"currency"`
	Kind       string          `json:"kind"`
	Attributed bool            `json:"attributed"`
	PartnerID  *uint64         `json:"partner_id"`
	Via        string          `json:"via,omitempty"`
	ClickID    uint64          `json:"click_id,omitempty"`
	Refunded   string          `json:"refunded"`
	OccurredAt time.Time       `json:"occurred_at"`
	Commission *CommissionLine `json:"commission"`
	// Warnings name request values the ledger did not know, such as
	// "unknown click_id" (never null).
	Warnings []string `json:"warnings"`
	// AttributedBy is the user who attributed the conversion by hand.
	AttributedBy uint64 `json:"attributed_by,omitempty"`
}

// CommissionLine is the commission inside a ConversionView.
type CommissionLine struct {
	ID     uint64   `json:"id"`
	Amount string   `json:"amount"`
	Status string   `json:"status"`
	Flags  []string `json:"flags"` // never null
	// Reversed is the part reversed by refunds; Net what is left of it.
	Reversed string `json:"reversed"`
	Net      string `json:"net"`
}

// View renders the result as a ConversionView.
func (r *ConversionResult) View() ConversionView {
	c := r.Conversion
	v := ConversionView{
		ID: c.ID, Program: c.Program, OrderID: c.OrderID, CustomerID: c.CustomerID,
		Amount: FormatMoney(c.Amount, c.Currency), Currency: c.Currency, Kind: c.Kind,
		Attributed: c.Attributed, Via: c.Via, ClickID: c.ClickID,
		Refunded: FormatMoney(c.Refunded, c.Currency), OccurredAt: c.OccurredAt.UTC(),
		Warnings: append([]string{}, c.Warnings...),
	}
	if c.Manual != nil {
		v.AttributedBy = c.Manual.By
	}
	if c.Attributed && c.PartnerID != 0 {
		id := c.PartnerID
		v.PartnerID = &id
	}
	if m := r.Commission; m != nil {
		v.Commission = &CommissionLine{ID: m.ID, Amount: FormatMoney(m.Amount, m.Currency), Status: m.Status,
			Flags: append([]string{}, m.Flags...), Reversed: FormatMoney(m.Reversed, m.Currency),
			Net: FormatMoney(m.Net(), m.Currency)}
	}
	return v
}
