package merchant

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/table"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
)

// payoutsTab is tab 5: who is owed what, the batches, and on a batch:
// export (the CSV and the command that saves it), send through the
// provider API with a line per item as it goes, mark paid, refresh.
type payoutsTab struct {
	base
	owed      *table.Table
	batches   *table.Table
	focus     int // 0 owed, 1 batches
	owedRows  []store.OwedRow
	owedPg    table.Pager[uint64]
	batchRows []store.PayoutBatchHead // the list's rows (heads: no items)
	currency  string
	min       string
	schedule  string
	detail    *store.PayoutBatch
	export    string // the export view's text ("" = not shown)
	progress  []string
	running   bool // a send or refresh is under way

	keyNew, keySwitch, keyExport, keySend, keyPaid, keyRefresh key.Binding
}

type payoutsMsg struct {
	slug     string
	seq      int
	owed     *store.OwedPage
	batches  []store.PayoutBatchHead
	currency string
	min      string
	schedule string // how batches are made (payout schedule)
	err      error
}

type batchMsg struct {
	slug    string
	batch   *store.PayoutBatch
	skipped []store.Skipped
	created bool
	export  bool // read for its export (e on a list row), not to open it
	err     error
}

// progressMsg is one line of a send or refresh; done ends it.
type progressMsg struct {
	slug  string
	line  string
	next  tea.Cmd
	done  bool
	batch *store.PayoutBatch
	err   error
}

func newPayouts(c *common.Common, slug string) *payoutsTab {
	v := &payoutsTab{base: newBase(c, slug),
		keyNew: keymap.Action("n", "new batch"), keySwitch: keymap.Action("o", "owed/batches"),
		keyExport: keymap.Action("e", "export CSV"), keySend: keymap.Action("s", "send via API"),
		keyPaid: keymap.Action("m", "mark paid"), keyRefresh: keymap.Action("r", "refresh status")}
	v.owed = table.New(c, []table.Column{
		{Title: "Partner", Width: 14, Flex: true},
		{Title: "Email", Width: 18, Optional: true},
		{Title: "Owed", Width: 10, Right: true},
		{Title: "Method", Width: 6},
		{Title: "Left out because", Width: 22},
	})
	v.owedPg = table.NewPager[uint64](v.owed)
	v.owed.Empty = "Nobody is owed anything yet (approved commissions land here)."
	v.batches = table.New(c, []table.Column{
		{Title: "Batch", Width: 6, Right: true},
		{Title: "Created", Width: 16},
		{Title: "Status", Width: 9},
		{Title: "Items", Width: 5, Right: true},
		{Title: "Total", Width: 12, Right: true},
		{Title: "Provider", Width: 8, Flex: true},
	})
	v.batches.Empty = "No batches yet: n creates one."
	v.SetSize(c.Width, c.Height)
	return v
}

func (v *payoutsTab) Title() string { return "Payouts" }
func (v *payoutsTab) Init() tea.Cmd { return v.load() }

func (v *payoutsTab) Reload() tea.Cmd {
	if v.detail != nil && !v.running {
		return tea.Batch(v.load(), v.loadBatch(v.detail.ID))
	}
	return v.load()
}

func (v *payoutsTab) Capturing() bool { return v.ask.Active() }

func (v *payoutsTab) SetSize(w, h int) {
	v.base.SetSize(w, h)
	top := max((h-3)/2, 3)
	v.owed.SetSize(w, top)
	v.batches.SetSize(w, max(h-top-3, 3))
}

func (v *payoutsTab) load() tea.Cmd {
	seq, slug, data, ctx, now := v.next(), v.slug, v.c.Data, v.c.Ctx, v.c.Now
	q := store.PageQuery{Cursor: v.owedPg.Cursor(), Limit: v.owed.PageSize()}
	return func() tea.Msg {
		m := payoutsMsg{slug: slug, seq: seq}
		prog, err := data.Program(ctx, slug)
		if err != nil {
			m.err = err
			return m
		}
		m.currency, m.min = prog.Currency, common.Money(prog.MinPayout, prog.Currency)
		m.schedule = scheduleLine(&prog.Program, now())
		if m.owed, m.err = data.Owed(ctx, slug, q); m.err != nil {
			return m
		}
		m.batches, m.err = data.BatchHeads(slug)
		return m
	}
}

