package store

import (
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestParsePlan(t *testing.T) {
	tests := []struct {
		text, currency, want, kind string
	}{
		{"20%", "USD", "20%", "percentage"},
		{" 12.5% ", "USD", "12.5%", "percentage"},
		{"25.00", "USD", "25", "fixed"},
		{"500", "JPY", "500", "fixed"},
		{"20%; 10:25%; 25:30%", "USD", "20%; 10:25%; 25:30%", "tiered"},
		{"20%;10:25%", "USD", "20%; 10:25%", "tiered"},
		{"5.00; 3:7.50", "EUR", "5; 3:7.5", "tiered"},
	}
	for _, tt := range tests {
		p, err := ParsePlan(tt.text, tt.currency)
		if err != nil {
			t.Fatalf("ParsePlan(%q): %v", tt.text, err)
		}
		if p.String() != tt.want || p.Kind() != tt.kind {
			t.Errorf("ParsePlan(%q) = %q (%s), want %q (%s)", tt.text, p.String(), p.Kind(), tt.want, tt.kind)
		}
	}
}

func TestParsePlanErrors(t *testing.T) {
	for _, text := range []string{"", "abc", "20", "20%%", "-5%", "101%", "20%;", "20%; 10", "20%; x:25%",
		"20%; 1:25%", "20%; 10:25%; 10:30%", "20%; 25:30%; 10:25%", "25.001", "1e2", "20 %x", "500.5|"} {
		_, err := ParsePlan(text, "USD")
		if err == nil && text != "20" {
			t.Errorf("ParsePlan(%q) accepted a malformed plan", text)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ParsePlan(%q) error %v is not ErrInvalid", text, err)
		}
	}
	if _, err := ParsePlan("500.5", "JPY"); err == nil {
		t.Error("JPY fixed rate with decimals accepted")
	}
}

func TestCommissionRules(t *testing.T) {
	day := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
	tiered, _ := ParsePlan("20%; 10:25%; 25:30%", "USD")
	pct, _ := ParsePlan("20%", "USD")
	fixed, _ := ParsePlan("25.00", "USD")
	renewal := Rate{Percent: true, Value: dec("10")}
	tests := []struct {
		name     string
		terms    Terms
		pay      Payment
		want     string
		earns    bool
		currency string
	}{
		{"percentage", Terms{Plan: pct, RecurringMonths: Forever}, Payment{Amount: dec("49.90")}, "9.98", true, "USD"},
		{"percentage rounds half away from zero", Terms{Plan: pct, RecurringMonths: Forever}, Payment{Amount: dec("0.025")}, "0.01", true, "USD"},
		{"fixed", Terms{Plan: fixed, RecurringMonths: Forever}, Payment{Amount: dec("10.00")}, "25.00", true, "USD"},
		{"tier 9th customer", Terms{Plan: tiered, RecurringMonths: Forever}, Payment{Amount: dec("100.00"), Customers: 9}, "20.00", true, "USD"},
		{"tier 10th customer", Terms{Plan: tiered, RecurringMonths: Forever}, Payment{Amount: dec("100.00"), Customers: 10}, "25.00", true, "USD"},
		{"tier 24th customer", Terms{Plan: tiered, RecurringMonths: Forever}, Payment{Amount: dec("100.00"), Customers: 24}, "25.00", true, "USD"},
		{"tier 25th customer", Terms{Plan: tiered, RecurringMonths: Forever}, Payment{Amount: dec("100.00"), Customers: 25}, "30.00", true, "USD"},
		{"JPY rounds to yen", Terms{Plan: pct, RecurringMonths: Forever}, Payment{Amount: dec("1234")}, "247", true, "JPY"},
		{"JPY half up", Terms{Plan: Plan{Base: Rate{Percent: true, Value: dec("12.5")}}, RecurringMonths: Forever}, Payment{Amount: dec("1004")}, "126", true, "JPY"},
		{"KWD three places", Terms{Plan: Plan{Base: Rate{Percent: true, Value: dec("12.5")}}, RecurringMonths: Forever}, Payment{Amount: dec("10.005")}, "1.251", true, "KWD"},
		{"first payment only: first", Terms{Plan: pct, RecurringMonths: 0}, Payment{Amount: dec("10.00"), At: day}, "2.00", true, "USD"},
		{"first payment only: second", Terms{Plan: pct, RecurringMonths: 0}, Payment{Amount: dec("10.00"), FirstPayment: day, At: day.Add(time.Hour)}, "0", false, "USD"},
		{"recurring: a second before N months", Terms{Plan: pct, RecurringMonths: 3}, Payment{Amount: dec("10.00"), FirstPayment: day, At: AddMonths(day, 3).Add(-time.Second)}, "2.00", true, "USD"},
		{"recurring: exactly N months", Terms{Plan: pct, RecurringMonths: 3}, Payment{Amount: dec("10.00"), FirstPayment: day, At: AddMonths(day, 3)}, "0", false, "USD"},
		{"recurring forever", Terms{Plan: pct, RecurringMonths: Forever}, Payment{Amount: dec("10.00"), FirstPayment: day, At: day.AddDate(10, 0, 0)}, "2.00", true, "USD"},
		{"renewal rate", Terms{Plan: pct, RecurringMonths: Forever, RenewalRate: &renewal}, Payment{Amount: dec("10.00"), Renewal: true, FirstPayment: day, At: day.AddDate(0, 1, 0)}, "1.00", true, "USD"},
		{"renewal rate not for sales", Terms{Plan: pct, RecurringMonths: Forever, RenewalRate: &renewal}, Payment{Amount: dec("10.00")}, "2.00", true, "USD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.pay.Currency = tt.currency
			got, earns, _ := tt.terms.Commission(tt.pay)
			if earns != tt.earns || (earns && !got.Equal(dec(tt.want))) {
				t.Fatalf("got %s earns=%v, want %s earns=%v", got, earns, tt.want, tt.earns)
			}
			if earns && FormatMoney(got, tt.currency) != tt.want {
				t.Fatalf("formatted %s, want %s", FormatMoney(got, tt.currency), tt.want)
			}
		})
	}
}

