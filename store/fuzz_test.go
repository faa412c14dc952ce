package store_test

import (
	"errors"
	"regexp"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/affogato-sh/affogato/store"
)

// Fuzz targets for the text parsers every front door shares. Without -fuzz
// they run over their seed corpus as ordinary tests; to fuzz one:
//
//	go test -run XXX -fuzz FuzzParsePlan -fuzztime 20s ./store/

// fuzzCurrencies seed the currency argument: 0, 2, 3 and 4 decimals, and
// codes that are not ISO 4217 (or not upper case).
var fuzzCurrencies = []string{"USD", "JPY", "KWD", "CLF", "EUR", "usd", "XXX", ""}

// plainAmount is the only text ParseAmount may accept: digits with at most
// one dot between digits; no sign, exponent, spaces or separators.
var plainAmount = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// requireInvalid fails unless err wraps store.ErrInvalid.
func requireInvalid(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("%s: error %q (%T) does not wrap store.ErrInvalid", what, err, err)
	}
}

// fitsCurrency reports whether d has at most the currency's decimals (by
// value: 10.500 is 10.5); unknown currencies do not limit decimals.
func fitsCurrency(d decimal.Decimal, currency string) bool {
	if !store.ValidCurrency(currency) {
		return true
	}
	return store.RoundMoney(d, currency).Equal(d)
}

// checkRate checks the invariants of a parsed rate.
func checkRate(t *testing.T, what string, r store.Rate, currency string) {
	t.Helper()
	if r.Value.Sign() < 0 {
		t.Fatalf("%s: negative rate %s", what, r)
	}
	if r.Percent && r.Value.GreaterThan(decimal.NewFromInt(100)) {
		t.Fatalf("%s: percentage %s above 100%%", what, r)
	}
	if !r.Percent && !fitsCurrency(r.Value, currency) {
		t.Fatalf("%s: fixed rate %s has more decimals than %s allows", what, r.Value, currency)
	}
}

func sameRate(a, b store.Rate) bool { return a.Percent == b.Percent && a.Value.Equal(b.Value) }

func FuzzParsePlan(f *testing.F) {
	seeds := []string{
		"20%", " 12.5% ", "25.00", "500", "0%", "100%", "100.0%", "0", "0.00",
		"20%; 10:25%; 25:30%", "20%;10:25%", "10.00; 5:12.50; 10:15%", "20% ; 2 : 30% ",
		"", " ", ";", "20%;", "20%; 10", "20%; 1:25%", "20%; 10:25%; 10:30%", "20%; 5:25%; 3:30%",
		"20%; x:25%", "20%; +10:25%", "20%; 010:25%", "20%; 1000001:25%", "20%; 10:", "20%; :25%",
		"101%", "-1%", "-0%", "-0", "-0.00", "1e2", "1e2%", "0x10", "+5", "5.", ".5", "5.5.5",
		"25.001", "1.5", "12.3456%", "%", "%%", "20 %", "20%%", "２０%", "20%;10:25%;",
		"1234567890123456789012345678901234567890", "0.000000000000000000000000000000000000001%",
	}
	for i, s := range seeds {
		f.Add(s, fuzzCurrencies[i%len(fuzzCurrencies)])
	}
	f.Add("500; 10:600", "JPY")
	f.Add("500.5", "JPY")
	f.Add("1.234; 2:1.235", "KWD")
	f.Add("1.2345", "CLF")
	f.Fuzz(func(t *testing.T, text, currency string) {
		p, err := store.ParsePlan(text, currency)
		if err != nil {
			requireInvalid(t, "ParsePlan", err)
			return
		}
		checkRate(t, "base", p.Base, currency)
		prev := 1
		for _, tier := range p.Tiers {
			if tier.From <= prev {
				t.Fatalf("ParsePlan(%q): tier counts %d after %d do not increase from 2", text, tier.From, prev)
			}
			prev = tier.From
			checkRate(t, "tier", tier.Rate, currency)
		}
		s := p.String()
		q, err := store.ParsePlan(s, currency)
		if err != nil {
			t.Fatalf("ParsePlan(%q) = %q, which does not parse again: %v", text, s, err)
		}
		if q.String() != s {
			t.Fatalf("ParsePlan(%q) = %q, which parses again to %q", text, s, q.String())
		}
		if !sameRate(p.Base, q.Base) || len(p.Tiers) != len(q.Tiers) || p.Kind() != q.Kind() {
			t.Fatalf("ParsePlan(%q) = %+v, re-parsed from %q to %+v", text, p, s, q)
		}
		for i := range p.Tiers {
			if p.Tiers[i].From != q.Tiers[i].From || !sameRate(p.Tiers[i].Rate, q.Tiers[i].Rate) {
				t.Fatalf("ParsePlan(%q): tier %d %+v re-parsed as %+v", text, i, p.Tiers[i], q.Tiers[i])
			}
		}
	})
}

