package tracker

import (
	"github.com/prometheus/client_golang/prometheus"
	"net/http"
	"strings"
	"time"

	"github.com/affogato-sh/affogato/store"
)

// Longest ids accepted: order, customer, refund and click ids; referral
// codes and coupons.
const (
	maxID  = 200
	maxRef = 100
)

// conversions serves POST /api/v1/conversions.
func (s *Server) conversions(w http.ResponseWriter, r *http.Request) {
	apiWrite(s, w, r, "conversion", s.metrics.conversions, parseConversion,
		func(p *store.Program, in store.ConversionInput) (any, bool, error) {
			res, created, err := s.st.RecordConversion(p.Slug, in)
			if err != nil {
				return nil, false, err
			}
			return res.View(), created, nil
		})
}

// apiWrite serves an authenticated API write: it reads and parses the body,
// applies it through the store, and answers 201 when it was created or 200
// with the same body when it was seen before.
func apiWrite[In any](s *Server, w http.ResponseWriter, r *http.Request, what string, count *prometheus.CounterVec,
	parse func([]byte, *store.Program) (In, error), apply func(*store.Program, In) (any, bool, error)) {
	p := s.authenticate(w, r)
	if p == nil {
		return
	}
	body, rerr := readBody(w, r, maxAPIBody)
	if rerr != nil {
		rerr.write(w)
		return
	}
	in, err := parse(body, p)
	if err != nil {
		s.fail(w, "parse "+what, err)
		return
	}
	view, created, err := apply(p, in)
	if err != nil {
		s.storeError(w, "record "+what, err)
		return
	}
	count.WithLabelValues("api", result(created)).Inc()
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, view)
}

// parseConversion reads and validates a conversion request for program p.
// Everything the store would refuse as malformed is refused here first.
func parseConversion(body []byte, p *store.Program) (store.ConversionInput, error) {
	var in store.ConversionInput
	f, rerr := jsonObject(body)
	if rerr != nil {
		return in, rerr
	}
	if rerr := f.only(conversionFields); rerr != nil {
		return in, rerr
	}
	var currency string
	for _, m := range []struct {
		name     string
		dst      *string
		numberOK bool
		max      int
		required bool
	}{
		{"order_id", &in.OrderID, true, maxID, true},
		{"customer_id", &in.CustomerID, true, maxID, true},
		{"amount", &in.Amount, true, 64, true},
		{"currency", &currency, false, 8, false},
		{"kind", &in.Kind, false, 16, false},
		{"click_id", &in.ClickID, true, maxID, false},
		{"ref", &in.Ref, false, maxRef, false},
		{"coupon", &in.Coupon, false, maxRef, false},
		{"customer_email", &in.CustomerEmail, false, 254, false},
		{"occurred_at", &in.OccurredAt, false, 64, false},
	} {
		v, rerr := f.str(m.name, m.numberOK)
		if rerr != nil {
			return in, rerr
		}
		v = strings.TrimSpace(v)
		if rerr := checkText(m.name, v, m.max, m.required); rerr != nil {
			return in, rerr
		}
		*m.dst = v
	}
	if currency == "" {
		currency = p.Currency
	}
	in.Currency = strings.ToUpper(currency)
	if in.Currency != p.Currency {
		return in, unprocessable("currency %s is not the program currency %s", currency, p.Currency)
	}
	if _, err := store.ParseAmount(in.Amount, in.Currency); err != nil {
		return in, unprocessable("%v", err)
	}
	switch in.Kind {
	case "":
		in.Kind = store.KindSale
	case store.KindSale, store.KindRenewal:
	default:
		return in, unprocessable("kind %q must be %q or %q", in.Kind, store.KindSale, store.KindRenewal)
	}
	if in.OccurredAt != "" {
		if _, err := time.Parse(time.RFC3339, in.OccurredAt); err != nil {
			return in, unprocessable("occurred_at %q is not an RFC 3339 time such as 2025-01-31T12:00:00Z", in.OccurredAt)
		}
	}
	if in.CustomerEmail != "" && !strings.Contains(in.CustomerEmail, "@") {
		return in, unprocessable("customer_email %q is not an email address", in.CustomerEmail)
	}
	return in, nil
}
