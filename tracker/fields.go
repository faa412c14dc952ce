package tracker

import (
	"slices"
	"strings"

	"github.com/affogato-sh/affogato/store/sanitize"
)

// conversionFields and refundFields are the members the conversion and
// refund API read; any other member is refused with 422, so a misspelt
// field ("click-id", "clickId") never silently drops attribution.
var (
	conversionFields = []string{"order_id", "customer_id", "amount", "currency", "kind", "click_id",
		"ref", "coupon", "customer_email", "occurred_at"}
	refundFields = []string{"refund_id", "order_id", "amount"}
)

// only refuses members not in known: 422 naming each, with the fields the
// endpoint reads.
func (f fields) only(known []string) *requestError {
	var unknown []string
	for name := range f {
		if !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	for i, n := range unknown {
		unknown[i] = quoteField(n)
	}
	word := "field"
	if len(unknown) > 1 {
		word = "fields"
	}
	return unprocessable("unknown %s %s; the fields are %s", word, strings.Join(unknown, ", "), strings.Join(known, ", "))
}

// quoteField quotes a member name for an error message, at most 64
// characters, made safe as every outside text is (sanitize.Line: no
// escape sequences, control characters or bidirectional controls).
func quoteField(name string) string {
	return `"` + sanitize.Shorten(sanitize.Line(name), 64) + `"`
}
