// Package form is the dashboard's form, the one every console uses:
// labelled text fields and check boxes validated as the user types, `tab`
// / `shift+tab` (or ↓ / ↑) between them, `space` to tick a box, `enter` to
// submit when every field is valid (else the first bad field takes the
// cursor), `esc` to cancel. Inside a text field every printable key types
// (q and digits too).
package form

import (
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// Field is one text field, or a check box.
type Field struct {
	Key         string
	Label       string
	Hint        string               // shown dim under the field
	Placeholder string               // shown dim in the empty field
	Limit       int                  // most characters; 0: 4096
	Box         bool                 // a check box: its value is "yes" when ticked, else ""
	Validate    func(v string) error // nil: anything goes
	input       textinput.Model
	checked     bool
	err         string
	touched     bool // typed in or submitted: its error is shown
}

// Result says what the last key did.
type Result int

// Results.
const (
	Editing Result = iota
	Submitted
	Cancelled
)

// Form is a set of fields.
type Form struct {
	c      *common.Common
	Title  string
	fields []*Field
	focus  int
	Err    string // the last submit's error from the store
}

// New makes a form; values are the fields' initial values by Key.
func New(c *common.Common, title string, fields []*Field, values map[string]string) *Form {
	f := &Form{c: c, Title: title, fields: fields}
	for i, fl := range fields {
		ti := textinput.New()
		ti.Prompt = ""
		ti.CharLimit = 4096
		if fl.Limit > 0 {
			ti.CharLimit = fl.Limit
		}
		ti.Placeholder = fl.Placeholder
		ti.KeyMap.Paste.SetEnabled(false)      // would read the server's clipboard, not the user's
		ti.Cursor.SetMode(cursor.CursorStatic) // a blinking cursor would send bytes twice a second
		ti.Cursor.Style = c.Styles.Selected.Style
		ti.TextStyle = c.Styles.Plain.Style
		ti.PromptStyle = c.Styles.Dim.Style
		ti.PlaceholderStyle = c.Styles.Dim.Style
		ti.Cursor.TextStyle = c.Styles.Plain.Style
		ti.SetValue(values[fl.Key])
		if i == 0 && !fl.Box {
			ti.Focus()
		}
		fl.input = ti
		f.validate(fl)
	}
	return f
}

func (f *Form) validate(fl *Field) {
	fl.err = ""
	if fl.Validate != nil {
		if err := fl.Validate(strings.TrimSpace(fl.Value())); err != nil {
			fl.err = sanitize.Line(err.Error()) // validators speak to the user
		}
	}
}

// Valid says every field is valid.
func (f *Form) Valid() bool {
	for _, fl := range f.fields {
		if fl.err != "" {
			return false
		}
	}
	return true
}

// Values are the fields' values by Key, trimmed.
func (f *Form) Values() map[string]string {
	out := map[string]string{}
	for _, fl := range f.fields {
		out[fl.Key] = strings.TrimSpace(fl.Value())
	}
	return out
}

// Value is one field's value, trimmed.
func (f *Form) Value(k string) string { return f.Values()[k] }

// Update handles a key.
func (f *Form) Update(msg tea.Msg) (Result, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		var cmd tea.Cmd
		fl := f.fields[f.focus]
		fl.input, cmd = fl.input.Update(msg)
		return Editing, cmd
	}
	k := f.c.Keys
	switch {
	case km.String() == "esc":
		return Cancelled, nil
	case km.String() == "enter":
		for _, fl := range f.fields {
			fl.touched = true
			f.validate(fl)
		}
		for i, fl := range f.fields {
			if fl.err != "" {
				return Editing, f.focusOn(i)
			}
		}
		return Submitted, nil
	case key.Matches(km, k.NextField) && len(f.fields) > 1:
		return Editing, f.move(1)
	case key.Matches(km, k.PrevField) && len(f.fields) > 1:
		return Editing, f.move(-1)
	}
	fl := f.fields[f.focus]
	if fl.Box {
		if s := km.String(); key.Matches(km, k.Toggle) || s == "x" {
			fl.checked, fl.touched = !fl.checked, true
			f.validate(fl)
			f.Err = ""
		}
		return Editing, nil
	}
	var cmd tea.Cmd
	before := fl.input.Value()
	fl.input, cmd = fl.input.Update(msg)
	if fl.input.Value() != before {
		fl.touched = true
	}
	f.validate(fl)
	f.Err = ""
	return Editing, cmd
}

func (f *Form) move(d int) tea.Cmd {
	return f.focusOn((f.focus + d + len(f.fields)) % len(f.fields))
}

// focusOn gives field i the cursor.
func (f *Form) focusOn(i int) tea.Cmd {
	f.fields[f.focus].input.Blur()
	f.focus = i
	if f.fields[i].Box {
		return nil
	}
	return f.fields[i].input.Focus()
}

// View renders the form in width columns.
func (f *Form) View(width int) string {
	st := f.c.Styles
	var b strings.Builder
	if f.Title != "" {
		b.WriteString(st.Heading.Render(f.Title) + "\n\n")
	}
	labelW := 0
	for _, fl := range f.fields {
		labelW = max(labelW, len(fl.Label))
	}
	for i, fl := range f.fields {
		fl.input.Width = max(width-labelW-6, 10)
		label := common.Pad(fl.Label, labelW)
		if i == f.focus {
			label = st.Focused.Render("› " + label)
		} else {
			label = "  " + st.Label.Render(label)
		}
		in := fl.input.View()
		if fl.Box {
			in = "[ ]"
			if fl.checked {
				in = "[x]"
			}
		}
		b.WriteString(label + "  " + in + "\n")
		switch {
		case fl.err != "" && fl.touched:
			b.WriteString(strings.Repeat(" ", labelW+4) + st.FieldErr.Render(common.Truncate(fl.err, max(width-labelW-4, 10))) + "\n")
		case fl.Hint != "" && i == f.focus:
			b.WriteString(strings.Repeat(" ", labelW+4) + st.Dim.Render(common.Truncate(fl.Hint, max(width-labelW-4, 10))) + "\n")
		}
	}
	if f.Err != "" {
		b.WriteString("\n" + st.Bad.Render(common.Truncate(f.Err, width)) + "\n")
	}
	return b.String()
}

// Help is the form's key help.
func (f *Form) Help() []key.Binding {
	k := f.c.Keys
	h := []key.Binding{k.Submit, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	if len(f.fields) > 1 {
		h = append(h, k.NextField)
	}
	return h
}

// Value is the field's current text; a check box's is "yes" when ticked.
func (fl *Field) Value() string {
	if fl.Box {
		if fl.checked {
			return "yes"
		}
		return ""
	}
	return fl.input.Value()
}
