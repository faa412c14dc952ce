package cli

import (
	"strings"

	"github.com/affogato-sh/affogato/store"
)

// flagWhy says what each fraud flag means, for the merchant deciding.
var flagWhy = map[string]string{
	store.FlagSelfReferral: "the customer's email is the partner's own",
	store.FlagPaidAds:      "the click came from a paid ad while the program forbids paid ads",
	store.FlagFastConvert:  "the order came less than 10 seconds after its click",
	store.FlagClickFlood:   "the click's IP sent more than 20 clicks to the partner in the hour before",
}

// flagsText renders a commission's flags for a table cell: "-" for none,
// "under review" for what a partner sees (store.FlagUnderReview).
func flagsText(flags []string) string {
	if len(flags) == 0 {
		return "-"
	}
	if len(flags) == 1 && flags[0] == store.FlagUnderReview {
		return "under review"
	}
	return strings.Join(flags, ",")
}

// flagsExplained names each flag with what it means.
func flagsExplained(flags []string) string {
	parts := make([]string, 0, len(flags))
	for _, f := range flags {
		if why, ok := flagWhy[f]; ok {
			parts = append(parts, f+" ("+why+")")
		} else {
			parts = append(parts, f)
		}
	}
	return strings.Join(parts, "; ")
}

// commissionText is a commission in one cell: "9.98 USD pending", with
// what refunds reversed and the review state.
func commissionText(m *store.Commission) string {
	s := money(m.Amount, m.Currency) + " " + m.Status
	if m.Reversed.Sign() > 0 {
		s += ", " + money(m.Reversed, m.Currency) + " reversed"
	}
	if len(m.Flags) > 0 {
		s += " [" + flagsText(m.Flags) + "]"
	}
	return s
}
