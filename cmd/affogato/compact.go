package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/affogato-sh/affogato/store"
	"github.com/spf13/cobra"
)

func newCompactCmd() *cobra.Command {
	var data, out string
	cmd := &cobra.Command{
		Use:   "compact",
		Short: "Write a compacted copy of the database (offline) and check it",
		Long: `compact copies the database of --data (a data directory or a database file,
such as a backup) to --out with bbolt's compaction: full pages, no free
pages. The server must be stopped (or compact a backup). The copy is checked
with every ledger invariant; to use it, stop the server, keep the old file,
and move the copy to DATA/affogato.db.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("compact: --out FILE is required")
			}
			src := data
			if fi, err := os.Stat(src); err == nil && fi.IsDir() {
				src = filepath.Join(src, store.DBFile)
			}
			if _, err := os.Stat(src); err != nil {
				return fmt.Errorf("no database at %s: %w", src, err)
			}
			stderr := cmd.ErrOrStderr()
			res, err := store.Compact(src, out, func(written, total int64) {
				fmt.Fprintf(stderr, "compact: %.1f MB written (source %.1f MB)\n", mb(written), mb(total))
			})
			if err != nil {
				return err
			}
			for _, v := range res.Violations {
				fmt.Fprintln(stderr, "violation:", v.What)
			}
			if len(res.Violations) > 0 {
				return checkError{len(res.Violations)}
			}
			pct := 0.0
			if res.SrcBytes > 0 {
				pct = 100 * float64(res.Saved()) / float64(res.SrcBytes)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %s is %.1f MB, %s was %.1f MB: saved %.1f MB (%.0f%%); every ledger invariant holds in the copy\n",
				out, mb(res.DstBytes), src, mb(res.SrcBytes), mb(res.Saved()), pct)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "./data", "data directory or database file")
	cmd.Flags().StringVar(&out, "out", "", "file to write the compacted copy to (must not exist)")
	return cmd
}

func mb(n int64) float64 { return float64(n) / 1e6 }
