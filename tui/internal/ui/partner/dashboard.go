package partner

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/ui/styles"
)

// dashboardDays are the periods d cycles through.
var dashboardDays = []int{7, 30, 90}

type dashboard struct {
	sh     *shared
	width  int
	height int
	period int // index into dashboardDays
	stats  *store.Stats
	err    string
	// The last screen drawn and what it was drawn from: live updates
	// re-read the figures after every change of the program, and most
	// leave this partner's as they were.
	memo     dashboardMemo
	memoView string
}

type dashboardMemo struct {
	stats         *store.Stats
	hdr           *Header
	st            *styles.Styles
	width, height int
}

type dashboardMsg struct {
	stats *store.Stats
	err   error
}

func newDashboard(sh *shared) *dashboard { return &dashboard{sh: sh, period: 1} }

func (d *dashboard) Title() string { return "Dashboard" }
func (d *dashboard) Editing() bool { return false }

func (d *dashboard) SetSize(w, h int) { d.width, d.height = w, h }

func (d *dashboard) Load() tea.Cmd {
	data, days := d.sh.data, dashboardDays[d.period]
	return func() tea.Msg {
		st, err := data.Stats(d.sh.ctx(), days)
		return dashboardMsg{stats: st, err: err}
	}
}

func (d *dashboard) Update(msg tea.Msg) (Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case dashboardMsg:
		if msg.err != nil {
			d.err = errText(msg.err)
			return d, nil
		}
		if d.err != "" || !reflect.DeepEqual(d.stats, msg.stats) { // the same figures keep what was drawn
			d.err, d.stats = "", msg.stats
		}
	case tea.KeyMsg:
		if key.Matches(msg, d.sh.keys.Days) {
			d.period = (d.period + 1) % len(dashboardDays)
			return d, d.Load()
		}
	}
	return d, nil
}

func (d *dashboard) ShortHelp() []key.Binding { return []key.Binding{d.sh.keys.Days} }
func (d *dashboard) FullHelp() [][]key.Binding {
	return [][]key.Binding{{d.sh.keys.Days}}
}

func (d *dashboard) View() string {
	st := d.sh.st
	if d.err != "" {
		return st.Bad.Render(d.err)
	}
	h := d.sh.hdr
	if h == nil || d.stats == nil {
		return st.Dim.Render("Loading…")
	}
	m := dashboardMemo{stats: d.stats, hdr: h, st: st, width: d.width, height: d.height}
	if m != d.memo {
		d.memo, d.memoView = m, d.view(h)
	}
	return d.memoView
}

func (d *dashboard) view(h *Header) string {
	st := d.sh.st
	var lines []string
	if w := strings.TrimSpace(h.Program.Welcome); w != "" {
		ws := wrap(sanitize.Text(w), d.width-2)
		if len(ws) > 3 {
			ws = append(ws[:2], ws[2]+" …")
			ws = ws[:3]
		}
		lines = append(lines, ws...)
		lines = append(lines, "")
	}
	switch h.Partner.Status {
	case store.PartnerApproved:
		lines = append(lines, st.CardLabel.Render("Your link  ")+st.Title.Render(d.sh.data.Link(h.Partner.Code)))
	case store.PartnerPending:
		lines = append(lines, st.Warn.Render("Waiting for approval: ")+"your link counts once "+sanitize.Line(h.Program.Name)+" approves you.")
	default:
		lines = append(lines, st.Bad.Render("Your membership is "+h.Partner.Status+": ")+"your link does not earn commission.")
	}
	s := d.stats
	cur := s.Currency
	rate := s.ConversionRate().Shift(2).StringFixed(1) + "%"
	lines = append(lines, "", st.Heading.Render(fmt.Sprintf("Last %d days", s.Days))+st.Dim.Render("  (d: 7 / 30 / 90)"))
	lines = append(lines, kpiLine(st, d.width,
		[2]string{"Clicks", fmt.Sprint(s.Clicks)}, [2]string{"Unique", fmt.Sprint(s.UniqueClicks)},
		[2]string{"Conversions", fmt.Sprint(s.Conversions)}, [2]string{"Conv. rate", rate},
		[2]string{"EPC", money(s.EPC(), cur)}))
	b := s.Balance
	lines = append(lines, "", st.Heading.Render("Earnings")+st.Dim.Render("  (all time)"))
	lines = append(lines, kpiLine(st, d.width,
		[2]string{"Pending", money(b.Pending, cur)}, [2]string{"Approved", money(b.Approved, cur)},
		[2]string{"In payout", money(b.InPayout, cur)}, [2]string{"Paid", money(b.Paid, cur)},
		[2]string{"Clawback", money(b.Clawback, cur)}))
	room := d.height - len(lines) - 2
	if room >= 4 {
		lines = append(lines, "")
		lines = append(lines, d.chart(min(room, 10))...)
	}
	return strings.Join(lines, "\n")
}

// kpiLine lays out captioned figures, wrapping onto a second line when the
// terminal is narrow.
func kpiLine(st *styles.Styles, width int, kpis ...[2]string) string {
	var out []string
	line := ""
	for _, k := range kpis {
		cell := st.CardLabel.Render(k[0]+" ") + st.CardValue.Render(k[1])
		if line != "" && lipgloss.Width(line)+3+lipgloss.Width(cell) > width {
			out = append(out, line)
			line = ""
		}
		if line != "" {
			line += "   "
		}
		line += cell
	}
	return strings.Join(append(out, line), "\n")
}

// chart draws clicks per day as bars (one column per day, or per few days
// when the period is wider than the terminal) and marks days with
// conversions under them.
func (d *dashboard) chart(height int) []string {
	st := d.sh.st
	days := d.stats.Daily
	if len(days) == 0 {
		return nil
	}
	width := max(10, d.width-8)
	per := (len(days) + width - 1) / width
	// Wide terminals: up to three columns per day.
	cw := max(1, min(3, width/len(days)))
	var clicks, convs []int64
	for i := 0; i < len(days); i += per {
		var c, v int64
		for j := i; j < min(i+per, len(days)); j++ {
			c += days[j].Clicks
			v += days[j].Conversions
		}
		clicks, convs = append(clicks, c), append(convs, v)
	}
	var top int64
	for _, c := range clicks {
		top = max(top, c)
	}
	rows := height - 2
	blocks := []rune(" ▁▂▃▄▅▆▇█")
	out := make([]string, 0, height)
	title := "Clicks per day"
	if per > 1 {
		title = fmt.Sprintf("Clicks per %d days", per)
	}
	out = append(out, st.Dim.Render(title+fmt.Sprintf(" (max %d)", top)))
	for r := rows - 1; r >= 0; r-- {
		var b strings.Builder
		for _, c := range clicks {
			eighths := int64(0)
			if top > 0 {
				eighths = c * int64(rows*8) / top
			}
			fill := eighths - int64(r*8)
			ch := ' '
			switch {
			case fill >= 8:
				ch = blocks[8]
			case fill > 0:
				ch = blocks[fill]
			case r == 0 && c > 0:
				ch = blocks[1]
			}
			b.WriteString(strings.Repeat(string(ch), cw))
		}
		out = append(out, "  "+st.Title.Render(b.String()))
	}
	var marks strings.Builder
	for _, v := range convs {
		mark := "·"
		if v > 0 {
			mark = "•"
		}
		marks.WriteString(mark + strings.Repeat(" ", cw-1))
	}
	out = append(out, "  "+st.Dim.Render(marks.String())+st.Dim.Render("  • conversion"))
	return out
}
