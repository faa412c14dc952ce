package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/store"
)

// pageFlags are the paging flags of a list command: at most --limit rows
// (never more than store.MaxPage, 1,000), after the cursor --after.
type pageFlags struct {
	limit int
	after uint64
}

func (p *pageFlags) register(c *cobra.Command, def int) {
	c.Flags().IntVar(&p.limit, "limit", def, fmt.Sprintf("at most this many rows (at most %d; 0 = %d)", store.MaxPage, store.MaxPage))
	c.Flags().Uint64Var(&p.after, "after", 0, "continue after this id (the \"next\" of the previous page)")
}

func (p *pageFlags) page() store.Page { return store.Page{After: p.after, Limit: p.limit} }

// printJSONList streams rows as a JSON array, one row at a time. When more
// rows follow (next != 0) the last row carries "next": the --after value
// that continues the list. The array keeps the shape of SPEC 8 (an array
// of row objects); "next" is one more field of the last row.
func printJSONList[T any](e *cmdEnv, rows []T, next uint64) error {
	var tail string
	if next != 0 {
		tail = strconv.FormatUint(next, 10)
	}
	return writeJSONList(e, rows, tail)
}

// printJSONListAfter is printJSONList for lists whose cursor is a name (a
// code, a slug): "next" is a JSON string.
func printJSONListAfter[T any](e *cmdEnv, rows []T, next string) error {
	var tail string
	if next != "" {
		b, _ := json.Marshal(next)
		tail = string(b)
	}
	return writeJSONList(e, rows, tail)
}

// writeJSONList streams rows; a non-empty next (JSON text) is added to the
// last row as "next".
func writeJSONList[T any](e *cmdEnv, rows []T, next string) error {
	w := bufio.NewWriter(e.out)
	w.WriteString("[")
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	for i := range rows {
		raw.Reset()
		if err := enc.Encode(rows[i]); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
		data := bytes.TrimSpace(raw.Bytes())
		if i == len(rows)-1 && next != "" && len(data) > 1 && data[len(data)-1] == '}' {
			tail := `"next":` + next + "}"
			if bytes.Equal(data, []byte("{}")) {
				data = []byte("{" + tail)
			} else {
				data = append(data[:len(data)-1], ","+tail...)
			}
		}
		var buf bytes.Buffer
		if err := json.Indent(&buf, data, "  ", "  "); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
		if i > 0 {
			w.WriteString(",")
		}
		w.WriteString("\n  ")
		w.Write(terminalSafeJSON(buf.Bytes()))
		if w.Buffered() > 32<<10 {
			if err := w.Flush(); err != nil {
				return fmt.Errorf("write json: %w", err)
			}
		}
	}
	if len(rows) > 0 {
		w.WriteString("\n")
	}
	w.WriteString("]\n")
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// printMore tells how to get the next page after a text listing.
func (e *cmdEnv) printMore(command string, next uint64) {
	if next != 0 {
		e.printf("\nMore: %s %s --after %d\n", e.srv.sshHint(), command, next)
	}
}

// namePageFlags are the paging flags of a list whose cursor is a name.
type namePageFlags struct {
	limit int
	after string
}

func (p *namePageFlags) page() store.NamePage { return store.NamePage{After: p.after, Limit: p.limit} }

func (p *namePageFlags) register(c *cobra.Command, what string) {
	c.Flags().IntVar(&p.limit, "limit", store.MaxPage, fmt.Sprintf("at most this many rows (at most %d)", store.MaxPage))
	c.Flags().StringVar(&p.after, "after", "", "continue after this "+what+" (the \"next\" of the previous page)")
}

// printMoreAfter tells how to get the next page of a name-cursor list.
func (e *cmdEnv) printMoreAfter(command, next string) {
	if next != "" {
		e.printf("\nMore: %s %s --after %s\n", e.srv.sshHint(), command, sshArg(next))
	}
}
