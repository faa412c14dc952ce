package sanitize

import (
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/store/sanitize/sanitizetest"
)

// Every escape-sequence class is removed by both forms.
func TestEscapeClasses(t *testing.T) {
	for _, c := range sanitizetest.Classes {
		for _, in := range []string{c.S, "a" + c.S + "b", c.S + c.S} {
			if d := sanitizetest.Dirty([]byte(Line(in))); d != "" {
				t.Errorf("%s: Line(%q) = %q: %s", c.Name, in, Line(in), d)
			}
			if d := sanitizetest.Dirty([]byte(Text(in))); d != "" {
				t.Errorf("%s: Text(%q) = %q: %s", c.Name, in, Text(in), d)
			}
			if Clean(in) {
				t.Errorf("%s: Clean(%q) is true", c.Name, in)
			}
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, c := range sanitizetest.Classes {
		f.Add(c.S)
		f.Add("ok " + c.S + " ok")
	}
	f.Add("line1\nline2\ttab\r\n")
	f.Add("Zoë 日本 🙂")
	f.Fuzz(func(t *testing.T, s string) {
		l, x := Line(s), Text(s)
		if d := sanitizetest.Dirty([]byte(l)); d != "" {
			t.Fatalf("Line(%q) = %q: %s", s, l, d)
		}
		if strings.ContainsAny(l, "\n\t\r") {
			t.Fatalf("Line(%q) = %q keeps a line break or tab", s, l)
		}
		if d := sanitizetest.Dirty([]byte(x)); d != "" {
			t.Fatalf("Text(%q) = %q: %s", s, x, d)
		}
		if strings.Contains(x, "\r") {
			t.Fatalf("Text(%q) = %q keeps a carriage return", s, x)
		}
		if Line(l) != l || Text(x) != x {
			t.Fatalf("not idempotent on %q", s)
		}
		if !Clean(l) || !CleanText(x) {
			t.Fatalf("sanitised output of %q is not Clean", s)
		}
		if Clean(s) && Line(s) != s {
			t.Fatalf("Clean(%q) but Line changes it to %q", s, l)
		}
	})
}
