package styles

import (
	"strings"
	"sync"

	"github.com/charmbracelet/lipgloss"
)

// Style is a lipgloss style whose Render is cheap for what the screens
// draw most: one line of text in a colour or weight. lipgloss builds the
// escape sequences again on every Render (its colour profile, a termenv
// style, the sequence joined and formatted: about 18% of a session's
// first frame); for a style that only sets text attributes (bold, faint,
// italic, reverse, blink, colours), lipgloss's output for one line without
// tabs is always the same prefix, the text and the same suffix. Style
// renders those lines as prefix + text + suffix, both taken once from
// lipgloss itself, and hands everything else (several lines, tabs, a
// width, padding, a border, underlines) to lipgloss. The output is the
// same byte for byte (TestSpanRendersAsLipgloss).
//
// Every other method is lipgloss.Style's (they return a lipgloss.Style).
type Style struct {
	lipgloss.Style
	span *span // nil: every Render goes to lipgloss
}

// span is a simple style's prefix and suffix, taken at its first Render
// (a session's renderer knows its colour profile by then).
type span struct {
	once     sync.Once
	pre, suf string
	ok       bool
}

// spanMarker stands for the text when the prefix and suffix are taken.
const spanMarker = "\x00affogato-span\x00"

// Wrap makes s a Style.
func Wrap(s lipgloss.Style) Style {
	st := Style{Style: s}
	if spanOnly(s) {
		st.span = &span{}
	}
	return st
}

// spanOnly says s only sets text attributes: lipgloss renders one line
// as prefix + text + suffix.
func spanOnly(s lipgloss.Style) bool {
	if s.GetWidth() != 0 || s.GetHeight() != 0 || s.GetMaxWidth() != 0 || s.GetMaxHeight() != 0 ||
		s.GetInline() || s.GetUnderline() || s.GetStrikethrough() || s.GetTransform() != nil || s.Value() != "" {
		return false
	}
	if t, r, b, l := s.GetPadding(); t|r|b|l != 0 {
		return false
	}
	if t, r, b, l := s.GetMargin(); t|r|b|l != 0 {
		return false
	}
	return s.GetBorderStyle() == lipgloss.Border{} &&
		!s.GetBorderTop() && !s.GetBorderRight() && !s.GetBorderBottom() && !s.GetBorderLeft()
}

func (p *span) take(s lipgloss.Style) {
	out := s.Render(spanMarker)
	if i := strings.Index(out, spanMarker); i >= 0 && strings.Count(out, spanMarker) == 1 {
		p.pre, p.suf, p.ok = out[:i], out[i+len(spanMarker):], true
	}
}

// Render renders strs joined by spaces, as lipgloss.Style.Render does.
func (s Style) Render(strs ...string) string {
	if s.span == nil {
		return s.Style.Render(strs...)
	}
	var str string
	if len(strs) == 1 {
		str = strs[0]
	} else {
		str = strings.Join(strs, " ")
	}
	if strings.ContainsAny(str, "\n\r\t") {
		return s.Style.Render(strs...)
	}
	s.span.once.Do(func() { s.span.take(s.Style) })
	if !s.span.ok {
		return s.Style.Render(strs...)
	}
	return s.span.pre + str + s.span.suf
}
