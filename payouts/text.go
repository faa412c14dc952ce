package payouts

import "github.com/affogato-sh/affogato/store/sanitize"

// sanitizeText makes text a provider sent safe to show on one line: the
// one sanitiser (store/sanitize) drops escape sequences, C0/C1 controls,
// bidi controls and invalid UTF-8.
func sanitizeText(s string) string { return sanitize.Line(s) }