func (v *payoutsTab) loadBatch(id uint64) tea.Cmd {
	slug, data := v.slug, v.c.Data
	return func() tea.Msg {
		b, err := data.Batch(id)
		return batchMsg{slug: slug, batch: b, err: err}
	}
}

func (v *payoutsTab) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case payoutsMsg:
		if !v.fresh(msg.slug, msg.seq, msg.err) {
			return v, nil
		}
		v.currency, v.min, v.schedule = msg.currency, msg.min, msg.schedule
		v.owedRows, v.batchRows = msg.owed.Rows, msg.batches
		v.owedPg.Got(msg.owed.Next)
		rows := make([][]string, len(v.owedRows))
		for i, r := range v.owedRows {
			reason := r.Reason
			if reason == "" {
				reason = v.c.Styles.Good.Render("paid in the next batch")
			}
			rows[i] = []string{common.Clean(nameOr(r.Name, r.Email)), common.Clean(r.Email), common.Amount(r.Owed, v.currency),
				nameOr(r.Method, "—"), reason}
		}
		v.owed.SetRows(rows)
		brows := make([][]string, len(v.batchRows))
		for i := range v.batchRows {
			b := v.batchRows[len(v.batchRows)-1-i] // newest first
			brows[i] = []string{fmt.Sprint(b.ID), common.Date(b.CreatedAt), statusWord(v.c, b.Status), fmt.Sprint(b.Items),
				common.Amount(b.Total, b.Currency), nameOr(b.Provider, "—")}
		}
		v.batches.SetRows(brows)
		return v, nil
	case batchMsg:
		if msg.slug != v.slug {
			return v, nil
		}
		if msg.err != nil {
			return v, common.Fail(msg.err)
		}
		if msg.batch == nil {
			text := "Nobody to pay yet: no batch was created."
			if len(msg.skipped) > 0 {
				text = fmt.Sprintf("No batch: %s left out (see who is owed).", plural(len(msg.skipped), "partner", "partners"))
			}
			return v, tea.Batch(common.Status(text), v.load())
		}
		if msg.export {
			v.export = v.exportText(msg.batch)
			return v, nil
		}
		v.detail = msg.batch
		if msg.created {
			v.export, v.progress = "", nil
			return v, tea.Batch(common.Status(fmt.Sprintf("Batch %d created: %s, %s.", msg.batch.ID,
				plural(len(msg.batch.Items), "item", "items"), common.Money(msg.batch.Total, msg.batch.Currency))), v.load())
		}
		return v, nil
	case progressMsg:
		if msg.slug != v.slug {
			return v, nil
		}
		if msg.line != "" {
			v.progress = append(v.progress, msg.line)
		}
		if !msg.done {
			return v, msg.next
		}
		v.running = false
		if msg.batch != nil && v.detail != nil && msg.batch.ID == v.detail.ID {
			v.detail = msg.batch
		}
		if msg.err != nil {
			return v, tea.Batch(common.Fail(msg.err), v.load())
		}
		return v, tea.Batch(common.Status("Batch is "+msg.batch.Status+"."), v.load())
	case actionResult:
		if msg.slug != v.slug {
			return v, nil
		}
		cmds := []tea.Cmd{report(msg), v.load()}
		if v.detail != nil {
			cmds = append(cmds, v.loadBatch(v.detail.ID))
		}
		return v, tea.Batch(cmds...)
	case tea.KeyMsg:
		return v, v.key(msg)
	}
	return v, nil
}

func (v *payoutsTab) selectedBatch() *store.PayoutBatchHead {
	if v.detail != nil {
		h := v.detail.Head()
		return &h
	}
	if v.focus != 1 {
		return nil
	}
	i := v.batches.Cursor()
	if i < 0 || i >= len(v.batchRows) {
		return nil
	}
	b := v.batchRows[len(v.batchRows)-1-i]
	return &b
}

