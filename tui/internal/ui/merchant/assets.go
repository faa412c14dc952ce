package merchant

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
	"github.com/affogato-sh/affogato/tui/internal/ui/common"
	"github.com/affogato-sh/affogato/tui/internal/ui/components/table"
	"github.com/affogato-sh/affogato/tui/internal/ui/keymap"
)

// assets is tab 6: the program's promotional materials (SPEC 6.4). `n`
// writes a new text asset (a title and a body in a text area, checked as
// typed), `x` removes the selected one after y/n; files are uploaded with
// the asset add command, which the tab shows.
type assets struct {
	base
	t       *table.Table
	pg      table.Pager[uint64]
	rows    []store.Asset
	keyNew  key.Binding
	keyDel  key.Binding
	keySave key.Binding
	keyNext key.Binding
	edit    *assetEditor
}

// assetEditor is the new text asset's title line and body.
type assetEditor struct {
	title textinput.Model
	body  textarea.Model
	focus int // 0 title, 1 body
	err   string
}

type assetsMsg struct {
	slug string
	seq  int
	list *store.AssetList
	err  error
}

// NewAssets makes the merchant's Assets tab for program slug.
func NewAssets(c *common.Common, slug string) common.Tab {
	v := &assets{base: newBase(c, slug),
		keyNew:  keymap.Action("n", "new text"),
		keyDel:  keymap.Action("x", "remove"),
		keySave: key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "publish")),
		keyNext: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "title/body")),
	}
	v.t = table.New(c, []table.Column{
		{Title: "ID", Width: 5, Right: true},
		{Title: "Title", Width: 20, Flex: true},
		{Title: "Kind", Width: 5},
		{Title: "Size", Width: 9, Right: true},
		{Title: "Added", Width: 10, Optional: true},
	})
	v.pg = table.NewPager[uint64](v.t)
	v.t.Empty = "No materials yet: n writes a text; files are uploaded with the command below."
	v.SetSize(c.Width, c.Height)
	return v
}

func (v *assets) Title() string   { return "Assets" }
func (v *assets) Init() tea.Cmd   { return v.load() }
func (v *assets) Reload() tea.Cmd { return v.load() }
func (v *assets) Capturing() bool { return v.ask.Active() || v.edit != nil }

// listHeight is the table's share of the tab; the rest shows the selected
// asset and the upload command.
func (v *assets) listHeight() int { return max(3, (v.height-2)/2) }

func (v *assets) SetSize(w, h int) {
	v.base.SetSize(w, h)
	v.t.SetSize(w, v.listHeight())
	if v.edit != nil {
		v.edit.title.Width = max(10, w-10)
		v.edit.body.SetWidth(max(20, w-2))
		v.edit.body.SetHeight(max(3, h-7))
	}
}

func (v *assets) load() tea.Cmd {
	seq, slug, data, ctx := v.next(), v.slug, v.c.Data, v.c.Ctx
	after, limit := v.pg.Cursor(), v.t.PageSize()
	return func() tea.Msg {
		l, err := data.Assets(ctx, slug, after, limit)
		return assetsMsg{slug: slug, seq: seq, list: l, err: err}
	}
}

func (v *assets) Update(msg tea.Msg) (common.Tab, tea.Cmd) {
	switch msg := msg.(type) {
	case assetsMsg:
		if !v.fresh(msg.slug, msg.seq, msg.err) {
			return v, nil
		}
		v.rows = msg.list.Assets
		v.pg.Got(msg.list.Next)
		rows := make([][]string, len(v.rows))
		for i, a := range v.rows {
			size := ""
			if a.Kind == store.AssetFile {
				size = store.ByteSize(a.Size)
			}
			rows[i] = []string{fmt.Sprint(a.ID), common.Clean(a.Title), a.Kind, size, common.Day(a.CreatedAt)}
		}
		v.t.SetRows(rows)
		return v, nil
	case actionResult:
		if msg.slug != v.slug {
			return v, nil
		}
		return v, tea.Batch(report(msg), v.Reload())
	case tea.KeyMsg:
		return v, v.key(msg)
	}
	return v, nil
}

