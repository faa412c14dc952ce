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
	"github.com/affogato-sh/affogato/tui/internal/ui/components/kpi"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
)

// periods are the Overview's day ranges, cycled with d.
var periods = [...]int{7, 30, 90}

// overview is tab 1: the period's figures, balances, a per-day chart and
// the top 5 partners.
type overview struct {
	base
	period  int // index into periods
	revenue bool
	st      *store.Stats
	top     []store.TopPartner
	keyDays key.Binding
	keyMode key.Binding
	topAt   time.Time // when the top partners were last asked for
	topDays int
	topDone bool // a top-partners answer arrived
	topDue  bool // a re-read is scheduled
}

type overviewMsg struct {
	slug string
	seq  int
	st   *store.Stats
	err  error
}

// topDueMsg says the top partners may be read again (changes came in
// since the last read).
type topDueMsg struct{ slug string }

// topMsg is the top partners of a period.
type topMsg struct {
	slug string
	days int
	top  []store.TopPartner
	err  error
}

// topEvery is how often live updates re-read the top partners: that read
// is O(partners × days), so a busy program does not re-run it on every
// change signal (the figures above it update every time).
const topEvery = 10 * time.Second

func newOverview(c *common.Common, slug string) *overview {
	return &overview{base: newBase(c, slug), period: 1,
		keyDays: c.Keys.Days, keyMode: keymap.Action("c", "chart: clicks/revenue")}
}

func (o *overview) Title() string   { return "Overview" }
func (o *overview) Init() tea.Cmd   { return o.load() }
func (o *overview) Reload() tea.Cmd { return o.load() }
func (o *overview) Capturing() bool { return false }

func (o *overview) load() tea.Cmd {
	seq, slug, days, data, ctx := o.next(), o.slug, periods[o.period], o.c.Data, o.c.Ctx
	stats := func() tea.Msg {
		st, err := data.Stats(slug, days)
		return overviewMsg{slug: slug, seq: seq, st: st, err: err}
	}
	now := o.c.Now()
	if o.topDays == days && now.Sub(o.topAt) < topEvery {
		if o.topDue {
			return stats
		}
		// Changed since the last read: read it again when its time comes.
		o.topDue = true
		return tea.Batch(stats, common.Tick(ctx, o.topAt.Add(topEvery).Sub(now), func(time.Time) tea.Msg { return topDueMsg{slug: slug} }))
	}
	o.topDue = false
	o.topAt, o.topDays = now, days
	top := func() tea.Msg {
		top, err := data.TopPartners(ctx, slug, days, 5)
		return topMsg{slug: slug, days: days, top: top, err: err}
	}
	return tea.Batch(stats, top)
}

func (o *overview) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case overviewMsg:
		if !o.current(msg.slug, msg.seq) {
			return o, nil
		}
		o.done(msg.err)
		if msg.err == nil {
			o.st = msg.st
		}
	case topDueMsg:
		if msg.slug != o.slug || !o.topDue {
			return o, nil
		}
		o.topDue = false
		o.topAt = time.Time{}
		return o, o.load()
	case topMsg:
		if msg.slug != o.slug || msg.days != periods[o.period] {
			return o, nil
		}
		if msg.err != nil {
			return o, common.Fail(msg.err)
		}
		o.top, o.topDone = msg.top, true
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, o.keyDays):
			o.period = (o.period + 1) % len(periods)
			return o, o.load()
		case key.Matches(msg, o.keyMode):
			o.revenue = !o.revenue
		}
	}
	return o, nil
}

func (o *overview) ShortHelp() []key.Binding  { return []key.Binding{o.keyDays, o.keyMode} }
func (o *overview) FullHelp() [][]key.Binding { return [][]key.Binding{{o.keyDays, o.keyMode}} }

func (o *overview) View() string {
	s := o.c.Styles
	if o.loadErr != "" {
		return s.Bad.Render(o.loadErr)
	}
	if o.st == nil {
		return s.Dim.Render("Loading…")
	}
	st, cur := o.st, o.st.Currency
	var b strings.Builder
	b.WriteString(s.Heading.Render(fmt.Sprintf("Last %d days", st.Days)) + s.Dim.Render("  (d: 7/30/90 days)") + "\n")
	b.WriteString(kpi.Cards(o.c, o.width, 16, []kpi.Card{
		{Label: "Clicks", Value: fmt.Sprint(st.Clicks)},
		{Label: "Unique clicks", Value: fmt.Sprint(st.UniqueClicks)},
		{Label: "Conversions", Value: fmt.Sprint(st.Conversions)},
		{Label: "Referred", Value: fmt.Sprint(st.ReferredConversions)},
		{Label: "Conv. rate", Value: st.ConversionRate().Shift(2).StringFixed(2) + "%"},
		{Label: "Revenue", Value: common.Money(st.Revenue, cur)},
		{Label: "Referred rev.", Value: common.Money(st.ReferredRevenue, cur)},
		{Label: "Commission", Value: common.Money(st.Commission, cur)},
		{Label: "EPC", Value: common.Money(st.EPC(), cur)},
	}) + "\n")
	bal := st.Balance
	line := fmt.Sprintf("pending %s, approved %s, in payout %s, paid %s, clawback %s "+cur,
		common.Amount(bal.Pending, cur), common.Amount(bal.Approved, cur), common.Amount(bal.InPayout, cur),
		common.Amount(bal.Paid, cur), common.Amount(bal.Clawback, cur))
	b.WriteString(s.Dim.Render(common.Truncate(line, o.width)) + "\n\n")
	days := make([]time.Time, len(st.Daily))
	clicks, convs, revenue := make([]float64, len(st.Daily)), make([]float64, len(st.Daily)), make([]float64, len(st.Daily))
	for i, d := range st.Daily {
		days[i] = d.Day
		clicks[i], convs[i] = float64(d.Clicks), float64(d.Conversions)
		revenue[i] = d.Revenue.InexactFloat64() // drawing only, never money arithmetic
	}
	chartH := 3
	if o.height >= 30 {
		chartH = 5
	}
	if o.revenue {
		b.WriteString(chart.Bars(o.c, o.width, chartH*2, days, chart.Series{Label: "revenue", Values: revenue, Style: s.BarA.Style,
			Format: func(v float64) string { return fmt.Sprintf("%.0f", v) }}) + "\n\n")
	} else {
		b.WriteString(chart.Bars(o.c, o.width, chartH, days,
			chart.Series{Label: "clicks", Values: clicks, Style: s.BarA.Style},
			chart.Series{Label: "conv", Values: convs, Style: s.BarB.Style}) + "\n\n")
	}
	b.WriteString(s.Heading.Render("Top partners by revenue") + "\n")
	if o.top == nil && o.topDays != 0 && o.c.Now().Sub(o.topAt) < topEvery && !o.topDone {
		b.WriteString(s.Dim.Render("Loading…"))
	} else if len(o.top) == 0 {
		b.WriteString(s.Dim.Render("No partner activity in this period yet."))
	}
	nameW := max(o.width-44, 12)
	for _, t := range o.top {
		b.WriteString(common.Pad(common.Clean(t.Name), nameW) + " " +
			common.PadLeft(fmt.Sprint(t.Clicks), 8) + " clicks " +
			common.PadLeft(fmt.Sprint(t.Conversions), 5) + " conv " +
			common.PadLeft(common.Amount(t.Revenue, cur), 12) + "\n")
	}
	return b.String()
}
