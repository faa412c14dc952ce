// Package keymap holds the dashboard's keys: the global keys of SPEC 6.1,
// the same on every screen, and a helper for a screen's action keys. The
// footer and the full help read these bindings, so the help shown can not
// drift from the keys handled.
package keymap

import (
	"strconv"

	"github.com/charmbracelet/bubbles/key"
)

// KeyMap is the set of global keys.
type KeyMap struct {
	Tabs      []key.Binding // 1…9
	NextTab   key.Binding
	PrevTab   key.Binding
	Up        key.Binding
	Down      key.Binding
	PageUp    key.Binding
	PageDown  key.Binding
	Home      key.Binding
	End       key.Binding
	Filter    key.Binding
	Open      key.Binding
	Back      key.Binding
	Help      key.Binding
	Picker    key.Binding
	Quit      key.Binding
	ForceQuit key.Binding
	Yes       key.Binding
	No        key.Binding
	Submit    key.Binding
	NextField key.Binding
	PrevField key.Binding
	Toggle    key.Binding // a form's check box

	// Actions of more than one screen (the console's and the portal's).
	Days    key.Binding // the period of a dashboard: 7, 30 or 90 days
	NewLink key.Binding
	Copy    key.Binding // to the client's clipboard (OSC 52)
	Edit    key.Binding
}

// Default is the key map of SPEC 6.1.
func Default() *KeyMap {
	k := &KeyMap{
		NextTab:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next tab")),
		PrevTab:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous tab")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Home:      key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "first")),
		End:       key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Picker:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "programs")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Yes:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:        key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n", "no")),
		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")),
		Toggle:    key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "toggle")),
		Days:      Action("d", "7/30/90 days"),
		NewLink:   Action("n", "new link"),
		Copy:      Action("c", "copy"),
		Edit:      Action("e", "edit"),
	}
	for i := 1; i <= 9; i++ {
		n := strconv.Itoa(i)
		k.Tabs = append(k.Tabs, key.NewBinding(key.WithKeys(n), key.WithHelp(n, "tab "+n)))
	}
	return k
}

// Action is a screen's single-letter action key with its help text.
func Action(keys, help string) key.Binding {
	return key.NewBinding(key.WithKeys(keys), key.WithHelp(keys, help))
}

// Navigation is the help group of the moving keys.
func (k *KeyMap) Navigation() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Filter, k.Open, k.Back}
}

// Global is the help group of the keys every screen has.
func (k *KeyMap) Global() []key.Binding {
	tabs := key.NewBinding(key.WithKeys("1"), key.WithHelp("1-9", "jump to tab"))
	return []key.Binding{tabs, k.NextTab, k.PrevTab, k.Picker, k.Help, k.Quit, k.ForceQuit}
}