func (v *assets) key(msg tea.KeyMsg) tea.Cmd {
	if v.ask.Active() {
		return v.ask.Update(msg)
	}
	if v.edit != nil {
		return v.editKey(msg)
	}
	switch {
	case key.Matches(msg, v.keyNew):
		v.openEditor()
		return nil
	case key.Matches(msg, v.keyDel):
		if a := v.selected(); a != nil {
			id, title, slug, data := a.ID, common.Clean(a.Title), v.slug, v.c.Data
			what := "Partners no longer see it."
			if a.Kind == store.AssetFile {
				what = "Its URL will answer 404."
			}
			v.ask.Ask(fmt.Sprintf("Remove asset %d %q? %s", id, title, what), func() tea.Cmd {
				return act(slug, func() (string, error) {
					if err := data.RemoveAsset(slug, id); err != nil {
						return "", err
					}
					return fmt.Sprintf("Asset %d removed.", id), nil
				})
			})
		}
		return nil
	}
	act, cmd := v.t.Update(msg)
	if v.pg.Turn(act) {
		return tea.Batch(cmd, v.load())
	}
	return cmd
}

func (v *assets) selected() *store.Asset {
	if i := v.t.Cursor(); i >= 0 && i < len(v.rows) {
		return &v.rows[i]
	}
	return nil
}

func (v *assets) openEditor() {
	st := v.c.Styles
	ti := textinput.New()
	ti.Prompt = ""
	ti.Placeholder = "Title partners see, e.g. Launch tweet"
	ti.CharLimit = 200
	ti.KeyMap.Paste.SetEnabled(false) // would read the server's clipboard
	ti.Cursor.SetMode(cursor.CursorStatic)
	ti.Cursor.Style, ti.Cursor.TextStyle, ti.TextStyle, ti.PlaceholderStyle = st.Selected.Style, st.Plain.Style, st.Plain.Style, st.Dim.Style
	ti.Focus()
	ta := textarea.New()
	ta.Placeholder = "The text. {link} becomes each partner's link, {code} their code."
	ta.CharLimit = store.MaxAssetText
	ta.ShowLineNumbers = false
	ta.KeyMap.Paste.SetEnabled(false)
	ta.Cursor.SetMode(cursor.CursorStatic)
	ta.Cursor.Style, ta.Cursor.TextStyle = st.Selected.Style, st.Plain.Style
	ta.FocusedStyle = textarea.Style{Base: st.Plain.Style, Text: st.Plain.Style, Placeholder: st.Dim.Style, CursorLine: st.Plain.Style,
		CursorLineNumber: st.Dim.Style, EndOfBuffer: st.Dim.Style, LineNumber: st.Dim.Style, Prompt: st.Dim.Style}
	ta.BlurredStyle = ta.FocusedStyle
	v.edit = &assetEditor{title: ti, body: ta}
	v.SetSize(v.width, v.height)
}

func (v *assets) editKey(msg tea.KeyMsg) tea.Cmd {
	e := v.edit
	switch {
	case key.Matches(msg, v.c.Keys.Back):
		v.edit = nil
		return common.Status("Cancelled.")
	case key.Matches(msg, v.keyNext):
		e.focus = 1 - e.focus
		if e.focus == 0 {
			e.body.Blur()
			return e.title.Focus()
		}
		e.title.Blur()
		return e.body.Focus()
	case key.Matches(msg, v.keySave):
		title, body := e.title.Value(), e.body.Value()
		if err := store.ValidTextAsset(title, body); err != nil {
			e.err = common.ErrText(err)
			return nil
		}
		slug, data := v.slug, v.c.Data
		v.edit = nil
		return act(slug, func() (string, error) {
			a, err := data.AddTextAsset(slug, title, body)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Asset %d published.", a.ID), nil
		})
	case e.focus == 0 && msg.Type == tea.KeyEnter:
		e.focus = 1
		e.title.Blur()
		return e.body.Focus()
	}
	var cmd tea.Cmd
	if e.focus == 0 {
		e.title, cmd = e.title.Update(msg)
	} else {
		e.body, cmd = e.body.Update(msg)
	}
	// Checked as typed.
	e.err = ""
	if t, b := e.title.Value(), e.body.Value(); t != "" || b != "" {
		if err := store.ValidTextAsset(orPlaceholder(t), orPlaceholder(b)); err != nil {
			e.err = common.ErrText(err)
		}
	}
	return cmd
}

