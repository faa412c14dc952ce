package store

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestAttributionRules pins the outcome of each attribution rule on a
// program with a 7-day cookie lifetime and a 10% plan, two approved
// partners A and B: who earns (or nobody), how (via), the warnings the
// API answers and the commission. Each case starts from an empty program;
// t0 is the first click's time and the payment's offset is from t0.
func TestAttributionRules(t *testing.T) {
	const day = 24 * time.Hour
	type world struct {
		t      *testing.T
		e      *env
		a, b   *Partner
		clicks map[string]*Click // by name: "a", "a2", "b"
		t0     time.Time
	}
	type tc struct {
		name        string
		attribution string // "" is last-click
		// setup clicks and pays before the payment under test; it
		// returns the payment's input (its time is set from pay).
		setup    func(w *world) ConversionInput
		pay      time.Duration // after t0
		partner  string        // "a", "b" or "" (unattributed)
		via      string
		warnings []string
		comm     string // the commission amount ("" for none)
	}
	clickAt := func(w *world, name string, p *Partner, after time.Duration) *Click {
		w.e.clk.Add(w.t0.Add(after).Sub(w.e.clk.Now()))
		c := w.e.click(p, "198.51.100."+fmt.Sprint(len(w.clicks)+1))
		w.clicks[name] = c
		return c
	}
	pay := func(w *world, order string, at time.Duration, in ConversionInput) *ConversionResult {
		t := w.t
		in.OrderID, in.Amount, in.Currency, in.Kind = order, "100.00", "USD", KindSale
		if in.CustomerID == "" {
			in.CustomerID = "cust-" + order
		}
		in.OccurredAt = w.t0.Add(at).Format(time.RFC3339)
		if now := w.e.clk.Now(); now.Before(w.t0.Add(at)) {
			w.e.clk.Add(w.t0.Add(at).Sub(now) + time.Minute)
		}
		r, _, err := w.e.st.RecordConversion("acme", in)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	id := func(c *Click) string { return fmt.Sprint(c.ID) }
	cases := []tc{
		{name: "click id an hour after its click", pay: time.Hour,
			setup: func(w *world) ConversionInput {
				return ConversionInput{ClickID: id(clickAt(w, "a", w.a, 0))}
			}, partner: "a", via: "click", warnings: []string{}, comm: "10"},
		{name: "click id a day before the lifetime ends", pay: 6 * day,
			setup: func(w *world) ConversionInput {
				return ConversionInput{ClickID: id(clickAt(w, "a", w.a, 0))}
			}, partner: "a", via: "click", warnings: []string{}, comm: "10"},
		{name: "click id a second before the lifetime ends", pay: 7*day - time.Second,
			setup: func(w *world) ConversionInput {
				return ConversionInput{ClickID: id(clickAt(w, "a", w.a, 0))}
			}, partner: "a", via: "click", warnings: []string{}, comm: "10"},
		{name: "click id when the lifetime ends", pay: 7 * day,
			setup: func(w *world) ConversionInput {
				return ConversionInput{ClickID: id(clickAt(w, "a", w.a, 0))}
			}, partner: "", warnings: []string{}},
		{name: "click id a day after the lifetime", pay: 8 * day,
			setup: func(w *world) ConversionInput {
				return ConversionInput{ClickID: id(clickAt(w, "a", w.a, 0))}
			}, partner: "", warnings: []string{}},
		{name: "click id of a click after the payment", pay: -time.Hour,
			setup: func(w *world) ConversionInput {
				return ConversionInput{ClickID: id(clickAt(w, "a", w.a, 0))}
			}, partner: "", warnings: []string{}},
		{name: "unknown click id", pay: time.Hour,
			setup: func(w *world) ConversionInput {
				clickAt(w, "a", w.a, 0)
				return ConversionInput{ClickID: "999999"}
			}, partner: "", warnings: []string{WarnUnknownClick}},
		{name: "ref clicked within the lifetime", pay: 6 * day,
			setup: func(w *world) ConversionInput {
				clickAt(w, "a", w.a, 0)
				return ConversionInput{Ref: w.a.Code}
			}, partner: "a", via: "ref", warnings: []string{}, comm: "10"},
		{name: "ref whose last click is within the lifetime", pay: 10 * day,
			setup: func(w *world) ConversionInput {
				clickAt(w, "a", w.a, 0)
				clickAt(w, "a2", w.a, 5*day)
				return ConversionInput{Ref: w.a.Code}
			}, partner: "a", via: "ref", warnings: []string{}, comm: "10"},
		{name: "ref clicked only before the lifetime", pay: 8 * day,
			setup: func(w *world) ConversionInput {
				clickAt(w, "a", w.a, 0)
				return ConversionInput{Ref: w.a.Code}
			}, partner: "", warnings: []string{WarnStaleRef("CODE-A")}},
		{name: "ref clicked only after the payment", pay: -day,
			setup: func(w *world) ConversionInput {
				clickAt(w, "a", w.a, 0)
				return ConversionInput{Ref: w.a.Code}
			}, partner: "", warnings: []string{WarnStaleRef("CODE-A")}},
		{name: "ref never clicked", pay: time.Hour,
			setup: func(w *world) ConversionInput {
				clickAt(w, "b", w.b, 0)
				return ConversionInput{Ref: w.a.Code}
			}, partner: "", warnings: []string{WarnStaleRef("CODE-A")}},
		{name: "unknown ref", pay: time.Hour,
			setup: func(w *world) ConversionInput {
				clickAt(w, "a", w.a, 0)
				return ConversionInput{Ref: "nobody"}
			}, partner: "", warnings: []string{WarnUnknownRef}},
		{name: "stale click id, then a ref clicked within", pay: 8 * day,
			setup: func(w *world) ConversionInput {
				c := clickAt(w, "a", w.a, 0)
				clickAt(w, "b", w.b, 7*day)
				return ConversionInput{ClickID: id(c), Ref: w.b.Code}
			}, partner: "b", via: "ref", warnings: []string{}, comm: "10"},
		{name: "click id wins over ref", pay: time.Hour,
			setup: func(w *world) ConversionInput {
				c := clickAt(w, "a", w.a, 0)
				clickAt(w, "b", w.b, 0)
				return ConversionInput{ClickID: id(c), Ref: w.b.Code}
			}, partner: "a", via: "click", warnings: []string{}, comm: "10"},
		{name: "coupon, whatever the age of any click", pay: 60 * day,
			setup: func(w *world) ConversionInput {
				c := clickAt(w, "a", w.a, 0)
				if _, err := w.e.st.AddCoupon(w.e.admin, "acme", "SAVE10", w.b.ID); err != nil {
					w.t.Fatal(err)
				}
				return ConversionInput{Coupon: "save10", ClickID: id(c), Ref: w.a.Code}
			}, partner: "b", via: "coupon", warnings: []string{WarnStaleRef("CODE-A")}, comm: "10"},
		{name: "bound customer's renewal, long after any click", pay: 90 * day,
			setup: func(w *world) ConversionInput {
				c := clickAt(w, "a", w.a, 0)
				pay(w, "first", time.Hour, ConversionInput{CustomerID: "cust", ClickID: id(c)})
				return ConversionInput{CustomerID: "cust", Kind: KindRenewal}
			}, partner: "a", via: "customer", warnings: []string{}, comm: "10"},
		{name: "bound customer's new sale without a referral", pay: 90 * day,
			setup: func(w *world) ConversionInput {
				c := clickAt(w, "a", w.a, 0)
				pay(w, "first", time.Hour, ConversionInput{CustomerID: "cust", ClickID: id(c)})
				return ConversionInput{CustomerID: "cust"}
			}, partner: "a", via: "customer", warnings: []string{}, comm: "10"},
		{name: "last-click: a bound customer's new sale through another partner's click", pay: 2 * day,
			setup: func(w *world) ConversionInput {
				c := clickAt(w, "a", w.a, 0)
				pay(w, "first", time.Hour, ConversionInput{CustomerID: "cust", ClickID: id(c)})
				return ConversionInput{CustomerID: "cust", ClickID: id(clickAt(w, "b", w.b, day))}
			}, partner: "b", via: "click", warnings: []string{}, comm: "10"},
		{name: "first-click: a bound customer's new sale through another partner's click", attribution: FirstClick, pay: 2 * day,
			setup: func(w *world) ConversionInput {
				c := clickAt(w, "a", w.a, 0)
				pay(w, "first", time.Hour, ConversionInput{CustomerID: "cust", ClickID: id(c)})
				return ConversionInput{CustomerID: "cust", ClickID: id(clickAt(w, "b", w.b, day))}
			}, partner: "a", via: "customer", warnings: []string{}, comm: "10"},
		{name: "first-click: a new customer's sale goes to its click", attribution: FirstClick, pay: 2 * day,
			setup: func(w *world) ConversionInput {
				clickAt(w, "a", w.a, 0)
				return ConversionInput{ClickID: id(clickAt(w, "b", w.b, day))}
			}, partner: "b", via: "click", warnings: []string{}, comm: "10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.program("acme", ProgramInput{CookieDays: intp(7), HoldDays: intp(0), Commission: "10%"})
			if c.attribution != "" {
				if _, err := e.st.SetProgram(e.admin, "acme", "attribution", c.attribution); err != nil {
					t.Fatal(err)
				}
			}
			a, aa := e.partner("acme")
			b, ba := e.partner("acme")
			for _, l := range []struct {
				act  Actor
				code string
			}{{aa, "CODE-A"}, {ba, "CODE-B"}} {
				if _, err := e.st.CreateLink(l.act, "acme", l.code, ""); err != nil {
					t.Fatal(err)
				}
			}
			// The partners' own codes are CODE-A and CODE-B from here on.
			a.Code, b.Code = "CODE-A", "CODE-B"
			w := &world{t: t, e: e, a: a, b: b, clicks: map[string]*Click{}, t0: e.clk.Now()}
			in := c.setup(w)
			r := pay(w, "under-test", c.pay, in)
			got := r.Conversion
			wantID := map[string]uint64{"": 0, "a": a.ID, "b": b.ID}[c.partner]
			if got.Attributed != (c.partner != "") || got.PartnerID != wantID || got.Via != c.via {
				t.Errorf("attributed %v to partner %d via %q, want partner %q (%d) via %q",
					got.Attributed, got.PartnerID, got.Via, c.partner, wantID, c.via)
			}
			if !slices.Equal(got.Warnings, c.warnings) && !(len(got.Warnings) == 0 && len(c.warnings) == 0) {
				t.Errorf("warnings %q, want %q", got.Warnings, c.warnings)
			}
			switch {
			case c.comm == "" && r.Commission != nil:
				t.Errorf("commission %s, want none", r.Commission.Amount)
			case c.comm != "" && (r.Commission == nil || !r.Commission.Amount.Equal(dec(c.comm))):
				t.Errorf("commission %+v, want %s", r.Commission, c.comm)
			}
		})
	}
}
