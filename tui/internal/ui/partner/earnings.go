package partner

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/table"
)

type earnings struct {
	sh      *shared
	width   int
	height  int
	rows    []store.Earning // the page on screen
	loading bool
	err     string
	tbl     *table.Table
	pg      table.Pager[uint64]
}

type earningsMsg struct {
	page *store.EarningsPage
	err  error
}

func newEarnings(sh *shared) *earnings {
	e := &earnings{sh: sh}
	e.tbl = table.New(sh.c, []table.Column{
		{Title: "DATE", Width: 10}, {Title: "ORDER", Width: 12, Right: true}, {Title: "COMMISSION", Width: 11, Right: true},
		{Title: "STATUS", Width: 12}, {Title: "APPROVED ON", Width: 12}, {Title: "NOTE", Flex: true},
	})
	e.pg = table.NewPager[uint64](e.tbl)
	return e
}

func (e *earnings) Title() string { return "Earnings" }
func (e *earnings) Editing() bool { return false }

func (e *earnings) SetSize(w, h int) {
	e.width, e.height = w, h
	e.tbl.SetSize(w, h-2) // the heading line above it
}

// Load reads the page on screen again (live updates, tab switches).
func (e *earnings) Load() tea.Cmd {
	e.loading = true
	data, before, limit := e.sh.data, e.pg.Cursor(), e.tbl.PageSize()
	return func() tea.Msg {
		p, err := data.Earnings(e.sh.ctx(), before, limit)
		return earningsMsg{page: p, err: err}
	}
}

func (e *earnings) Update(msg tea.Msg) (Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case earningsMsg:
		e.loading = false
		if msg.err != nil {
			e.err = errText(msg.err)
			return e, nil
		}
		e.err, e.rows = "", msg.page.Earnings
		e.pg.Got(msg.page.Next)
		e.refresh()
	case tea.KeyMsg:
		act, cmd := e.tbl.Update(msg)
		if e.pg.Turn(act) {
			return e, tea.Batch(cmd, e.Load())
		}
		return e, cmd
	}
	return e, nil
}

func (e *earnings) refresh() {
	rows := make([][]string, 0, len(e.rows))
	for _, r := range e.rows {
		status := strings.ReplaceAll(r.Status, "_", " ")
		if r.UnderReview {
			status = "under review"
		}
		approves := ""
		switch {
		case !r.ApprovesOn.IsZero():
			approves = r.ApprovesOn.UTC().Format("2006-01-02")
		case r.UnderReview:
			approves = "after review"
		}
		note := ""
		if r.Reversed.IsPositive() {
			note = "reversed " + money(r.Reversed, r.Currency)
		}
		if r.Reason != "" {
			if note != "" {
				note += "; "
			}
			note += sanitize.Line(r.Reason)
		}
		rows = append(rows, []string{r.Date.UTC().Format("2006-01-02"), money(r.OrderAmount, r.Currency),
			money(r.Amount, r.Currency), status, approves, note})
	}
	e.tbl.SetRows(rows)
}

func (e *earnings) ShortHelp() []key.Binding {
	k := e.sh.keys
	return []key.Binding{k.Up, k.Down, k.PageDown}
}

func (e *earnings) FullHelp() [][]key.Binding {
	k := e.sh.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}}
}

func (e *earnings) View() string {
	st := e.sh.st
	if e.err != "" {
		return st.Bad.Render(e.err)
	}
	head := st.Heading.Render("Earnings") + e.pg.PageNote(e.sh.c) + st.Dim.Render("  newest first; pending commissions are approved on the date shown") + "\n"
	if len(e.rows) == 0 {
		if e.loading {
			return head + st.Dim.Render("Loading…")
		}
		return head + st.Dim.Render("No commissions yet. They appear here when a customer you referred pays.")
	}
	return head + e.tbl.View()
}
