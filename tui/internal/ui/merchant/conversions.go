package merchant

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/table"
)

// conversions is tab 3: every conversion newest first, `/` searches order
// and customer ids, enter shows one.
type conversions struct {
	base
	t      *table.Table
	pg     table.Pager[uint64]
	rows   []store.ConversionRow
	detail *store.ConversionRow
}

type conversionsMsg struct {
	slug string
	seq  int
	page *store.ConversionPage
	err  error
}

func newConversions(c *common.Common, slug string) *conversions {
	v := &conversions{base: newBase(c, slug)}
	v.t = table.New(c, []table.Column{
		{Title: "Time", Width: 16},
		{Title: "Order", Width: 10, Flex: true},
		{Title: "Customer", Width: 10, Optional: true},
		{Title: "Partner", Width: 12},
		{Title: "Amount", Width: 10, Right: true},
		{Title: "Kind", Width: 7, Optional: true},
		{Title: "Commission", Width: 10, Right: true},
		{Title: "Status", Width: 10},
		{Title: "Flags", Width: 6, Optional: true},
	})
	v.pg = table.NewPager[uint64](v.t)
	v.t.Filterable = true
	v.t.Empty = "No conversions yet. They arrive through the conversion API and Stripe webhooks."
	v.SetSize(c.Width, c.Height)
	return v
}

func (v *conversions) Title() string   { return "Conversions" }
func (v *conversions) Init() tea.Cmd   { return v.load() }
func (v *conversions) Reload() tea.Cmd { return v.load() }
func (v *conversions) Capturing() bool { return v.t.Filtering() }

func (v *conversions) SetSize(w, h int) {
	v.base.SetSize(w, h)
	v.t.SetSize(w, h-1)
}

func (v *conversions) load() tea.Cmd {
	seq, slug, data, ctx := v.next(), v.slug, v.c.Data, v.c.Ctx
	q := store.PageQuery{Search: v.t.Query(), Cursor: v.pg.Cursor(), Limit: v.t.PageSize()}
	return func() tea.Msg {
		page, err := data.Conversions(ctx, slug, q)
		return conversionsMsg{slug: slug, seq: seq, page: page, err: err}
	}
}

func (v *conversions) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case conversionsMsg:
		if !v.fresh(msg.slug, msg.seq, msg.err) {
			return v, nil
		}
		v.rows = msg.page.Rows
		v.pg.Got(msg.page.Next)
		rows := make([][]string, len(v.rows))
		for i, r := range v.rows {
			cv := r.Conversion
			comm, status, flags := "", "", ""
			if m := r.Commission; m != nil {
				comm, status = common.Amount(m.Net(), m.Currency), statusWord(v.c, m.Status)
				if len(m.Flags) > 0 {
					flags = v.c.Styles.Bad.Render(fmt.Sprint(len(m.Flags), " flag"))
				}
			}
			partner := common.Clean(r.PartnerName)
			if !cv.Attributed {
				partner = v.c.Styles.Dim.Render("—")
			}
			rows[i] = []string{common.Date(cv.OccurredAt), common.Clean(cv.OrderID), common.Clean(cv.CustomerID), partner,
				common.Amount(cv.Amount, cv.Currency), cv.Kind, comm, status, flags}
		}
		v.t.SetRows(rows)
		return v, nil
	case tea.KeyMsg:
		k := v.c.Keys
		if v.detail != nil {
			if key.Matches(msg, k.Back) {
				v.detail = nil
			}
			return v, nil
		}
		if !v.t.Filtering() && key.Matches(msg, k.Open) {
			if i := v.t.Cursor(); i >= 0 && i < len(v.rows) {
				r := v.rows[i]
				v.detail = &r
			}
			return v, nil
		}
		act, cmd := v.t.Update(msg)
		if v.pg.Turn(act) {
			return v, tea.Batch(cmd, v.load())
		}
		return v, cmd
	}
	return v, nil
}

func (v *conversions) ShortHelp() []key.Binding {
	k := v.c.Keys
	switch {
	case v.t.Filtering():
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")), key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear"))}
	case v.detail != nil:
		return []key.Binding{k.Back}
	}
	return []key.Binding{k.Filter, k.Open, k.PageDown}
}

func (v *conversions) FullHelp() [][]key.Binding {
	return [][]key.Binding{{v.c.Keys.Filter, v.c.Keys.Open}}
}

func (v *conversions) View() string {
	s := v.c.Styles
	if v.loadErr != "" {
		return s.Bad.Render(v.loadErr)
	}
	if v.detail != nil {
		return v.detailView()
	}
	head := s.Heading.Render("Conversions") + s.Dim.Render("  newest first · / searches order and customer ids")
	head += v.pg.PageNote(v.c)
	return common.Truncate(head, v.width) + "\n" + v.t.View()
}

func (v *conversions) detailView() string {
	s := v.c.Styles
	r := v.detail
	cv := r.Conversion
	var b strings.Builder
	b.WriteString(s.Heading.Render("Conversion "+fmt.Sprint(cv.ID)) + s.Dim.Render("  esc back") + "\n\n")
	pairs := [][2]string{
		{"Order", common.Clean(cv.OrderID)},
		{"Customer", common.Clean(cv.CustomerID)},
		{"Amount", common.Money(cv.Amount, cv.Currency) + " (" + cv.Kind + ")"},
		{"Refunded", common.Money(cv.Refunded, cv.Currency)},
		{"Occurred", common.Date(cv.OccurredAt) + " UTC"},
	}
	if cv.Attributed {
		pairs = append(pairs, [2]string{"Partner", fmt.Sprintf("%s (partner %d, via %s)", common.Clean(r.PartnerName), cv.PartnerID, common.Clean(cv.Via))})
	} else {
		pairs = append(pairs, [2]string{"Partner", "not attributed"})
	}
	if m := r.Commission; m != nil {
		pairs = append(pairs,
			[2]string{"Commission", fmt.Sprintf("%s %s (rule %s)", common.Money(m.Net(), m.Currency), m.Status, common.Clean(m.Rule))},
			[2]string{"Hold until", common.Date(m.HoldUntil)})
		for _, f := range m.Flags {
			pairs = append(pairs, [2]string{"Flag", flagText(f)})
		}
	}
	for _, p := range pairs {
		b.WriteString(s.Label.Render(common.Pad(p[0], 12)) + " " + common.Truncate(p[1], max(v.width-13, 10)) + "\n")
	}
	return b.String()
}
