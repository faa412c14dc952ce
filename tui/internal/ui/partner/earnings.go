package partner

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

type earnings struct {
	sh      *shared
	width   int
	height  int
	rows    []store.Earning
	next    uint64
	loading bool
	err     string
	tbl     scrollList
}

type earningsMsg struct {
	page   *store.EarningsPage
	append bool
	err    error
}

func newEarnings(sh *shared) *earnings {
	e := &earnings{sh: sh}
	e.tbl = scrollList{keys: sh.keys, st: sh.st, cols: []column{
		{title: "DATE", width: 10}, {title: "ORDER", width: 12, right: true}, {title: "COMMISSION", width: 11, right: true},
		{title: "STATUS", width: 12}, {title: "APPROVED ON", width: 12}, {title: "NOTE", width: 0},
	}}
	return e
}

func (e *earnings) Title() string { return "Earnings" }
func (e *earnings) Editing() bool { return false }

func (e *earnings) SetSize(w, h int) {
	e.width, e.height = w, h
	e.tbl.setSize(w, h-3)
}

func (e *earnings) Load() tea.Cmd { return e.load(0, false) }

func (e *earnings) load(before uint64, appendRows bool) tea.Cmd {
	e.loading = true
	data := e.sh.data
	return func() tea.Msg {
		p, err := data.Earnings(e.sh.ctx(), before)
		return earningsMsg{page: p, append: appendRows, err: err}
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
		e.err = ""
		if msg.append {
			e.rows = append(e.rows, msg.page.Earnings...)
		} else {
			e.rows = msg.page.Earnings
		}
		e.next = msg.page.Next
		e.refresh()
	case tea.KeyMsg:
		if e.tbl.update(msg) && e.tbl.nearEnd() && e.next != 0 && !e.loading {
			return e, e.load(e.next, true)
		}
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
	e.tbl.setRows(rows)
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
	head := st.Heading.Render("Earnings") + st.Dim.Render("  newest first; pending commissions are approved on the date shown") + "\n"
	if len(e.rows) == 0 {
		if e.loading {
			return head + st.Dim.Render("Loading…")
		}
		return head + st.Dim.Render("No commissions yet. They appear here when a customer you referred pays.")
	}
	more := ""
	if e.next != 0 {
		more = "\n" + st.Dim.Render("more below: ↓ loads them")
	}
	return head + e.tbl.view() + more
}
