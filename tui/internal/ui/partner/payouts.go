package partner

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/table"
)

type payouts struct {
	sh     *shared
	width  int
	height int
	rows   []store.PartnerPayout
	loaded bool
	err    string
	tbl    *table.Table
}

type payoutsMsg struct {
	rows []store.PartnerPayout
	err  error
}

func newPayouts(sh *shared) *payouts {
	p := &payouts{sh: sh}
	p.tbl = table.New(sh.c, []table.Column{
		{Title: "DATE", Width: 10}, {Title: "AMOUNT", Width: 14, Right: true}, {Title: "METHOD", Width: 8},
		{Title: "STATUS", Width: 9}, {Title: "BATCH", Width: 6, Right: true}, {Title: "TO", Flex: true},
	})
	return p
}

func (p *payouts) Title() string { return "Payouts" }
func (p *payouts) Editing() bool { return false }

func (p *payouts) SetSize(w, h int) {
	p.width, p.height = w, h
	p.tbl.SetSize(w, h-2) // the heading line above it
}

func (p *payouts) Load() tea.Cmd {
	data := p.sh.data
	return func() tea.Msg {
		rows, err := data.Payouts(p.sh.ctx())
		return payoutsMsg{rows: rows, err: err}
	}
}

func (p *payouts) Update(msg tea.Msg) (Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case payoutsMsg:
		p.loaded = true
		if msg.err != nil {
			p.err = errText(msg.err)
			return p, nil
		}
		p.err, p.rows = "", msg.rows
		rows := make([][]string, 0, len(p.rows))
		for _, r := range p.rows {
			cur := r.Item.Currency
			rows = append(rows, []string{r.Date.UTC().Format("2006-01-02"), money(r.Item.Amount, cur), r.Item.Method,
				r.Item.Status, fmt.Sprint(r.BatchID), sanitize.Line(r.Item.Email)})
		}
		p.tbl.SetRows(rows)
	case tea.KeyMsg:
		p.tbl.Update(msg) // every row is on the one page
	}
	return p, nil
}

func (p *payouts) ShortHelp() []key.Binding {
	k := p.sh.keys
	return []key.Binding{k.Up, k.Down}
}

func (p *payouts) FullHelp() [][]key.Binding {
	k := p.sh.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}}
}

func (p *payouts) View() string {
	st := p.sh.st
	if p.err != "" {
		return st.Bad.Render(p.err)
	}
	head := st.Heading.Render("Payouts") + st.Dim.Render("  batches that paid you") + "\n"
	if len(p.rows) == 0 {
		if !p.loaded {
			return head + st.Dim.Render("Loading…")
		}
		lines := []string{st.Dim.Render("No payouts yet.")}
		if h := p.sh.hdr; h != nil {
			lines = append(lines, st.Dim.Render(fmt.Sprintf("You are paid once your approved earnings reach %s and you have a payout method (Profile, 6).",
				money(h.Program.MinPayout, h.Program.Currency))))
		}
		return head + strings.Join(wrapAll(lines, p.width), "\n")
	}
	return head + p.tbl.View()
}

func wrapAll(lines []string, w int) []string {
	var out []string
	for _, l := range lines {
		out = append(out, wrap(l, w)...)
	}
	return out
}