func TestAddMonthsClamps(t *testing.T) {
	jan31 := time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC)
	if got := AddMonths(jan31, 1); !got.Equal(time.Date(2026, 2, 28, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("Jan 31 + 1 month = %v", got)
	}
	if got := AddMonths(jan31, 13); !got.Equal(time.Date(2027, 2, 28, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("Jan 31 + 13 months = %v", got)
	}
	if got := AddMonths(time.Date(2028, 1, 30, 0, 0, 0, 0, time.UTC), 1); got.Day() != 29 {
		t.Errorf("leap year clamp = %v", got)
	}
}

func TestParseAmount(t *testing.T) {
	ok := []struct{ s, cur, want string }{{"49.90", "USD", "49.9"}, {"1000", "JPY", "1000"}, {"1.234", "KWD", "1.234"}, {"10.50", "USD", "10.5"}, {"10.000", "USD", "10"}}
	for _, tt := range ok {
		d, err := ParseAmount(tt.s, tt.cur)
		if err != nil || d.String() != tt.want {
			t.Errorf("ParseAmount(%q,%s) = %v, %v", tt.s, tt.cur, d, err)
		}
	}
	for _, tt := range []struct{ s, cur string }{{"0", "USD"}, {"-1", "USD"}, {"abc", "USD"}, {"1e3", "USD"}, {"10.001", "USD"},
		{"10.5", "JPY"}, {"1.2345", "KWD"}, {"", "USD"}, {".5", "USD"}, {"5.", "USD"}, {"+5", "USD"}, {"1,5", "USD"}, {"5", "XXX"}, {"NaN", "USD"}} {
		if _, err := ParseAmount(tt.s, tt.cur); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseAmount(%q,%s) accepted or wrong error: %v", tt.s, tt.cur, err)
		}
	}
}

func TestCurrencyDecimals(t *testing.T) {
	for code, want := range map[string]int32{"JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3, "USD": 2, "EUR": 2, "GBP": 2} {
		if got, ok := CurrencyDecimals(code); !ok || got != want {
			t.Errorf("%s: %d %v", code, got, ok)
		}
	}
	if _, ok := CurrencyDecimals("ABC"); ok {
		t.Error("ABC known")
	}
}
