package partner

import (
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

type assets struct {
	sh      *shared
	width   int
	height  int
	rows    []store.Asset
	partner *store.Partner
	next    uint64
	loading bool
	err     string
	closed  bool // not approved: no materials
	tbl     scrollList
}

type assetsMsg struct {
	list   *store.AssetList
	append bool
	err    error
}

func newAssets(sh *shared) *assets {
	a := &assets{sh: sh}
	a.tbl = scrollList{keys: sh.keys, st: sh.st, cols: []column{
		{title: "TITLE", width: 0}, {title: "KIND", width: 5}, {title: "SIZE", width: 10, right: true},
	}}
	return a
}

func (a *assets) Title() string { return "Assets" }
func (a *assets) Editing() bool { return false }

func (a *assets) SetSize(w, h int) {
	a.width, a.height = w, h
	// Half the screen lists, the rest shows the selected asset.
	a.tbl.setSize(w, max(3, (h-4)/2))
}

func (a *assets) Load() tea.Cmd { return a.load(0, false) }

func (a *assets) load(after uint64, appendRows bool) tea.Cmd {
	a.loading = true
	data := a.sh.data
	return func() tea.Msg {
		l, err := data.Assets(a.sh.ctx(), after)
		return assetsMsg{list: l, append: appendRows, err: err}
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
		if msg.append {
			a.rows = append(a.rows, msg.list.Assets...)
		} else {
			a.rows = msg.list.Assets
		}
		a.next = msg.list.Next
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
		if a.tbl.update(msg) && a.tbl.nearEnd() && a.next != 0 && !a.loading {
			return a, a.load(a.next, true)
		}
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
	if a.tbl.cursor < 0 || a.tbl.cursor >= len(a.rows) {
		return store.Asset{}, false
	}
	return a.rows[a.tbl.cursor], true
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
	a.tbl.setRows(rows)
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
	b.WriteString(st.Heading.Render("Promotional materials") + st.Dim.Render("  c copies the text, or a file's URL") + "\n")
	b.WriteString(a.tbl.view() + "\n\n")
	as, ok := a.selected()
	if !ok {
		return b.String()
	}
	room := a.height - a.tbl.height - 5
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
