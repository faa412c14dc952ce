package merchant

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/chart"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/form"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/table"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
)

// partnerStatuses are the Partners tab's filters, cycled with f.
var partnerStatuses = [...]string{"", store.PartnerPending, store.PartnerApproved, store.PartnerRejected, store.PartnerSuspended}

// partners is tab 2: the partner table, its status filter and search,
// approve / reject / suspend, and a partner's detail with the commission
// override form.
type partners struct {
	base
	t      *table.Table
	status int
	pg     table.Pager[uint64]
	rows   []store.PartnerRow
	total  int
	// detail
	detail   *store.PartnerRow
	dStats   *store.Stats
	dLinks   []store.LinkStat
	dConvs   []store.ConversionRow
	currency string
	edit     *form.Form

	keyApprove, keyReject, keySuspend, keyFilter, keyEdit key.Binding
}

type partnersMsg struct {
	slug     string
	seq      int
	page     *store.PartnerPage
	total    int
	currency string
	err      error
}

type partnerDetailMsg struct {
	slug     string
	id       uint64
	st       *store.Stats
	links    []store.LinkStat
	convs    []store.ConversionRow
	currency string
	err      error
}

func newPartners(c *common.Common, slug string) *partners {
	p := &partners{base: newBase(c, slug),
		keyApprove: keymap.Action("a", "approve"), keyReject: keymap.Action("x", "reject"),
		keySuspend: keymap.Action("s", "suspend"), keyFilter: filterKey("status filter"),
		keyEdit: keymap.Action("e", "edit commission")}
	p.t = table.New(c, []table.Column{
		{Title: "Name", Width: 14, Flex: true},
		{Title: "Email", Width: 16, Optional: true},
		{Title: "Status", Width: 9},
		{Title: "Code", Width: 8, Optional: true},
		{Title: "Clicks", Width: 6, Right: true},
		{Title: "Conv", Width: 4, Right: true},
		{Title: "Revenue", Width: 10, Right: true},
		{Title: "Commission", Width: 10, Right: true},
	})
	p.t.Filterable = true
	p.t.Empty = "No partners yet. Partners join with: " + c.Hint("") + " join " + slug + " --name NAME --email EMAIL"
	p.pg = table.NewPager[uint64](p.t)
	p.SetSize(c.Width, c.Height)
	return p
}

func (p *partners) Title() string { return "Partners" }
func (p *partners) Init() tea.Cmd { return p.load() }

func (p *partners) Reload() tea.Cmd {
	if p.detail != nil {
		return tea.Batch(p.load(), p.loadDetail(p.detail.ID))
	}
	return p.load()
}

func (p *partners) SetSize(w, h int) {
	p.base.SetSize(w, h)
	p.t.SetSize(w, h-1)
}

func (p *partners) Capturing() bool {
	return p.ask.Active() || p.t.Filtering() || p.edit != nil
}

func (p *partners) query() store.PageQuery {
	return store.PageQuery{Status: partnerStatuses[p.status], Search: p.t.Query(),
		Cursor: p.pg.Cursor(), Limit: p.t.PageSize()}
}

func (p *partners) load() tea.Cmd {
	seq, slug, q, data, ctx := p.next(), p.slug, p.query(), p.c.Data, p.c.Ctx
	return func() tea.Msg {
		page, err := data.Partners(ctx, slug, q)
		if err != nil {
			return partnersMsg{slug: slug, seq: seq, err: err}
		}
		total, err := data.PartnerCount(ctx, slug)
		if err != nil {
			return partnersMsg{slug: slug, seq: seq, err: err}
		}
		prog, err := data.Program(ctx, slug)
		if err != nil {
			return partnersMsg{slug: slug, seq: seq, err: err}
		}
		return partnersMsg{slug: slug, seq: seq, page: page, total: total, currency: prog.Currency}
	}
}

func (p *partners) loadDetail(id uint64) tea.Cmd {
	slug, data, ctx := p.slug, p.c.Data, p.c.Ctx
	return func() tea.Msg {
		m := partnerDetailMsg{slug: slug, id: id}
		if m.st, m.err = data.PartnerStats(slug, id, 30); m.err != nil {
			return m
		}
		m.currency = m.st.Currency
		if m.links, m.err = data.PartnerLinks(ctx, slug, id); m.err != nil {
			return m
		}
		var page *store.ConversionPage
		if page, m.err = data.Conversions(ctx, slug, store.PageQuery{PartnerID: id, Limit: 5}); m.err == nil {
			m.convs = page.Rows
		}
		return m
	}
}

func (p *partners) setRows() {
	cur := p.currency
	rows := make([][]string, len(p.rows))
	for i, r := range p.rows {
		rows[i] = []string{
			common.Clean(r.Name), common.Clean(r.Email), statusWord(p.c, r.Status), common.Clean(r.Code),
			fmt.Sprint(r.Totals.Clicks), fmt.Sprint(r.Totals.Conversions),
			common.Amount(r.Totals.Revenue, cur), common.Amount(r.Totals.Commission, cur),
		}
	}
	p.t.SetRows(rows)
}

