package tui

import (
	"bytes"
	"testing"

	"github.com/charmbracelet/log"
)

// The session lines print as the logger's own key-value pairs did: the
// same text for plain, spaced, quoted, empty and unprintable values.
func TestLogLineAsKeyValues(t *testing.T) {
	values := []string{"127.0.0.1:4242", "SHA256:abc+/def", "seed", "", "two words", `say "hi"`, "a=b",
		"tab\there", "ünï", "\x1b[31mred", "3ms", "true"}
	for _, v := range values {
		var kv, line bytes.Buffer
		log.New(&kv).Info("ssh session", "remote", "127.0.0.1:1", "user", v, "pty", true)
		log.New(&line).Info(logLine("ssh session", "remote", "127.0.0.1:1", "user", v, "pty", "true"))
		if kv.String() != line.String() {
			t.Errorf("value %q:\n%q\nthe logger's key-value pairs print\n%q", v, line.String(), kv.String())
		}
	}
}
