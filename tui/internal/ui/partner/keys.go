package partner

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the portal's keys: the frame's keys of SPEC 6.1 and the tabs'
// actions. Help is generated from these bindings, so it cannot drift.
type KeyMap struct {
	NextTab, PrevTab, Up, Down, PageUp, PageDown, Home, End key.Binding
	Help, Quit, ForceQuit, Back, Submit, Picker             key.Binding
	Days, New, Copy, Edit, Toggle, NextField, PrevField     key.Binding
	More                                                    key.Binding
}

// DefaultKeyMap is the key map every portal session uses.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		NextTab:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next tab")),
		PrevTab:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous tab")),
		Up:        key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Home:      key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "first")),
		End:       key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
		Picker:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "programs")),
		Days:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "7/30/90 days")),
		New:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new link")),
		Copy:      key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy")),
		Edit:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Toggle:    key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "toggle")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		More:      key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "more")),
	}
}
