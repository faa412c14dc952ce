package tui

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// logLine is msg followed by the fields as key=value, the way the text
// logger prints key-value pairs (a value with spaces, quotes, = or
// unprintable runes quoted, an empty one as ""), for the session start
// and end lines: handed to the logger as one message, the line costs one
// styled string instead of four per field (the logger runs each key, value
// and separator through lipgloss; about 30 µs of a session's 1.1 ms of
// server CPU went to its two lines). A terminal sees the fields uncoloured.
func logLine(msg string, kv ...string) string {
	var b strings.Builder
	b.WriteString(msg)
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteByte(' ')
		b.WriteString(kv[i])
		b.WriteByte('=')
		b.WriteString(logValue(kv[i+1]))
	}
	return b.String()
}

// logValue is v as the text logger prints a value.
func logValue(v string) string {
	if v == "" {
		return `""`
	}
	for _, r := range v {
		if r == '"' || r == '=' || r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return strconv.Quote(v)
		}
	}
	return v
}