// orPlaceholder lets the as-typed check skip a part not written yet.
func orPlaceholder(s string) string {
	if strings.TrimSpace(s) == "" {
		return "x"
	}
	return s
}

func (v *assets) ShortHelp() []key.Binding {
	switch {
	case v.ask.Active():
		return v.ask.Help()
	case v.edit != nil:
		return []key.Binding{v.keyNext, v.keySave, v.c.Keys.Back}
	}
	return []key.Binding{v.keyNew, v.keyDel, v.c.Keys.PageDown}
}

func (v *assets) FullHelp() [][]key.Binding {
	return [][]key.Binding{{v.keyNew, v.keyDel}, {v.keyNext, v.keySave}}
}

func (v *assets) View() string {
	s := v.c.Styles
	if v.loadErr != "" {
		return s.Bad.Render(v.loadErr)
	}
	if e := v.edit; e != nil {
		var b strings.Builder
		b.WriteString(s.Heading.Render("New text asset") + s.Dim.Render("  tab: title/body · ctrl+s publishes · esc cancels") + "\n\n")
		b.WriteString(s.Label.Render("Title  ") + e.title.View() + "\n\n")
		b.WriteString(e.body.View() + "\n")
		if e.err != "" {
			b.WriteString(s.Bad.Render(e.err))
		} else {
			b.WriteString(s.Dim.Render(fmt.Sprintf("%d of %d bytes", len(e.body.Value()), store.MaxAssetText)))
		}
		return common.FitLines(b.String(), v.height)
	}
	var b strings.Builder
	head := s.Heading.Render("Promotional materials") + s.Dim.Render("  partners see them with their own link")
	b.WriteString(common.Truncate(head, v.width) + "\n" + v.t.View() + "\n\n")
	rest := v.height - v.listHeight() - 4
	if a := v.selected(); a != nil {
		var lines []string
		if a.Kind == store.AssetFile {
			lines = append(lines, s.Label.Render("File ")+common.Clean(a.Filename)+s.Dim.Render("  "+a.ContentType+", "+store.ByteSize(a.Size)),
				s.Label.Render("URL  ")+publicBase(v.c)+a.AssetPath())
		} else {
			for _, l := range strings.Split(sanitize.Text(a.Body), "\n") {
				lines = append(lines, strings.Split(ansi.Wrap(l, max(10, v.width-2), ""), "\n")...)
			}
		}
		if len(lines) > max(1, rest-3) {
			lines = append(lines[:max(1, rest-3)-1], s.Dim.Render("…"))
		}
		b.WriteString(strings.Join(lines, "\n") + "\n\n")
	}
	b.WriteString(s.Dim.Render("Upload a file (5 MiB each, 100 MiB in all):") + "\n")
	cmd := v.c.Hint("") + " asset add " + v.slug + ` --title "'Banner 728x90'"`
	file := "--file banner.png < banner.png"
	if line := "  " + cmd + " " + file; lipgloss.Width(line) <= v.width {
		b.WriteString(line)
	} else {
		// Two lines joined by the shell's line continuation: still pastes.
		b.WriteString(common.Truncate("  "+cmd+` \`, v.width) + "\n" + common.Truncate("      "+file, v.width))
	}
	return v.withAsk(b.String())
}

// publicBase is the HTTP listener's public base, from the link of a code.
func publicBase(c *common.Common) string { return strings.TrimSuffix(c.Link(""), "/r/") }
