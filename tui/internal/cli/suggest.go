package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// noSuchProgram is the error for a slug that names no program the caller
// may see: the closest public slug when one is near, with the command as
// typed and that slug in place of the typo, and how to list them. Only
// listed programs are suggested: unlisted slugs are not given away.
func (e *cmdEnv) noSuchProgram(c *cobra.Command, slug string) error {
	msg := "there is no program \"" + sanitize.Shorten(sanitize.Line(slug), 40) + "\" here."
	if best := e.closestListed(slug); best != "" {
		msg += " Did you mean " + best + "?"
		if line := e.retyped(c, slug, best); line != "" {
			msg += "\n    " + line
		}
	}
	return userErrf("%s\nThe public programs:\n    %s program list", msg, e.srv.sshHint())
}

// retyped is the session's command line, quoted to paste, with the word
// from replaced by to: "ssh -p … join acme --name \"'Sue Smith'\" …".
func (e *cmdEnv) retyped(c *cobra.Command, from, to string) string {
	words := strings.Split(c.Root().Annotations[annotationWords], "\x00")
	replaced := false
	for i, w := range words {
		if w == from && !replaced {
			words[i], replaced = to, true
		}
		words[i] = sshArg(sanitize.Line(words[i]))
	}
	if !replaced {
		return ""
	}
	return e.srv.sshHint() + " " + strings.Join(words, " ")
}

// isNotFound says whether err is the store's not found.
func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// editDistance is the Levenshtein distance of a and b (bytes; slugs are
// ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// noteUnknownProgram tells an unknown key, on stderr, that a session opened
// as SLUG@host without a command names no program (with the closest public
// one). Usernames that cannot be slugs, and known users (whose username is
// likely just their login name), are left alone.
func (e *cmdEnv) noteUnknownProgram(user string) {
	if e.id.Known() || !store.ValidSlug(user) || !e.programMissing(user) {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "There is no program %q here.", user)
	if best := e.closestListed(user); best != "" {
		fmt.Fprintf(&b, " Did you mean %s?\n    %s", best, e.srv.sshHintAs(best))
	}
	fmt.Fprintf(&b, "\nThe public programs:\n    %s program list\n\n", e.srv.sshHint())
	fmt.Fprint(e.errw, b.String())
}

// closestListed is the listed slug at most two edits from slug, or "".
func (e *cmdEnv) closestListed(slug string) string {
	ps, err := e.srv.Store.ListedPrograms()
	if err != nil {
		return ""
	}
	best, bestD := "", 3
	for _, p := range ps {
		if d := editDistance(slug, p.Slug); d < bestD {
			best, bestD = p.Slug, d
		}
	}
	return best
}
