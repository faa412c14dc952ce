package styles

import (
	"io"
	"reflect"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Every style renders what lipgloss renders, byte for byte, in every
// colour profile and accent, for one-line text (the fast path) and for
// text lipgloss must lay out (several lines, tabs, carriage returns,
// several strings).
func TestSpanRendersAsLipgloss(t *testing.T) {
	inputs := [][]string{
		{""}, {"plain"}, {"Clicks 1,234"}, {"ünïcödé · …"}, {"\x1b[1mstyled\x1b[0m inside"},
		{"two\nlines"}, {"tab\there"}, {"cr\r\nlf"}, {"a", "b"}, {"a\n", "b"}, {},
		{"trailing\n"}, {"wide 漢字"},
	}
	profiles := []termenv.Profile{termenv.Ascii, termenv.ANSI, termenv.ANSI256, termenv.TrueColor}
	for _, p := range profiles {
		for _, accent := range []string{"", "#336699", "208", "nonsense"} {
			r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(p))
			r.SetHasDarkBackground(true)
			st := New(r, accent)
			if len(st.all()) < 30 {
				t.Fatalf("the test sees %d styles", len(st.all()))
			}
			for name, s := range st.all() {
				for _, in := range inputs {
					if got, want := s.Render(in...), s.Style.Render(in...); got != want {
						t.Errorf("profile %v accent %q style %s Render(%q) = %q, lipgloss renders %q", p, accent, name, in, got, want)
					}
				}
			}
		}
	}
}

// A style with layout (a border, padding, a width, an underline) is
// rendered by lipgloss every time; only text attributes take the span.
func TestSpanOnlyForTextAttributes(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.ANSI256))
	for name, s := range map[string]lipgloss.Style{
		"width": r.NewStyle().Bold(true).Width(10), "padding": r.NewStyle().Padding(0, 1),
		"border": r.NewStyle().Border(lipgloss.RoundedBorder()), "underline": r.NewStyle().Underline(true),
		"margin": r.NewStyle().Margin(1), "value": r.NewStyle().SetString("x"), "maxwidth": r.NewStyle().MaxWidth(3),
	} {
		if Wrap(s).span != nil {
			t.Errorf("%s: a style with layout takes the span", name)
		}
		if got, want := Wrap(s).Render("abc"), s.Render("abc"); got != want {
			t.Errorf("%s: %q, lipgloss renders %q", name, got, want)
		}
	}
	if Wrap(r.NewStyle().Bold(true).Faint(true).Italic(true).Reverse(true).Foreground(lipgloss.Color("3")).Background(lipgloss.Color("4"))).span == nil {
		t.Error("a style of text attributes only does not take the span")
	}
}

// all names every Style of s (for the tests).
func (s *Styles) all() map[string]Style {
	m := map[string]Style{}
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		if st, ok := v.Field(i).Interface().(Style); ok {
			m[v.Type().Field(i).Name] = st
		}
	}
	return m
}

// BenchmarkStyleRender compares a one-line render through the span with
// lipgloss's own.
func BenchmarkStyleRender(b *testing.B) {
	r := lipgloss.NewRenderer(io.Discard, termenv.WithProfile(termenv.ANSI256))
	st := New(r, "")
	b.Run("span", func(b *testing.B) {
		for b.Loop() {
			_ = st.Title.Render("Seeded seed")
		}
	})
	b.Run("lipgloss", func(b *testing.B) {
		for b.Loop() {
			_ = st.Title.Style.Render("Seeded seed")
		}
	})
}