func (v *payoutsTab) key(msg tea.KeyMsg) tea.Cmd {
	if v.ask.Active() {
		return v.ask.Update(msg)
	}
	k := v.c.Keys
	if v.export != "" {
		if key.Matches(msg, k.Back) {
			v.export = ""
		}
		return nil
	}
	b := v.selectedBatch()
	switch {
	case key.Matches(msg, k.Back) && v.detail != nil:
		v.detail, v.progress = nil, nil
		return nil
	case key.Matches(msg, v.keyNew):
		slug, data := v.slug, v.c.Data
		v.ask.Ask("Create a payout batch of every approved balance at or above "+v.min+"?", func() tea.Cmd {
			return func() tea.Msg {
				b, skipped, err := data.CreateBatch(slug)
				return batchMsg{slug: slug, batch: b, skipped: skipped, created: true, err: err}
			}
		})
		return nil
	case key.Matches(msg, v.keySwitch) && v.detail == nil:
		v.focus = 1 - v.focus
		return nil
	case key.Matches(msg, k.Open) && v.detail == nil && b != nil:
		v.progress = nil
		return v.loadBatch(b.ID)
	case key.Matches(msg, v.keyExport) && b != nil:
		if v.detail != nil {
			v.export = v.exportText(v.detail)
			return nil
		}
		slug, data, id := v.slug, v.c.Data, b.ID // a list row: read the batch first
		return func() tea.Msg {
			batch, err := data.Batch(id)
			return batchMsg{slug: slug, batch: batch, export: true, err: err}
		}
	case key.Matches(msg, v.keyPaid) && b != nil:
		id, slug, data := b.ID, v.slug, v.c.Data
		v.ask.Ask(fmt.Sprintf("Mark batch %d (%s) paid? Only when you paid it from its CSV.", id, common.Money(b.Total, b.Currency)), func() tea.Cmd {
			return act(slug, func() (string, error) {
				nb, err := data.MarkPaid(id)
				if err != nil {
					return "", err
				}
				return fmt.Sprintf("Batch %d is %s.", nb.ID, nb.Status), nil
			})
		})
		return nil
	case key.Matches(msg, v.keySend) && b != nil:
		if !v.c.Data.CanSend() {
			return common.Fail(fmt.Errorf("sending is not available on this server"))
		}
		if v.running {
			return common.Status("A send is already under way.")
		}
		id := b.ID
		v.ask.Ask(fmt.Sprintf("Send batch %d (%s) through PayPal / Wise now?", id, common.Money(b.Total, b.Currency)), func() tea.Cmd {
			return v.run(id, false)
		})
		return nil
	case key.Matches(msg, v.keyRefresh) && b != nil:
		if !v.c.Data.CanSend() {
			return common.Fail(fmt.Errorf("provider status is not available on this server"))
		}
		if v.running {
			return common.Status("A send is already under way.")
		}
		return v.run(b.ID, true)
	}
	if v.detail != nil {
		return nil
	}
	t := v.owed
	if v.focus == 1 {
		t = v.batches
	}
	act, cmd := t.Update(msg)
	if v.focus == 0 && v.owedPg.Turn(act) {
		return tea.Batch(cmd, v.load())
	}
	return cmd
}

// run sends (or refreshes) batch id in the background; each item's outcome
// comes back as a progressMsg, so the session's other keys keep working.
func (v *payoutsTab) run(id uint64, refresh bool) tea.Cmd {
	v.running = true
	v.progress = nil
	slug, data, ctx := v.slug, v.c.Data, v.c.Ctx
	lines := make(chan string, 64)
	end := make(chan progressMsg, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				end <- progressMsg{slug: slug, done: true, err: fmt.Errorf("send: internal error")}
			}
			close(lines)
		}()
		progress := func(done, total int, it store.PayoutItem, msg string) {
			select {
			case lines <- fmt.Sprintf("[%d/%d] %s %s: %s", done, total, common.Clean(it.Email),
				common.Money(it.Amount, it.Currency), common.Clean(msg)):
			case <-ctx.Done():
			}
		}
		var b *store.PayoutBatch
		var err error
		if refresh {
			b, err = data.Refresh(ctx, id, progress)
		} else {
			b, err = data.Send(ctx, id, progress)
		}
		end <- progressMsg{slug: slug, done: true, batch: b, err: err}
	}()
	var next tea.Cmd
	next = func() tea.Msg {
		line, ok := <-lines
		if !ok {
			return <-end
		}
		return progressMsg{slug: slug, line: line, next: next}
	}
	if v.detail == nil || v.detail.ID != id {
		return tea.Batch(v.loadBatch(id), next)
	}
	return next
}