func (p *partners) selected() *store.PartnerRow {
	if i := p.t.Cursor(); i >= 0 && i < len(p.rows) {
		return &p.rows[i]
	}
	return nil
}

func (p *partners) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case partnersMsg:
		if !p.fresh(msg.slug, msg.seq, msg.err) {
			return p, nil
		}
		p.rows, p.total, p.currency = msg.page.Rows, msg.total, msg.currency
		p.pg.Got(msg.page.Next)
		if p.detail != nil {
			p.detail = table.Refreshed(p.rows, p.detail, func(r *store.PartnerRow) uint64 { return r.ID })
		}
		p.setRows()
		return p, nil
	case partnerDetailMsg:
		if msg.slug != p.slug || p.detail == nil || msg.id != p.detail.ID {
			return p, nil
		}
		if msg.err != nil {
			return p, common.Fail(msg.err)
		}
		p.dStats, p.dLinks, p.dConvs, p.currency = msg.st, msg.links, msg.convs, msg.currency
		p.setRows()
		return p, nil
	case actionResult:
		if msg.slug != p.slug {
			return p, nil
		}
		return p, tea.Batch(report(msg), p.Reload())
	case tea.KeyMsg:
		return p, p.key(msg)
	}
	return p, nil
}

func (p *partners) key(msg tea.KeyMsg) tea.Cmd {
	if p.ask.Active() {
		return p.ask.Update(msg)
	}
	if p.edit != nil {
		return p.editKey(msg)
	}
	k := p.c.Keys
	if p.detail != nil {
		switch {
		case key.Matches(msg, k.Back):
			p.detail = nil
			return nil
		case key.Matches(msg, p.keyEdit):
			p.openEdit()
			return nil
		}
		return p.action(msg, p.detail)
	}
	switch {
	case !p.t.Filtering() && key.Matches(msg, p.keyFilter):
		p.status = (p.status + 1) % len(partnerStatuses)
		p.pg.First()
		return p.load()
	case !p.t.Filtering() && key.Matches(msg, k.Open):
		if r := p.selected(); r != nil {
			row := *r
			p.detail = &row
			p.dStats, p.dLinks, p.dConvs = nil, nil, nil
			return p.loadDetail(row.ID)
		}
		return nil
	}
	if !p.t.Filtering() {
		if cmd := p.action(msg, p.selected()); cmd != nil {
			return cmd
		}
	}
	act, cmd := p.t.Update(msg)
	if p.pg.Turn(act) {
		return tea.Batch(cmd, p.load())
	}
	return cmd
}

// action asks y/n for approve / reject / suspend of r.
func (p *partners) action(msg tea.KeyMsg, r *store.PartnerRow) tea.Cmd {
	if r == nil {
		return nil
	}
	var status, verb string
	switch {
	case key.Matches(msg, p.keyApprove):
		status, verb = store.PartnerApproved, "Approve"
	case key.Matches(msg, p.keyReject):
		status, verb = store.PartnerRejected, "Reject"
	case key.Matches(msg, p.keySuspend):
		status, verb = store.PartnerSuspended, "Suspend"
	default:
		return nil
	}
	id, name, slug, data := r.ID, common.Clean(nameOr(r.Name, r.Email)), p.slug, p.c.Data
	p.ask.Ask(fmt.Sprintf("%s partner %s?", verb, name), func() tea.Cmd {
		return act(slug, func() (string, error) {
			pt, err := data.SetPartnerStatus(slug, id, status)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Partner %s is now %s.", name, pt.Status), nil
		})
	})
	return nil
}

func (p *partners) openEdit() {
	cur, plan, now := p.currency, "", "the program's plan"
	if p.detail.Plan != nil {
		plan, now = p.detail.Plan.String(), store.PlanText(*p.detail.Plan, cur)
	}
	p.edit = form.New(p.c, "Commission override for "+common.Clean(nameOr(p.detail.Name, p.detail.Email)), []*form.Field{{
		Key: "plan", Label: "Commission",
		Hint: "now " + now + `; e.g. 25% or "20%; 10:25%" (a number alone is an amount in ` + cur + `); empty = the program's plan`,
		Validate: func(v string) error {
			if strings.TrimSpace(v) == "" {
				return nil
			}
			_, err := store.ParsePlan(v, cur)
			return err
		},
	}}, map[string]string{"plan": plan})
}

func (p *partners) editKey(msg tea.KeyMsg) tea.Cmd {
	res, cmd := p.edit.Update(msg)
	switch res {
	case form.Cancelled:
		p.edit = nil
	case form.Submitted:
		plan, id, slug, data, cur := p.edit.Value("plan"), p.detail.ID, p.slug, p.c.Data, p.currency
		p.edit = nil
		return act(slug, func() (string, error) {
			pt, err := data.SetPartnerPlan(slug, id, plan)
			if err != nil {
				return "", err
			}
			if pt.Plan == nil {
				return "Partner earns the program's commission again.", nil
			}
			return "Partner now earns " + store.PlanText(*pt.Plan, cur) + ".", nil
		})
	}
	return cmd
}

