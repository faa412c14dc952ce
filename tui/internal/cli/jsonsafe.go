package cli

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// terminalSafeJSON rewrites encoded JSON so that it is safe to print on a
// terminal: encoding/json already escapes C0 controls, but leaves DEL, C1
// controls (U+0080–U+009F, which some terminals obey as escape sequences)
// and bidi controls raw. Each of those becomes a \uXXXX escape; such runes
// only occur inside JSON strings, so the value decodes to the same data.
func terminalSafeJSON(b []byte) []byte {
	if !bytes.ContainsFunc(b, jsonUnsafe) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if jsonUnsafe(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

func jsonUnsafe(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) ||
		(r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}
