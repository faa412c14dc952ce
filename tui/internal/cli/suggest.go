package cli

import (
	"errors"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// noSuchProgram is the error for a slug that names no program the caller
// may see: the closest public slug when one is near, and how to list them.
// Only listed programs are suggested: unlisted slugs are not given away.
func (e *cmdEnv) noSuchProgram(slug, then string) error {
	msg := "there is no program \"" + sanitize.Shorten(sanitize.Line(slug), 40) + "\" here."
	if ps, err := e.srv.Store.ListedPrograms(); err == nil {
		best, bestD := "", 3 // at most two edits away
		for _, p := range ps {
			if d := editDistance(slug, p.Slug); d < bestD {
				best, bestD = p.Slug, d
			}
		}
		if best != "" {
			msg += " Did you mean " + best + "?"
			if then != "" {
				msg += "\n    " + e.srv.sshHint() + " " + then + " " + best
			}
		}
	}
	return userErrf("%s\nThe public programs:\n    %s program list", msg, e.srv.sshHint())
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
