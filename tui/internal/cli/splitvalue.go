package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/store/sanitize"
)

// annotationWords holds, on the root command, the words of the command
// line as the server split them (joined by NUL bytes).
const annotationWords = "affogato_words"

// splitValueHint explains a "too many arguments" whose extra word came
// right after the value of a flag that takes text: ssh joined the command
// into one line and the server split it again at the value's space, so the
// value needs a second level of quotes. "" when that is not what happened.
func splitValueHint(c *cobra.Command, extra string) string {
	words := strings.Split(c.Root().Annotations[annotationWords], "\x00")
	for i := 2; i < len(words); i++ {
		if words[i] != extra || !strings.HasPrefix(words[i-2], "-") || strings.Contains(words[i-2], "=") {
			continue
		}
		name := strings.TrimLeft(words[i-2], "-")
		f := c.Flags().Lookup(name)
		if f == nil && len(name) == 1 {
			f = c.Flags().ShorthandLookup(name)
		}
		if f == nil || f.Value.Type() != "string" {
			continue
		}
		value := []string{words[i-1]}
		for _, w := range words[i:] {
			if strings.HasPrefix(w, "-") {
				break
			}
			value = append(value, w)
		}
		v := sanitize.Shorten(sanitize.Line(strings.Join(value, " ")), 60)
		return fmt.Sprintf("\n--%s takes one word, and got only %q: ssh joins your command into one line and the server\n"+
			"splits it again like a shell. Quote a value with spaces twice, once for your shell and once for the server:\n"+
			"    --%s %s", f.Name, sanitize.Shorten(sanitize.Line(words[i-1]), 40), f.Name, sshArg(v))
	}
	return ""
}
