package cli

import (
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// assetJSON is one promotional asset (SPEC 8).
type assetJSON struct {
	ID          uint64 `json:"id"`
	Program     string `json:"program"`
	Title       string `json:"title"`
	Kind        string `json:"kind"`
	Body        string `json:"body,omitempty"`
	Filename    string `json:"filename,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"`
	URL         string `json:"url,omitempty"`
	CreatedAt   string `json:"created_at"`
}

// assetOut is an asset as the actor sees it: a partner's text has {link}
// and {code} filled with their own.
func (e *cmdEnv) assetOut(a *store.Asset, p *store.Partner) assetJSON {
	j := assetJSON{ID: a.ID, Program: a.Program, Title: a.Title, Kind: a.Kind, Body: a.Body,
		CreatedAt: a.CreatedAt.Format(time.RFC3339)}
	if p != nil && a.Kind == store.AssetText {
		j.Body = a.Filled(e.srv.link(p.Code), p.Code)
	}
	if a.Kind == store.AssetFile {
		j.Filename, j.ContentType, j.Size, j.URL = a.Filename, a.ContentType, a.Size, e.srv.PublicURL+a.AssetPath()
	}
	return j
}

func (e *cmdEnv) assetCmd() *cobra.Command {
	c := &cobra.Command{Use: "asset", Short: "promotional materials: texts and files for partners"}
	var title, text, file string
	add := &cobra.Command{
		Use:   "add SLUG --title T (--text BODY | --file NAME < FILE)",
		Short: "publish a text ({link} and {code} are filled per partner; 16 KiB) or a file from stdin (5 MiB) (merchant)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			slug := args[0]
			setText, setFile := c.Flags().Changed("text"), c.Flags().Changed("file")
			if setText == setFile {
				return usageErr(c, "give either --text BODY or --file NAME (with the file's bytes on stdin)")
			}
			var a *store.Asset
			var err error
			if setText {
				a, err = e.srv.Store.AddTextAsset(e.id.Actor(), slug, title, text)
			} else {
				// The store checks permission before reading and never
				// reads beyond the limit.
				a, err = e.srv.Store.AddFileAsset(e.id.Actor(), slug, title, file, e.sess)
			}
			if err != nil {
				return about(err, "asset in %q", slug)
			}
			j := e.assetOut(a, nil)
			if e.json {
				return e.printJSON(j)
			}
			if a.Kind == store.AssetFile {
				e.printf("Asset %d added: %s (%s, %s)\nPublic URL: %s\n", a.ID, sanitize.Line(a.Title), a.ContentType, store.ByteSize(a.Size), j.URL)
			} else {
				e.printf("Asset %d added: %s\nPartners see it with {link} and {code} filled in: %s asset list %s\n", a.ID, sanitize.Line(a.Title), e.srv.sshHint(), slug)
			}
			return nil
		},
	}
	add.Flags().StringVar(&title, "title", "", "title partners see")
	add.Flags().StringVar(&text, "text", "", "text body ({link} = the partner's link, {code} = their code)")
	add.Flags().StringVar(&file, "file", "", "file name; the bytes come on stdin (< FILE)")

	var after uint64
	list := &cobra.Command{
		Use:   "list SLUG [--after ID]",
		Short: "list a program's materials (merchant; approved partners with their own link filled in)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := e.srv.Store.ListAssets(e.id.Actor(), args[0], after, 0)
			if err != nil {
				return about(err, "assets of %q", args[0])
			}
			out := make([]assetJSON, 0, len(l.Assets))
			for i := range l.Assets {
				out = append(out, e.assetOut(&l.Assets[i], l.Partner))
			}
			if e.json {
				return printJSONList(e, out, l.Next)
			}
			if len(out) == 0 {
				e.printf("No promotional materials yet.\n")
				return nil
			}
			rows := make([][]string, 0, len(out))
			for _, a := range out {
				what := a.URL
				if a.Kind == store.AssetText {
					what = strconv.Itoa(len(a.Body)) + " bytes of text"
				} else {
					what = store.ByteSize(a.Size) + "  " + what
				}
				rows = append(rows, []string{strconv.FormatUint(a.ID, 10), a.Kind, a.Title, what})
			}
			e.table([]string{"ID", "KIND", "TITLE", "WHAT"}, rows)
			for _, a := range out {
				if a.Kind == store.AssetText {
					e.printf("\n--- %d %s ---\n%s\n", a.ID, sanitize.Line(a.Title), sanitize.Text(a.Body))
				}
			}
			if l.Next != 0 {
				e.printf("\nMore: %s asset list %s --after %d\n", e.srv.sshHint(), args[0], l.Next)
			}
			return nil
		},
	}
	list.Flags().Uint64Var(&after, "after", 0, "continue after this asset id")

	remove := &cobra.Command{
		Use:   "remove SLUG ID",
		Short: "remove an asset; its URL answers 404 from then on (merchant)",
		Args:  nargs("SLUG", "ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[1], 10, 64)
			if err != nil {
				return usageErr(c, "ID must be an asset id (asset list "+args[0]+" shows them)")
			}
			if err := e.srv.Store.RemoveAsset(e.id.Actor(), args[0], id); err != nil {
				return about(err, "asset %d of %q", id, args[0])
			}
			if e.json {
				return e.printJSON(map[string]any{"id": id, "removed": true})
			}
			e.printf("Asset %d removed.\n", id)
			return nil
		},
	}
	c.AddCommand(add, list, remove)
	return c
}
