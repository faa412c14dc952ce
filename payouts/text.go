package payouts

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// sanitizeText drops what must never reach a terminal, a CSV or a log from
// text a provider sent: control characters (C0, DEL and C1, so no escape
// sequence survives as one), Unicode format characters (bidi overrides and
// isolates, zero-width characters) and invalid UTF-8.
func sanitizeText(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}