func (v *payoutsTab) exportText(b *store.PayoutBatch) string {
	var out strings.Builder
	for _, format := range []string{payouts.FormatPayPalCSV, payouts.FormatWiseCSV} {
		files, err := payouts.Export(b, format)
		if err != nil || len(files) == 0 {
			continue
		}
		out.WriteString(fmt.Sprintf("Save it with:  %s payout export %d --format %s > %s\n\n", v.c.Hint(""), b.ID, format, files[0].Name))
		for _, f := range files {
			out.WriteString(f.Name + ":\n" + common.Clean(strings.ReplaceAll(string(f.Data), "\r\n", "\n")) + "\n")
		}
	}
	if out.Len() == 0 {
		return "Nothing to export: no unpaid PayPal or Wise items in batch " + fmt.Sprint(b.ID) + "."
	}
	return out.String()
}

func (v *payoutsTab) ShortHelp() []key.Binding {
	k := v.c.Keys
	switch {
	case v.ask.Active():
		return v.ask.Help()
	case v.export != "":
		return []key.Binding{k.Back}
	case v.detail != nil:
		return []key.Binding{v.keyExport, v.keySend, v.keyPaid, v.keyRefresh, k.Back}
	case v.focus == 1:
		return []key.Binding{v.keyNew, v.keySwitch, k.Open, v.keyExport, v.keySend, v.keyPaid}
	}
	return []key.Binding{v.keyNew, v.keySwitch}
}

func (v *payoutsTab) FullHelp() [][]key.Binding {
	return [][]key.Binding{{v.keyNew, v.keySwitch, v.keyExport, v.keySend, v.keyPaid, v.keyRefresh}}
}

func (v *payoutsTab) View() string {
	s := v.c.Styles
	if v.loadErr != "" {
		return s.Bad.Render(v.loadErr)
	}
	if !v.loaded { // not "Nobody is owed anything yet" before the first read
		return s.Dim.Render("Loading…")
	}
	if v.export != "" {
		// The CSV lines are split into the commas by the terminal width.
		return s.Heading.Render("Export") + s.Dim.Render("  esc back") + "\n\n" + v.export
	}
	if v.detail != nil {
		return v.withAsk(v.detailView())
	}
	mark := func(i int, title string) string {
		if v.focus == i {
			return s.Heading.Render("› " + title)
		}
		return s.Dim.Render("  " + title)
	}
	return v.withAsk(mark(0, "Who is owed what") + s.Dim.Render("  minimum "+v.min) + "\n" + v.owed.View() + "\n\n" +
		common.Truncate(mark(1, "Batches")+s.Dim.Render("  o switches · "+v.schedule), v.width) + "\n" + v.batches.View())
}

func (v *payoutsTab) detailView() string {
	s := v.c.Styles
	b := v.detail
	var out strings.Builder
	out.WriteString(s.Heading.Render(fmt.Sprintf("Batch %d", b.ID)) + "  " + statusWord(v.c, b.Status) +
		s.Dim.Render(fmt.Sprintf("  %s · %s · created %s", plural(len(b.Items), "item", "items"), common.Money(b.Total, b.Currency), common.Date(b.CreatedAt))) + "\n")
	if b.Error != "" {
		out.WriteString(s.Bad.Render(common.Truncate(common.Clean(b.Error), v.width)) + "\n")
	}
	out.WriteString("\n")
	listH := max(v.height-6-len(v.progress), 3)
	for i, it := range b.Items {
		if i == listH {
			out.WriteString(s.Dim.Render(fmt.Sprintf("  … and %d more", len(b.Items)-i)) + "\n")
			break
		}
		line := fmt.Sprintf("  %-20s %-24s %-6s %12s  %s", common.Truncate(common.Clean(it.Name), 20), common.Truncate(common.Clean(it.Email), 24),
			it.Method, common.Amount(it.Amount, it.Currency), statusWord(v.c, it.Status))
		if it.Error != "" {
			line += s.Bad.Render("  " + common.Clean(it.Error))
		}
		out.WriteString(common.Truncate(line, v.width) + "\n")
	}
	if len(v.progress) > 0 || v.running {
		out.WriteString("\n" + s.Heading.Render("Progress") + "\n")
		for _, l := range v.progress {
			out.WriteString(common.Truncate(l, v.width) + "\n")
		}
		if v.running {
			out.WriteString(s.Dim.Render("working… (other keys keep working)") + "\n")
		}
	}
	return out.String()
}
