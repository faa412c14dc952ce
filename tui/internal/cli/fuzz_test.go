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

// FuzzCommandSplit fuzzes the server's SSH command-line splitter
// (SplitCommand): it never panics on any line; it splits every line as the
// SSH library's own splitter (go-shlex in POSIX mode) does, but for the
// quoted empty words it keeps; and words quoted as a shell quotes them,
// empty ones included, come back as they were. CommandName, which logs a
// command, never returns more than two lower-case words.
func FuzzCommandSplit(f *testing.F) {
	f.Add("program", "create", "acme --name 'Acme Inc'")
	f.Add("join", "acme", `--name "O'Brien"`)
	f.Add("a\x00b", "\\", "\"unterminated")
	f.Add("", " ", "\n")
	f.Add("profile", "set", "name \x1b]0;x\x07")
	f.Add("profile", "set", "--name ''")
	f.Add(`""`, `"a\"b"`, `'' x\ y`)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		line := a + " " + b + " " + c
		words, err := cli.SplitCommand(line)
		if err == nil {
			name := cli.CommandName(words)
			if n := len(strings.Fields(name)); n > 2 {
				t.Fatalf("CommandName(%q) = %q", words, name)
			}
			if strings.ContainsFunc(name, func(r rune) bool { return (r < 'a' || r > 'z') && r != '-' && r != ' ' }) {
				t.Fatalf("CommandName(%q) = %q logs more than command words", words, name)
			}
		}
		lib, libErr := shlex.Split(line, true)
		if (err == nil) != (libErr == nil) {
			t.Fatalf("split(%q): error %v, go-shlex's %v", line, err, libErr)
		}
		if nonEmpty := slices.DeleteFunc(slices.Clone(words), func(s string) bool { return s == "" }); err == nil && !slices.Equal(nonEmpty, lib) {
			t.Fatalf("split(%q) = %q, go-shlex's %q", line, words, lib)
		}
		if !utf8.ValidString(line) {
			return // the splitter reads runes: invalid UTF-8 becomes U+FFFD
		}
		args := []string{a, b, c}
		quoted := posixQuote(a) + " " + posixQuote(b) + " " + posixQuote(c)
		got, err := cli.SplitCommand(quoted)
		if err != nil {
			t.Fatalf("split %q: %v", quoted, err)
		}
		if !slices.Equal(got, args) {
			t.Fatalf("split(%q) = %q, want %q", quoted, got, args)
		}
	})
}

func TestSplitCommandKeepsEmptyQuotedWords(t *testing.T) {
	for _, tt := range []struct {
		line string
		want []string
		err  error
	}{
		{`profile set --name ''`, []string{"profile", "set", "--name", ""}, nil},
		{`program set slug terms ""`, []string{"program", "set", "slug", "terms", ""}, nil},
		{`a '' "" b`, []string{"a", "", "", "b"}, nil},
		{`  a   b  `, []string{"a", "b"}, nil},
		{``, []string{}, nil},
		{`x'y'z "a b"c \ d`, []string{"xyz", "a bc", " d"}, nil},
		{`"a\"b\\c\d"`, []string{`a"b\c\d`}, nil},
		{`join acme --name "O'Brien`, []string{"join", "acme", "--name", "O'Brien"}, cli.ErrUnclosedQuote},
		{`join acme \`, []string{"join", "acme"}, cli.ErrTrailingBackslash},
	} {
		got, err := cli.SplitCommand(tt.line)
		if !slices.Equal(got, tt.want) || err != tt.err {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q, %v", tt.line, got, err, tt.want, tt.err)
		}
	}
}
