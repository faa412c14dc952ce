package partner

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// wrap breaks text into lines of at most w columns.
func wrap(s string, w int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, strings.Split(ansi.Wrap(para, max(10, w), ""), "\n")...)
	}
	return out
}