func (p *partners) ShortHelp() []key.Binding {
	k := p.c.Keys
	switch {
	case p.ask.Active():
		return p.ask.Help()
	case p.edit != nil:
		return p.edit.Help()
	case p.t.Filtering():
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))}
	case p.detail != nil:
		return []key.Binding{p.keyApprove, p.keyReject, p.keySuspend, p.keyEdit, k.Back}
	}
	return []key.Binding{p.keyApprove, p.keyReject, p.keySuspend, p.keyFilter, k.Filter, k.Open}
}

func (p *partners) FullHelp() [][]key.Binding {
	return [][]key.Binding{{p.keyApprove, p.keyReject, p.keySuspend, p.keyFilter, p.keyEdit}}
}

func (p *partners) View() string {
	s := p.c.Styles
	if p.loadErr != "" {
		return s.Bad.Render(p.loadErr)
	}
	if p.edit != nil {
		return p.edit.View(p.width)
	}
	if p.detail != nil {
		return p.withAsk(p.detailView())
	}
	filter := "all"
	if st := partnerStatuses[p.status]; st != "" {
		filter = st
	}
	head := s.Heading.Render("Partners") + s.Dim.Render(fmt.Sprintf("  %s · %d shown", filter, len(p.rows)))
	if p.loaded {
		head += s.Dim.Render(fmt.Sprintf(" · %d in all", p.total))
	}
	head += p.pg.PageNote(p.c)
	return p.withAsk(common.Truncate(head, p.width) + "\n" + p.t.View())
}

func (p *partners) detailView() string {
	s := p.c.Styles
	d := p.detail
	cur := p.currency
	var b strings.Builder
	b.WriteString(s.Heading.Render(common.Clean(nameOr(d.Name, d.Email))) + "  " + statusWord(p.c, d.Status) +
		s.Dim.Render(fmt.Sprintf("  partner %d · %s · joined %s", d.ID, common.Clean(d.Email), common.Day(d.CreatedAt))) + "\n")
	plan := "the program's plan"
	if d.Plan != nil {
		plan = store.PlanText(*d.Plan, cur)
	}
	b.WriteString(s.Dim.Render("Commission: ") + plan + s.Dim.Render(fmt.Sprintf(" · %d customers", d.Customers)) + "\n")
	bal := d.Balance
	if p.dStats != nil {
		bal = p.dStats.Balance // as of now: commissions whose hold ended count as approved
	}
	b.WriteString(s.Dim.Render(common.Truncate(fmt.Sprintf("Balance: pending %s · approved %s · in payout %s · paid %s · clawback %s %s",
		common.Amount(bal.Pending, cur), common.Amount(bal.Approved, cur), common.Amount(bal.InPayout, cur),
		common.Amount(bal.Paid, cur), common.Amount(bal.Clawback, cur), cur), p.width)) + "\n")
	if st := p.dStats; st != nil {
		b.WriteString(fmt.Sprintf("Last 30 days: %d clicks · %d conversions · %s revenue · %s commission\n",
			st.Clicks, st.Conversions, common.Money(st.Revenue, cur), common.Money(st.Commission, cur)))
		days := make([]time.Time, len(st.Daily))
		clicks, convs := make([]float64, len(st.Daily)), make([]float64, len(st.Daily))
		for i, dd := range st.Daily {
			days[i], clicks[i], convs[i] = dd.Day, float64(dd.Clicks), float64(dd.Conversions)
		}
		b.WriteString(chart.Bars(p.c, p.width, 2, days, chart.Series{Label: "clicks", Values: clicks, Style: s.BarA.Style},
			chart.Series{Label: "conv", Values: convs, Style: s.BarB.Style}) + "\n")
	} else {
		b.WriteString(s.Dim.Render("Loading…") + "\n")
	}
	b.WriteString(s.Heading.Render("Links") + "\n")
	for i, l := range p.dLinks {
		if i == 3 {
			b.WriteString(s.Dim.Render(fmt.Sprintf("  … and %d more", len(p.dLinks)-3)) + "\n")
			break
		}
		b.WriteString(common.Truncate(fmt.Sprintf("  %s  %d clicks · %d conv", p.c.Link(common.Clean(l.Code)), l.Clicks, l.Conversions), p.width) + "\n")
	}
	b.WriteString(s.Heading.Render("Recent conversions") + "\n")
	if len(p.dConvs) == 0 {
		b.WriteString(s.Dim.Render("  none yet") + "\n")
	}
	for _, r := range p.dConvs {
		cv := r.Conversion
		comm := ""
		if r.Commission != nil {
			comm = common.Amount(r.Commission.Amount, cv.Currency) + " " + r.Commission.Status
		}
		b.WriteString(common.Truncate(fmt.Sprintf("  %s  %-14s %10s  %s", common.Date(cv.OccurredAt), common.Clean(cv.OrderID),
			common.Amount(cv.Amount, cv.Currency), comm), p.width) + "\n")
	}
	return b.String()
}

func nameOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
