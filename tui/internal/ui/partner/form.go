package partner

import (
	"strings"

	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// Field is one line of a Form: a text input, or a check box when Box is
// set. Check validates the value as it is typed.
type Field struct {
	Label   string
	Input   textinput.Model
	Box     bool // a check box (space toggles) instead of text
	Checked bool
	Check   func(value string) error
	Err     string
}

// Value is the field's text, trimmed.
func (f *Field) Value() string { return strings.TrimSpace(f.Input.Value()) }

// TextField makes a text field with a placeholder and a character limit.
func TextField(label, value, placeholder string, limit int, check func(string) error) *Field {
	in := textinput.New()
	in.Prompt = ""
	in.KeyMap.Paste.SetEnabled(false)      // would read the server's clipboard, not the user's
	in.Cursor.SetMode(cursor.CursorStatic) // a blinking cursor sends bytes to an idle screen
	in.Placeholder = placeholder
	in.CharLimit = limit
	in.SetValue(value)
	f := &Field{Label: label, Input: in, Check: check}
	return f
}

// BoxField makes a check box.
func BoxField(label string) *Field { return &Field{Label: label, Box: true} }

// Form is a column of fields validated as typed: tab / shift+tab (or ↓ /
// ↑) move between fields, space toggles a check box, enter submits, esc
// cancels. Inside a text field every printable key types (q and digits
// too); ctrl+c still quits (the portal handles it first).
type Form struct {
	Fields []*Field
	focus  int
	width  int
	keys   *keymap.KeyMap
	st     *styles.Styles
}

// NewForm focuses the first field.
func NewForm(st *styles.Styles, keys *keymap.KeyMap, fields ...*Field) *Form {
	f := &Form{Fields: fields, keys: keys, st: st}
	for _, fd := range fields {
		// Styles from the session's renderer, never the global one.
		fd.Input.Cursor.Style = st.Selected
		fd.Input.Cursor.TextStyle = st.Plain
		fd.Input.TextStyle = st.Plain
		fd.Input.PlaceholderStyle = st.Dim
	}
	f.setFocus(0)
	return f
}

// FormResult is what a key did to the form.
type FormResult int

// What Update reports.
const (
	FormEditing FormResult = iota
	FormSubmit
	FormCancel
)

// SetWidth sets the width the fields render in.
func (f *Form) SetWidth(w int) {
	f.width = w
	for _, fd := range f.Fields {
		fd.Input.Width = max(10, w-labelWidth(f.Fields)-4)
	}
}

func labelWidth(fields []*Field) int {
	n := 0
	for _, f := range fields {
		n = max(n, len(f.Label))
	}
	return n + 2
}

func (f *Form) setFocus(i int) {
	f.focus = i
	for j, fd := range f.Fields {
		if j == i && !fd.Box {
			fd.Input.Focus()
		} else {
			fd.Input.Blur()
		}
	}
}

// Focused is the field with the cursor.
func (f *Form) Focused() *Field { return f.Fields[f.focus] }

// Update handles one message.
func (f *Form) Update(msg tea.Msg) (FormResult, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		var cmd tea.Cmd
		f.Fields[f.focus].Input, cmd = f.Fields[f.focus].Input.Update(msg)
		return FormEditing, cmd
	}
	switch {
	case key.Matches(km, f.keys.Back):
		return FormCancel, nil
	case key.Matches(km, f.keys.Submit):
		if f.Validate() {
			return FormSubmit, nil
		}
		return FormEditing, nil
	case key.Matches(km, f.keys.NextField):
		f.setFocus((f.focus + 1) % len(f.Fields))
		return FormEditing, nil
	case key.Matches(km, f.keys.PrevField):
		f.setFocus((f.focus + len(f.Fields) - 1) % len(f.Fields))
		return FormEditing, nil
	}
	fd := f.Fields[f.focus]
	if fd.Box {
		if km.String() == " " || km.String() == "x" {
			fd.Checked = !fd.Checked
			f.check(fd)
		}
		return FormEditing, nil
	}
	var cmd tea.Cmd
	fd.Input, cmd = fd.Input.Update(msg)
	f.check(fd)
	return FormEditing, cmd
}

func (f *Form) check(fd *Field) bool {
	fd.Err = ""
	if fd.Check == nil {
		return true
	}
	v := fd.Value()
	if fd.Box {
		v = ""
		if fd.Checked {
			v = "yes"
		}
	}
	if err := fd.Check(v); err != nil {
		fd.Err = errText(err)
		return false
	}
	return true
}

// Validate checks every field, focuses the first bad one, and says
// whether all are good.
func (f *Form) Validate() bool {
	first := -1
	for i, fd := range f.Fields {
		if !f.check(fd) && first < 0 {
			first = i
		}
	}
	if first >= 0 {
		f.setFocus(first)
		return false
	}
	return true
}

// View renders the fields, one per line, each error under its field.
func (f *Form) View() string {
	lw := labelWidth(f.Fields)
	var b strings.Builder
	for i, fd := range f.Fields {
		marker := "  "
		if i == f.focus {
			marker = f.st.Title.Render("›") + " "
		}
		label := fd.Label + strings.Repeat(" ", max(0, lw-len(fd.Label)))
		b.WriteString(marker + f.st.CardLabel.Render(label))
		if fd.Box {
			box := "[ ]"
			if fd.Checked {
				box = "[x]"
			}
			b.WriteString(box)
		} else {
			b.WriteString(fd.Input.View())
		}
		b.WriteString("\n")
		if fd.Err != "" {
			b.WriteString(strings.Repeat(" ", lw+2) + f.st.Bad.Render(fd.Err) + "\n")
		}
	}
	return b.String()
}
