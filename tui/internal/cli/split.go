package cli

import (
	"errors"
	"strings"
	"unicode"
)

// Errors of SplitCommand.
var (
	ErrUnclosedQuote     = errors.New("the command line has a quote that is not closed")
	ErrTrailingBackslash = errors.New("the command line ends with a backslash")
)

// SplitCommand splits an SSH exec request's command line into words as
// the SSH library's own splitter does (go-shlex in POSIX mode: blanks
// separate words; single quotes keep everything; double quotes keep
// everything but \" and \\; a backslash outside quotes keeps the next
// character), except that a quoted empty word (a pair of single or double
// quotes with nothing between) is kept as an empty argument, so that
//
//	profile set --name ''
//
// clears a value as a shell would, where go-shlex drops the word. A line
// with an unclosed quote or a trailing backslash is an error (go-shlex
// would return the words read so far, running a truncated command).
func SplitCommand(line string) ([]string, error) {
	l := &lexer{r: []rune(line)} // invalid UTF-8 reads as U+FFFD, as go-shlex does
	words := []string{}
	for {
		word, keep, err := l.next()
		if keep {
			words = append(words, word)
		}
		if err != nil {
			return words, err
		}
		if l.i >= len(l.r) {
			return words, nil
		}
	}
}

// lexer is go-shlex's state machine (POSIX, whitespace split) over runes.
type lexer struct {
	r []rune
	i int
}

const (
	stBlank  = ' '
	stWord   = 'a'
	stEscape = '\\'
)

func isQuote(r rune) bool { return r == '\'' || r == '"' }

// next reads one word: keep is false when there was none (only blanks).
func (l *lexer) next() (word string, keep bool, err error) {
	var b strings.Builder
	quoted := false
	state, escaped := rune(stBlank), rune(stBlank)
	for {
		if l.i >= len(l.r) {
			switch {
			case isQuote(state):
				return b.String(), b.Len() > 0 || quoted, ErrUnclosedQuote
			case state == stEscape:
				return b.String(), b.Len() > 0 || quoted, ErrTrailingBackslash
			}
			return b.String(), b.Len() > 0 || quoted, nil
		}
		c := l.r[l.i]
		l.i++
		switch {
		case state == stBlank:
			switch {
			case unicode.IsSpace(c):
				if b.Len() > 0 || quoted {
					return b.String(), true, nil
				}
				return "", false, nil
			case c == stEscape:
				escaped, state = stWord, stEscape
			case isQuote(c):
				state = c
			default:
				b.WriteRune(c)
				state = stWord
			}
		case isQuote(state):
			quoted = true
			switch {
			case c == state:
				state = stWord
			case c == stEscape && state == '"':
				escaped, state = state, stEscape
			default:
				b.WriteRune(c)
			}
		case state == stEscape:
			// Inside double quotes a backslash escapes only \ and ".
			if isQuote(escaped) && c != stEscape && c != escaped {
				b.WriteRune(stEscape)
			}
			b.WriteRune(c)
			state = escaped
		default: // stWord
			switch {
			case unicode.IsSpace(c):
				if b.Len() > 0 || quoted {
					return b.String(), true, nil
				}
			case isQuote(c):
				state = c
			case c == stEscape:
				escaped, state = stWord, stEscape
			default:
				b.WriteRune(c)
			}
		}
	}
}
