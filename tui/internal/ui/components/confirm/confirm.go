// Package confirm is the y/n question asked before every money-moving or
// destructive action.
package confirm

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/tui/internal/ui/common"
)

// Confirm is one pending question.
type Confirm struct {
	c      *common.Common
	prompt string
	onYes  func() tea.Cmd
	active bool
}

// New makes an inactive question.
func New(c *common.Common) *Confirm { return &Confirm{c: c} }

// Ask shows prompt; y runs onYes (its command), n or esc cancels.
func (q *Confirm) Ask(prompt string, onYes func() tea.Cmd) {
	q.prompt, q.onYes, q.active = prompt, onYes, true
}

// Active says a question waits for y or n.
func (q *Confirm) Active() bool { return q.active }

// Update takes the answer; other keys are ignored while a question waits.
func (q *Confirm) Update(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, q.c.Keys.Yes):
		q.active = false
		return q.onYes()
	case key.Matches(msg, q.c.Keys.No):
		q.active = false
		return common.Status("Cancelled.")
	}
	return nil
}

// View is the question line.
func (q *Confirm) View() string {
	st := q.c.Styles
	return st.Dialog.Render(q.prompt + "  " + st.Bold.Render("y") + st.Dim.Render(" yes  ") + st.Bold.Render("n") + st.Dim.Render(" no"))
}

// Help is the question's key help.
func (q *Confirm) Help() []key.Binding { return []key.Binding{q.c.Keys.Yes, q.c.Keys.No} }
