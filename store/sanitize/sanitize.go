// Package sanitize is affogato's one filter for text that comes from
// outside (names, emails, campaign ids, welcome texts, provider answers)
// before it is stored or reaches a terminal, a CSV file or an email: every
// front door (SSH commands, screens, HTTP API, payouts) uses it, so there
// is one definition of "safe text".
//
// It removes escape sequences (CSI, OSC including unterminated ones, DCS,
// SOS, PM, APC and two-byte ESC sequences, in their 7-bit and 8-bit forms),
// C0 and C1 control characters (as bytes and UTF-8 encoded), the Unicode
// bidirectional overrides and isolates, and bytes that are not valid UTF-8
// (a stray 0x80–0x9F byte counts as the C1 control it is in 8-bit mode).
package sanitize

import (
	"strings"
	"unicode/utf8"
)

// Line makes outside text safe to print on one line of a terminal: escape
// sequences and control characters are removed, tabs and line breaks become
// spaces, and invalid UTF-8 is dropped.
func Line(s string) string { return sanitize(s, false) }

// Text is Line for multi-line text (a welcome message): it keeps line
// feeds and tabs, and drops carriage returns.
func Text(s string) string { return sanitize(s, true) }

// Clean reports whether s is already safe on one line: valid UTF-8 without
// escape sequences, control characters (tabs and line feeds included) or
// bidirectional controls. Validators use it to refuse rather than rewrite.
func Clean(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, needsWork)
}

// CleanText is Clean for multi-line text: line feeds and tabs are allowed.
func CleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return r != '\n' && r != '\t' && needsWork(r)
	})
}

// Shorten cuts s to at most n runes, marking a cut with "…".
func Shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Escape-sequence introducers and terminators.
const (
	esc = 0x1b
	bel = 0x07
	// 8-bit (C1) forms of the sequence introducers, as runes.
	c1DCS = 0x90
	c1SOS = 0x98
	c1CSI = 0x9b
	c1ST  = 0x9c
	c1OSC = 0x9d
	c1PM  = 0x9e
	c1APC = 0x9f
)

func sanitize(s string, multiline bool) string {
	if !strings.ContainsFunc(s, needsWork) && utf8.ValidString(s) {
		return s
	}
	rs := decode(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == esc:
			i = skipEscape(rs, i)
		case r == c1CSI:
			i = skipCSI(rs, i+1)
		case r == c1OSC || r == c1DCS || r == c1SOS || r == c1PM || r == c1APC:
			i = skipString(rs, i+1)
		case r == '\n' || r == '\t':
			if multiline {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidiControl(r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// decode reads s as runes. A byte that is not valid UTF-8 is dropped,
// except 0x80–0x9F: a terminal in 8-bit mode reads those as C1 controls
// (0x9B is CSI), so they become the C1 rune and are handled as one.
func decode(s string) []rune {
	rs := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			if c := s[i]; c >= 0x80 && c <= 0x9f {
				rs = append(rs, rune(c))
			}
			i++
			continue
		}
		rs = append(rs, r)
		i += n
	}
	return rs
}

// needsWork reports whether r is anything sanitize removes or rewrites.
func needsWork(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidiControl(r)
}

// isBidiControl reports the Unicode bidirectional embedding, override and
// isolate controls, which can make text display in another order than it
// is stored ("Trojan Source").
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

// skipEscape skips the sequence starting with ESC at rs[i] and returns the
// index of its last rune.
func skipEscape(rs []rune, i int) int {
	if i+1 >= len(rs) {
		return i
	}
	switch rs[i+1] {
	case '[':
		return skipCSI(rs, i+2)
	case ']', 'P', 'X', '^', '_':
		return skipString(rs, i+2)
	}
	// ESC, intermediates 0x20–0x2F, then one final byte 0x30–0x7E.
	j := i + 1
	for j < len(rs) && rs[j] >= 0x20 && rs[j] <= 0x2f {
		j++
	}
	if j < len(rs) && rs[j] >= 0x30 && rs[j] <= 0x7e {
		return j
	}
	// Not a well-formed sequence: drop the ESC and what was consumed; the
	// rune at j (a control or text) is looked at again.
	return j - 1
}

// skipCSI skips a control sequence's parameters and intermediates from
// rs[i] up to and including its final byte, and returns the final's index.
func skipCSI(rs []rune, i int) int {
	for ; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r >= 0x20 && r <= 0x3f: // parameters and intermediates
		case r >= 0x40 && r <= 0x7e:
			return i
		default:
			// Malformed: end the sequence before this rune.
			return i - 1
		}
	}
	return len(rs) - 1
}

// skipString skips a control string (OSC, DCS, SOS, PM, APC) from rs[i] up to
// and including its terminator (ST as ESC \ or 0x9C, or BEL), and returns
// the terminator's index; an unterminated string runs to the end.
func skipString(rs []rune, i int) int {
	for ; i < len(rs); i++ {
		switch rs[i] {
		case bel, c1ST:
			return i
		case esc:
			if i+1 < len(rs) && rs[i+1] == '\\' {
				return i + 1
			}
			// An ESC that is not ST ends the string and starts a new
			// sequence, which the caller looks at next.
			return i - 1
		}
	}
	return len(rs) - 1
}
