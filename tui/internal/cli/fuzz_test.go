package cli_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	shlex "github.com/anmitsu/go-shlex"

	"github.com/affogato-sh/affogato/tui/internal/cli"
)

// posixQuote quotes an argument as a POSIX shell (and a user typing an ssh
// command) would: ssh sends the words joined by spaces, and the server
// splits that line back into words.
func posixQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// FuzzCommandSplit fuzzes the server's SSH command-line splitter (the one
// charmbracelet/ssh applies to an exec request, go-shlex in POSIX mode):
// it never panics on any line, and words quoted as a shell quotes them come
// back as they were. CommandName, which logs a command, never returns more
// than two lower-case words.
func FuzzCommandSplit(f *testing.F) {
	f.Add("program", "create", "acme --name 'Acme Inc'")
	f.Add("join", "acme", `--name "O'Brien"`)
	f.Add("a\x00b", "\\", "\"unterminated")
	f.Add("", " ", "\n")
	f.Add("profile", "set", "name \x1b]0;x\x07")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		line := a + " " + b + " " + c
		words, err := shlex.Split(line, true)
		if err == nil {
			name := cli.CommandName(words)
			if n := len(strings.Fields(name)); n > 2 {
				t.Fatalf("CommandName(%q) = %q", words, name)
			}
			if strings.ContainsFunc(name, func(r rune) bool { return (r < 'a' || r > 'z') && r != '-' && r != ' ' }) {
				t.Fatalf("CommandName(%q) = %q logs more than command words", words, name)
			}
		}
		if !utf8.ValidString(line) {
			return // the splitter reads runes: invalid UTF-8 becomes U+FFFD
		}
		// go-shlex drops an empty quoted word ('') altogether: an empty
		// argument cannot be passed over SSH.
		args := slices.DeleteFunc([]string{a, b, c}, func(s string) bool { return s == "" })
		quoted := posixQuote(a) + " " + posixQuote(b) + " " + posixQuote(c)
		got, err := shlex.Split(quoted, true)
		if err != nil {
			t.Fatalf("split %q: %v", quoted, err)
		}
		if !slices.Equal(got, args) && !(len(got) == 0 && len(args) == 0) {
			t.Fatalf("split(%q) = %q, want %q", quoted, got, args)
		}
	})
}
