package cli

import (
	"testing"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
)

func TestBaseURLWords(t *testing.T) {
	for _, c := range []struct {
		paypal, wise string
		pp, w        bool
		want         string
	}{
		{"", "", true, false, "PayPal sandbox " + payouts.PayPalSandboxURL + ": no real money moves"},
		{payouts.PayPalLiveURL + "/", "", true, false, "live PayPal " + payouts.PayPalLiveURL + ": real money"},
		{"http://127.0.0.1:9/", "", true, false, "PayPal at http://127.0.0.1:9"},
		{"", "", false, true, "live Wise " + payouts.WiseLiveURL + ": real money"},
		{"", payouts.WiseSandboxURL, false, true, "Wise sandbox " + payouts.WiseSandboxURL + ": no real money moves"},
		{"", "http://127.0.0.1:9", true, true, "PayPal sandbox " + payouts.PayPalSandboxURL + ": no real money moves; Wise at http://127.0.0.1:9"},
		{"", "", false, false, ""},
	} {
		p := &store.Program{Secrets: store.ProgramSecrets{PayPalBaseURL: c.paypal, WiseBaseURL: c.wise}}
		if got := baseURLWords(p, c.pp, c.w); got != c.want {
			t.Errorf("baseURLWords(%q, %q, %v, %v) = %q, want %q", c.paypal, c.wise, c.pp, c.w, got, c.want)
		}
	}
}
