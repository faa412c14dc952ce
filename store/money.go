package store

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// minorUnits lists ISO 4217 currencies whose minor unit is not 2 decimals,
// plus the set of codes we accept at all.
var minorUnits = map[string]int32{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// knownCurrencies is the ISO 4217 list of active codes with 2 minor digits.
var knownCurrencies = strings.Fields(`AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB
BRL BSD BTN BWP BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP
GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP
LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB
PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL
THB TJS TMT TOP TRY TTD TWD TZS UAH USD UZS VES WST XCD YER ZAR ZMW ZWG`)

// CurrencyDecimals returns the number of minor-unit decimals of an ISO 4217
// currency code, and false when the code is unknown.
func CurrencyDecimals(code string) (int32, bool) {
	if d, ok := minorUnits[code]; ok {
		return d, true
	}
	for _, c := range knownCurrencies {
		if c == code {
			return 2, true
		}
	}
	return 0, false
}

// ValidCurrency reports whether code is a known ISO 4217 code (upper case).
func ValidCurrency(code string) bool {
	_, ok := CurrencyDecimals(code)
	return ok
}

// RoundMoney rounds d to the currency's minor units, half away from zero.
func RoundMoney(d decimal.Decimal, currency string) decimal.Decimal {
	places, ok := CurrencyDecimals(currency)
	if !ok {
		places = 2
	}
	return d.Round(places)
}

// FormatMoney renders d with exactly the currency's number of decimals.
func FormatMoney(d decimal.Decimal, currency string) string {
	places, ok := CurrencyDecimals(currency)
	if !ok {
		places = 2
	}
	return d.StringFixed(places)
}

// ParseAmount parses a positive decimal amount in the given currency. It
// refuses floats in exponent form, signs, more decimals than the currency
// has, zero and negatives.
func ParseAmount(s, currency string) (decimal.Decimal, error) {
	d, err := parseDecimalStrict(s)
	if err != nil {
		return decimal.Zero, invalid("amount", err.Error())
	}
	if d.Sign() <= 0 {
		return decimal.Zero, invalid("amount", "must be a positive decimal")
	}
	places, ok := CurrencyDecimals(currency)
	if !ok {
		return decimal.Zero, invalid("currency", fmt.Sprintf("unknown currency %q", currency))
	}
	if -d.Exponent() > places && !d.Equal(d.Round(places)) {
		return decimal.Zero, invalid("amount", fmt.Sprintf("%s has more decimals than %s allows (%d)", s, currency, places))
	}
	return d, nil
}

// ParseMoney parses a non-negative decimal with at most the currency's
// decimals (a minimum payout, a fixed rate).
func ParseMoney(s, currency string) (decimal.Decimal, error) {
	d, err := parseDecimalStrict(s)
	if err != nil {
		return decimal.Zero, err
	}
	if d.Sign() < 0 {
		return decimal.Zero, fmt.Errorf("%q is negative", s)
	}
	if places, ok := CurrencyDecimals(currency); ok && !d.Equal(d.Round(places)) {
		return decimal.Zero, fmt.Errorf("%s has more decimals than %s allows (%d)", s, currency, places)
	}
	return d, nil
}

// parseDecimalStrict accepts only plain decimal notation: digits, an
// optional single dot with digits after it, and an optional leading minus.
func parseDecimalStrict(s string) (decimal.Decimal, error) {
	if s == "" {
		return decimal.Zero, fmt.Errorf("empty amount")
	}
	body := strings.TrimPrefix(s, "-")
	if body == "" || len(s) > 40 {
		return decimal.Zero, fmt.Errorf("%q is not a decimal amount", s)
	}
	dot := false
	digits := 0
	for i, r := range body {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.' && !dot && i > 0 && i < len(body)-1:
			dot = true
		default:
			return decimal.Zero, fmt.Errorf("%q is not a decimal amount", s)
		}
	}
	if digits == 0 {
		return decimal.Zero, fmt.Errorf("%q is not a decimal amount", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%q is not a decimal amount", s)
	}
	return d, nil
}
