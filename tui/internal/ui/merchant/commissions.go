package merchant

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/table"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
)

// commissionFilters are the Commissions tab's filters, cycled with f. The
// tab opens on the flagged ones when there are any: they wait for the
// merchant.
var commissionFilters = [...]string{"", store.FilterFlagged, store.CommissionPending, store.CommissionApproved,
	store.CommissionInPayout, store.CommissionPaid, store.CommissionRejected, store.CommissionReversed}

// scanBudget is how many commissions one filtered page examines at most.
const scanBudget = 5000

// commissions is tab 4: commissions by status, approve now or reject, and
// the detail with the fraud flags spelled out.
type commissions struct {
	base
	t      *table.Table
	pg     table.Pager[uint64]
	filter int
	rows   []store.CommissionRow
	detail *store.CommissionRow
	chosen bool // the merchant picked a filter (no more flagged-first)

	keyApprove, keyReject, keyFilter key.Binding
}

type commissionsMsg struct {
	slug   string
	seq    int
	page   *store.CommissionPage
	filter int
	err    error
}

func newCommissions(c *common.Common, slug string) *commissions {
	v := &commissions{base: newBase(c, slug), filter: 1,
		keyApprove: keymap.Action("a", "approve now"), keyReject: keymap.Action("x", "reject"),
		keyFilter: filterKey("status filter")}
	v.t = table.New(c, []table.Column{
		{Title: "Date", Width: 16},
		{Title: "Partner", Width: 12, Flex: true},
		{Title: "Amount", Width: 10, Right: true},
		{Title: "Status", Width: 10},
		{Title: "Flags", Width: 16},
		{Title: "Hold until", Width: 10, Optional: true},
		{Title: "Rule", Width: 10, Optional: true},
	})
	v.pg = table.NewPager[uint64](v.t)
	v.SetSize(c.Width, c.Height)
	return v
}

func (v *commissions) Title() string   { return "Commissions" }
func (v *commissions) Init() tea.Cmd   { return v.load() }
func (v *commissions) Reload() tea.Cmd { return v.load() }
func (v *commissions) Capturing() bool { return v.ask.Active() }

func (v *commissions) SetSize(w, h int) {
	v.base.SetSize(w, h)
	v.t.SetSize(w, h-1)
}

func (v *commissions) load() tea.Cmd {
	seq, slug, data, ctx, filter, chosen := v.next(), v.slug, v.c.Data, v.c.Ctx, v.filter, v.chosen
	q := store.PageQuery{Status: commissionFilters[filter], Cursor: v.pg.Cursor(), Limit: v.t.PageSize()}
	if q.Status != "" {
		q.MaxScan = scanBudget // a filter that matches little stays quick; pgdn reads on
	}
	return func() tea.Msg {
		page, err := data.Commissions(ctx, slug, q)
		if err != nil {
			return commissionsMsg{slug: slug, seq: seq, err: err}
		}
		// Flagged first: with nothing flagged, the tab shows all.
		if !chosen && filter == 1 && len(page.Rows) == 0 && q.Cursor == 0 {
			filter, q.Status, q.MaxScan = 0, "", 0
			if page, err = data.Commissions(ctx, slug, q); err != nil {
				return commissionsMsg{slug: slug, seq: seq, err: err}
			}
		}
		return commissionsMsg{slug: slug, seq: seq, page: page, filter: filter}
	}
}

func (v *commissions) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case commissionsMsg:
		if !v.fresh(msg.slug, msg.seq, msg.err) {
			return v, nil
		}
		v.filter = msg.filter
		v.rows = msg.page.Rows
		v.pg.Got(msg.page.Next)
		rows := make([][]string, len(v.rows))
		for i, r := range v.rows {
			flags := strings.Join(r.Flags, ",")
			if flags != "" {
				flags = v.c.Styles.Bad.Render(flags)
			}
			rows[i] = []string{common.Date(r.CreatedAt), common.Clean(r.PartnerName), common.Amount(r.Net(), r.Currency),
				statusWord(v.c, r.Status), flags, common.Day(r.HoldUntil), common.Clean(r.Rule)}
		}
		v.t.SetRows(rows)
		if v.detail != nil {
			v.detail = table.Refreshed(v.rows, v.detail, func(r *store.CommissionRow) uint64 { return r.ID })
		}
		return v, nil
	case actionResult:
		if msg.slug != v.slug {
			return v, nil
		}
		return v, tea.Batch(report(msg), v.load())
	case tea.KeyMsg:
		return v, v.key(msg)
	}
	return v, nil
}

