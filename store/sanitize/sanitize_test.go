package sanitize

import "testing"

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, line, text string
	}{
		{"plain", "Alice Smith", "Alice Smith", "Alice Smith"},
		{"unicode kept", "Zoë 日本 🙂", "Zoë 日本 🙂", "Zoë 日本 🙂"},
		{"csi colour", "\x1b[31mred\x1b[0m", "red", "red"},
		{"csi clear screen", "a\x1b[2J\x1b[Hb", "ab", "ab"},
		{"csi private params", "x\x1b[?1049hy", "xy", "xy"},
		{"osc title bel", "\x1b]0;pwned\x07ok", "ok", "ok"},
		{"osc hyperlink st", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click", "click"},
		{"osc52 clipboard", "\x1b]52;c;cm0gLXJmIH4=\x07hi", "hi", "hi"},
		{"osc ended by new csi", "\x1b]0;t\x1b[31mz", "z", "z"},
		{"unterminated osc", "keep\x1b]0;rest of it", "keep", "keep"},
		{"dcs", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab", "ab"},
		{"apc pm sos", "1\x1b_apc\x1b\\2\x1b^pm\x1b\\3\x1bXsos\x1b\\4", "1234", "1234"},
		{"two-byte esc", "a\x1bcb\x1b7c\x1b(Bd", "abcd", "abcd"},
		{"lone esc at end", "abc\x1b", "abc", "abc"},
		{"esc before control", "a\x1b\x07b", "ab", "ab"},
		{"c1 csi rune", "a\u009b31mb", "ab", "ab"},
		{"c1 osc rune", "a\u009d0;x\u009cb", "ab", "ab"},
		{"c1 other dropped", "a\u0085b", "ab", "ab"},
		{"raw 8-bit csi byte", "a\x9b31mb", "ab", "ab"},
		{"raw 8-bit osc byte", "a\x9d0;t\x07b", "ab", "ab"},
		{"bell backspace cr", "a\x07\x08\rb", "ab", "ab"},
		{"del", "a\x7fb", "ab", "ab"},
		{"newline tab", "line1\nline2\tx", "line1 line2 x", "line1\nline2\tx"},
		{"crlf", "a\r\nb", "a b", "a\nb"},
		{"bidi override", "abc\u202edcba\u202c", "abcdcba", "abcdcba"},
		{"bidi isolate", "x\u2066y\u2069", "xy", "xy"},
		{"invalid utf8", "ok\xff\xfe", "ok", "ok"},
		{"truncated utf8", "é\xc3", "é", "é"},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in); got != tt.line {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.line)
			}
			if got := Text(tt.in); got != tt.text {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.text)
			}
		})
	}
}

func TestSanitizeLeavesNoEscapes(t *testing.T) {
	// Whatever the input, the output never holds ESC or any C0/C1 control
	// besides \n and \t (multi-line).
	inputs := []string{
		"\x1b\x1b\x1b[", "\x1b[\x1b]\x1bP", "\u009b\u009d\u0090", "\x1b[38;2;1;2;3m\x1b]\x07\x1b",
		"\x1b[1", "\x1b(", "\x1b ", "a\x1b[\nb",
	}
	for _, in := range inputs {
		for _, out := range []string{Line(in), Text(in)} {
			for _, r := range out {
				if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
					t.Errorf("sanitize(%q) = %q still holds %U", in, out, r)
				}
			}
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]bool{
		"Alice": true, "Zoë 日本": true, "": true,
		"a\tb": false, "a\nb": false, "\x1b[2J": false, "a\u202eb": false, "ok\xff": false, "a\u0085b": false,
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestShorten(t *testing.T) {
	if got := Shorten("héllo", 3); got != "hél…" {
		t.Errorf("Shorten = %q", got)
	}
	if got := Shorten("abc", 3); got != "abc" {
		t.Errorf("Shorten = %q", got)
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]bool{
		"a\nb\tc": true, "plain": true, "a\r\nb": false, "\x1b]0;x\x07": false, "a\u2066b": false, "\xff": false,
	} {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %v, want %v", in, got, want)
		}
	}
}
