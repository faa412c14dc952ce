package partner

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/table"
)

type assets struct {
	sh      *shared
	width   int
	height  int
	rows    []store.Asset // the page on screen
	partner *store.Partner
	loading bool
	err     string
	closed  bool // not approved: no materials
	tbl     *table.Table
	tblH    int // the table's lines (header included)
	pg      table.Pager[uint64]
}

type assetsMsg struct {
	list *store.AssetList
	err  error
}

func newAssets(sh *shared) *assets {
	a := &assets{sh: sh}
	a.tbl = table.New(sh.c, []table.Column{
		{Title: "TITLE", Flex: true}, {Title: "KIND", Width: 5}, {Title: "SIZE", Width: 10, Right: true},
	})
	a.pg = table.NewPager[uint64](a.tbl)
	return a
}

func (a *assets) Title() string { return "Assets" }
func (a *assets) Editing() bool { return false }

func (a *assets) SetSize(w, h int) {
	a.width, a.height = w, h
	// Half the screen lists, the rest shows the selected asset.
	a.tblH = max(3, (h-4)/2) + 1
	a.tbl.SetSize(w, a.tblH)
}

// Load reads the page on screen again (live updates, tab switches).
func (a *assets) Load() tea.Cmd {
	a.loading = true
	data, after, limit := a.sh.data, a.pg.Cursor(), a.tbl.PageSize()
	return func() tea.Msg {
		l, err := data.Assets(a.sh.ctx(), after, limit)
		return assetsMsg{list: l, err: err}
	}
}

func (a *assets) Update(msg tea.Msg) (Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case assetsMsg:
		a.loading = false
		if msg.err != nil {
			if errors.Is(msg.err, store.ErrForbidden) {
				a.closed, a.err, a.rows = true, "", nil
				return a, nil
			}
			a.err = errText(msg.err)
			return a, nil
		}
		a.closed, a.err, a.partner = false, "", msg.list.Partner
		a.rows = msg.list.Assets
		a.pg.Got(msg.list.Next)
		a.refresh()
	case tea.KeyMsg:
		if key.Matches(msg, a.sh.keys.Copy) {
			if as, ok := a.selected(); ok {
				text, what := a.sh.data.AssetURL(&as), "Copied the URL of "+sanitize.Line(as.Title)
				if as.Kind == store.AssetText {
					text, what = a.body(&as), "Copied "+sanitize.Line(as.Title)
				}
				return a, tea.Batch(a.sh.copy(text), status(what))
			}
			return a, nil
		}
		act, cmd := a.tbl.Update(msg)
		if a.pg.Turn(act) {
			return a, tea.Batch(cmd, a.Load())
		}
		return a, cmd
	}
	return a, nil
}

// body is a text asset with this partner's link and code filled in, and
// escape sequences removed.
func (a *assets) body(as *store.Asset) string {
	body := as.Body
	p := a.partner
	if p == nil && a.sh.hdr != nil {
		// The store lists a merchant's assets unfilled; in their own
		// portal a merchant who partners too sees their own link.
		p = &a.sh.hdr.Partner
	}
	if p != nil {
		body = as.Filled(a.sh.data.Link(p.Code), p.Code)
	}
	return sanitize.Text(body)
}

func (a *assets) selected() (store.Asset, bool) {
	i := a.tbl.Cursor()
	if i < 0 || i >= len(a.rows) {
		return store.Asset{}, false
	}
	return a.rows[i], true
}

func (a *assets) refresh() {
	rows := make([][]string, 0, len(a.rows))
	for _, as := range a.rows {
		size := ""
		if as.Kind == store.AssetFile {
			size = store.ByteSize(as.Size)
		}
		rows = append(rows, []string{sanitize.Line(as.Title), as.Kind, size})
	}
	a.tbl.SetRows(rows)
}

func (a *assets) ShortHelp() []key.Binding {
	k := a.sh.keys
	return []key.Binding{k.Copy, k.Up, k.Down}
}

func (a *assets) FullHelp() [][]key.Binding {
	k := a.sh.keys
	return [][]key.Binding{{k.Copy}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}}
}

func (a *assets) View() string {
	st := a.sh.st
	switch {
	case a.closed:
		return st.Heading.Render("Promotional materials") + "\n\n" +
			st.Dim.Render("Banners, logos and texts from the merchant show here once you are approved.")
	case a.err != "":
		return st.Bad.Render(a.err)
	case len(a.rows) == 0 && a.loading:
		return st.Dim.Render("Loading…")
	case len(a.rows) == 0:
		return st.Heading.Render("Promotional materials") + "\n\n" + st.Dim.Render("The merchant has not published any materials yet.")
	}
	var b strings.Builder
	b.WriteString(st.Heading.Render("Promotional materials") + a.pg.PageNote(a.sh.c) + st.Dim.Render("  c copies the text, or a file's URL") + "\n")
	b.WriteString(a.tbl.View() + "\n\n")
	as, ok := a.selected()
	if !ok {
		return b.String()
	}
	room := a.height - a.tblH - 4
	if as.Kind == store.AssetFile {
		b.WriteString(st.CardLabel.Render("File ") + sanitize.Line(as.Filename) + st.Dim.Render("  "+as.ContentType+", "+store.ByteSize(as.Size)) + "\n")
		b.WriteString(st.CardLabel.Render("URL  ") + st.Title.Render(a.sh.data.AssetURL(&as)))
		return b.String()
	}
	lines := wrap(a.body(&as), a.width-2)
	if len(lines) > room && room > 0 {
		lines = append(lines[:room-1], st.Dim.Render("… (c copies all of it)"))
	}
	b.WriteString(strings.Join(lines, "\n"))
	return b.String()
}