func (v *commissions) key(msg tea.KeyMsg) tea.Cmd {
	if v.ask.Active() {
		return v.ask.Update(msg)
	}
	k := v.c.Keys
	sel := v.detail
	if sel == nil {
		if i := v.t.Cursor(); i >= 0 && i < len(v.rows) {
			sel = &v.rows[i]
		}
	}
	switch {
	case v.detail != nil && key.Matches(msg, k.Back):
		v.detail = nil
		return nil
	case v.detail == nil && key.Matches(msg, k.Open):
		if sel != nil {
			r := *sel
			v.detail = &r
		}
		return nil
	case v.detail == nil && key.Matches(msg, v.keyFilter):
		v.filter = (v.filter + 1) % len(commissionFilters)
		v.chosen = true
		v.pg.First()
		return v.load()
	case key.Matches(msg, v.keyApprove) && sel != nil:
		id, slug, data, amount := sel.ID, v.slug, v.c.Data, common.Money(sel.Net(), sel.Currency)
		flags := append([]string(nil), sel.Flags...)
		flagged := len(flags) > 0 && sel.Status == store.CommissionPending
		v.ask.Ask(fmt.Sprintf("Approve commission %d (%s) now?", id, amount), func() tea.Cmd {
			if !flagged {
				return act(slug, func() (string, error) {
					c, err := data.ApproveCommission(slug, id)
					if err != nil {
						return "", err
					}
					return fmt.Sprintf("Commission %d is %s.", c.ID, c.Status), nil
				})
			}
			// A second question names the flags: approving past them is
			// the merchant's recorded decision.
			v.ask.Ask(fmt.Sprintf("It has fraud flags: %s. Approve anyway (recorded with your name)?", strings.Join(flags, ", ")), func() tea.Cmd {
				return act(slug, func() (string, error) {
					c, err := data.ApproveFlaggedCommission(slug, id)
					if err != nil {
						return "", err
					}
					return fmt.Sprintf("Commission %d is %s, past its flags.", c.ID, c.Status), nil
				})
			})
			return nil
		})
		return nil
	case key.Matches(msg, v.keyReject) && sel != nil:
		id, slug, data, amount := sel.ID, v.slug, v.c.Data, common.Money(sel.Net(), sel.Currency)
		v.ask.Ask(fmt.Sprintf("Reject commission %d (%s)?", id, amount), func() tea.Cmd {
			return act(slug, func() (string, error) {
				c, err := data.RejectCommission(slug, id, "rejected in the dashboard")
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("Commission %d is %s.", c.ID, c.Status), nil
			})
		})
		return nil
	}
	if v.detail != nil {
		return nil
	}
	act, cmd := v.t.Update(msg)
	if v.pg.Turn(act) {
		return tea.Batch(cmd, v.load())
	}
	return cmd
}

func (v *commissions) ShortHelp() []key.Binding {
	if v.ask.Active() {
		return v.ask.Help()
	}
	if v.detail != nil {
		return []key.Binding{v.keyApprove, v.keyReject, v.c.Keys.Back}
	}
	return []key.Binding{v.keyApprove, v.keyReject, v.keyFilter, v.c.Keys.Open}
}

func (v *commissions) FullHelp() [][]key.Binding {
	return [][]key.Binding{{v.keyApprove, v.keyReject, v.keyFilter}}
}

func (v *commissions) View() string {
	s := v.c.Styles
	if v.loadErr != "" {
		return s.Bad.Render(v.loadErr)
	}
	if v.detail != nil {
		return v.withAsk(v.detailView())
	}
	filter := commissionFilters[v.filter]
	if filter == "" {
		filter = "all"
	}
	head := s.Heading.Render("Commissions") + s.Dim.Render("  "+filter+" · newest first")
	if v.filter == 1 {
		head += s.Dim.Render(" · flagged ones wait for you (f shows others)")
	}
	head += v.pg.PageNote(v.c)
	if v.t.HasNext && len(v.rows) < v.t.PageSize() {
		head += s.Dim.Render(fmt.Sprintf(" · newest %d read, pgdn reads older", scanBudget))
	}
	if len(v.rows) == 0 {
		v.t.Empty = "No " + map[bool]string{true: "", false: filter + " "}[filter == "all"] + "commissions."
	}
	return v.withAsk(common.Truncate(head, v.width) + "\n" + v.t.View())
}

func (v *commissions) detailView() string {
	s := v.c.Styles
	c := v.detail
	var b strings.Builder
	b.WriteString(s.Heading.Render(fmt.Sprintf("Commission %d", c.ID)) + "  " + statusWord(v.c, c.Status) + "\n\n")
	pairs := [][2]string{
		{"Partner", fmt.Sprintf("%s (partner %d)", common.Clean(c.PartnerName), c.PartnerID)},
		{"Amount", common.Money(c.Amount, c.Currency)},
		{"Reversed", common.Money(c.Reversed, c.Currency)},
		{"Net", common.Money(c.Net(), c.Currency)},
		{"Rule", common.Clean(c.Rule)},
		{"Conversion", fmt.Sprint(c.ConversionID)},
		{"Created", common.Date(c.CreatedAt)},
		{"Hold until", common.Date(c.HoldUntil)},
	}
	if c.BatchID != 0 {
		pairs = append(pairs, [2]string{"Batch", fmt.Sprint(c.BatchID)})
	}
	if c.Reason != "" {
		pairs = append(pairs, [2]string{"Reason", common.Clean(c.Reason)})
	}
	for _, p := range pairs {
		b.WriteString(s.Label.Render(common.Pad(p[0], 11)) + " " + p[1] + "\n")
	}
	if len(c.Flags) > 0 {
		b.WriteString("\n" + s.Bad.Render("Fraud review: this commission waits for you") + "\n")
		for _, f := range c.Flags {
			b.WriteString("  • " + common.Truncate(flagText(f), v.width-4) + "\n")
		}
	}
	return b.String()
}
