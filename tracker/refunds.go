package tracker

import (
	"net/http"
	"strings"

	"github.com/affogato-sh/affogato/store"
)

// refundJSON is a refund as the API answers it.
type refundJSON struct {
	RefundID     string `json:"refund_id"`
	OrderID      string `json:"order_id"`
	ConversionID uint64 `json:"conversion_id"`
	Amount       string `json:"amount"`
	Reversed     string `json:"reversed"` // commission reversed by it
	Clawback     string `json:"clawback"` // of that, owed back after payment
}

func refundView(rf *store.Refund, currency string) refundJSON {
	return refundJSON{
		RefundID:     rf.ID,
		OrderID:      rf.OrderID,
		ConversionID: rf.ConversionID,
		Amount:       store.FormatMoney(rf.Amount, currency),
		Reversed:     store.FormatMoney(rf.Reversed, currency),
		Clawback:     store.FormatMoney(rf.Clawback, currency),
	}
}

// refunds serves POST /api/v1/refunds.
func (s *Server) refunds(w http.ResponseWriter, r *http.Request) {
	apiWrite(s, w, r, "refund", s.metrics.refunds, parseRefund,
		func(p *store.Program, in store.RefundInput) (any, bool, error) {
			rf, created, err := s.st.RecordRefund(p.Slug, in)
			if err != nil {
				return nil, false, err
			}
			return refundView(rf, p.Currency), created, nil
		})
}

// parseRefund reads and validates a refund request for program p.
func parseRefund(body []byte, p *store.Program) (store.RefundInput, error) {
	var in store.RefundInput
	f, rerr := jsonObject(body)
	if rerr != nil {
		return in, rerr
	}
	if rerr := f.only(refundFields); rerr != nil {
		return in, rerr
	}
	for _, m := range []struct {
		name     string
		dst      *string
		max      int
		required bool
	}{
		{"refund_id", &in.RefundID, maxID, true},
		{"order_id", &in.OrderID, maxID, true},
		{"amount", &in.Amount, 64, false},
	} {
		v, rerr := f.str(m.name, true)
		if rerr != nil {
			return in, rerr
		}
		v = strings.TrimSpace(v)
		if rerr := checkText(m.name, v, m.max, m.required); rerr != nil {
			return in, rerr
		}
		*m.dst = v
	}
	if in.Amount != "" {
		if _, err := store.ParseAmount(in.Amount, p.Currency); err != nil {
			return in, unprocessable("%v", err)
		}
	}
	return in, nil
}