func FuzzParseAmount(f *testing.F) {
	seeds := []string{
		"49.90", "1", "0.01", "100", "10.000", "10.001", "0.5", "0", "0.00", "-1", "-0", "+1",
		"1e3", "1E3", ".5", "5.", "1.2.3", " 1", "1 ", "", "-", ".", "1,000.00", "0x1f", "NaN", "Inf",
		"٣", "１", "00001.10", "99999999999999999999999999999999999999.9",
		"1234567890123456789012345678901234567890", "0.000000000000000000000000000000000000001",
	}
	for i, s := range seeds {
		f.Add(s, fuzzCurrencies[i%len(fuzzCurrencies)])
	}
	f.Add("500", "JPY")
	f.Add("500.0", "JPY")
	f.Add("500.5", "JPY")
	f.Add("1.234", "KWD")
	f.Add("1.2345", "KWD")
	f.Add("1.2345", "CLF")
	f.Fuzz(func(t *testing.T, s, currency string) {
		d, err := store.ParseAmount(s, currency)
		if err != nil {
			requireInvalid(t, "ParseAmount", err)
			if !d.IsZero() {
				t.Fatalf("ParseAmount(%q, %q) failed but returned %s", s, currency, d)
			}
			return
		}
		if !store.ValidCurrency(currency) {
			t.Fatalf("ParseAmount(%q, %q) accepted an unknown currency", s, currency)
		}
		if d.Sign() <= 0 {
			t.Fatalf("ParseAmount(%q, %q) = %s, not positive", s, currency, d)
		}
		if !plainAmount.MatchString(s) {
			t.Fatalf("ParseAmount(%q, %q) = %s: accepted text that is not a plain decimal", s, currency, d)
		}
		if r := store.RoundMoney(d, currency); !r.Equal(d) {
			t.Fatalf("ParseAmount(%q, %q) = %s, but RoundMoney gives %s", s, currency, d, r)
		}
		places, _ := store.CurrencyDecimals(currency)
		if !d.Equal(d.Round(places)) {
			t.Fatalf("ParseAmount(%q, %q) = %s has more than %d decimals", s, currency, d, places)
		}
		// The amount travels as text: its canonical forms parse back to it.
		for _, text := range []string{d.String(), store.FormatMoney(d, currency)} {
			e, err := store.ParseAmount(text, currency)
			if err != nil || !e.Equal(d) {
				t.Fatalf("ParseAmount(%q, %q) = %s, whose text %q parses to %s, %v", s, currency, d, text, e, err)
			}
		}
	})
}

func FuzzParseRate(f *testing.F) {
	seeds := []string{
		"20%", " 12.5% ", "25.00", "0", "0%", "100%", "100.00001%", "-5%", "-0%", "5 %", "%", "",
		"25.001", "1e2", "1e2%", "+3%", ".5%", "5.%", "abc", "20%%", "12,5%", "500.5", "-0.00",
	}
	for i, s := range seeds {
		f.Add(s, fuzzCurrencies[i%len(fuzzCurrencies)])
	}
	f.Add("500", "JPY")
	f.Add("1.234", "KWD")
	f.Fuzz(func(t *testing.T, text, currency string) {
		r, err := store.ParseRate(text, currency)
		if err != nil {
			requireInvalid(t, "ParseRate", err)
			return
		}
		checkRate(t, "ParseRate("+text+")", r, currency)
		s := r.String()
		q, err := store.ParseRate(s, currency)
		if err != nil {
			t.Fatalf("ParseRate(%q) = %q, which does not parse again: %v", text, s, err)
		}
		if !sameRate(r, q) || q.String() != s {
			t.Fatalf("ParseRate(%q) = %q, which parses again to %q", text, s, q.String())
		}
	})
}

func FuzzParseRecurring(f *testing.F) {
	for _, s := range []string{
		"forever", "FOREVER", " Forever ", "", "0", "1", "12", "1200", "1201", "-1", "+5", "007",
		"1.5", "1e3", "never", "９", "99999999999999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		n, err := store.ParseRecurring(text)
		if err != nil {
			requireInvalid(t, "ParseRecurring", err)
			return
		}
		if n != store.Forever && (n < 0 || n > 1200) {
			t.Fatalf("ParseRecurring(%q) = %d, neither forever nor 0..1200", text, n)
		}
		s := store.FormatRecurring(n)
		m, err := store.ParseRecurring(s)
		if err != nil || m != n {
			t.Fatalf("ParseRecurring(%q) = %d, whose text %q parses to %d, %v", text, n, s, m, err)
		}
	})
}
