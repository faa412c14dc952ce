package tui

import (
	"strings"
	"unicode/utf8"
)

// Sanitize makes user-typed text safe to print on one line of a terminal:
// escape sequences (CSI, OSC, DCS, SOS, PM, APC, and two-byte ESC
// sequences, in their 7-bit and 8-bit forms) are removed, C0 and C1 control
// characters and bidirectional overrides are dropped, tabs and line breaks
// become spaces, and invalid UTF-8 becomes U+FFFD.
func Sanitize(s string) string { return sanitize(s, false) }

// SanitizeText is Sanitize for multi-line text (a welcome message): it keeps
// line feeds and tabs, and drops carriage returns.
func SanitizeText(s string) string { return sanitize(s, true) }

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
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	rs := []rune(s)
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
