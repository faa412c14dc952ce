package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/affogato-sh/affogato/store"
	"github.com/charmbracelet/log"
	"github.com/spf13/cobra"
)

// checkError means check found violations (already printed).
type checkError struct{ n int }

func (e checkError) Error() string { return fmt.Sprintf("%d ledger violations", e.n) }

func newRootCmd(ctx context.Context, logger *log.Logger) *cobra.Command {
	flags := &configFlags{}
	root := &cobra.Command{
		Use:           "affogato",
		Short:         "Self-hosted affiliate program platform: SSH dashboard + HTTP tracker",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyEnv(cmd); err != nil {
				return err
			}
			cfg, err := flags.resolve()
			if err != nil {
				return err
			}
			return run(ctx, cfg, logger)
		},
	}
	flags.register(root.Flags())
	root.Long = root.Short + ".\n\n" + envHelp(root.Flags())

	var dataDir string
	check := &cobra.Command{
		Use:   "check",
		Short: "Verify every ledger invariant of a data directory (or a backup file)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := dataDir
			if fi, err := os.Stat(path); err == nil && fi.IsDir() {
				path = filepath.Join(path, store.DBFile)
			}
			if _, err := os.Stat(path); err != nil {
				return fmt.Errorf("no database at %s: %w", path, err)
			}
			st, err := store.OpenFile(path, store.Options{})
			if err != nil {
				return err
			}
			defer st.Close()
			vs, err := st.Check()
			if err != nil {
				return err
			}
			for _, v := range vs {
				fmt.Fprintln(cmd.ErrOrStderr(), "violation:", v.What)
			}
			if len(vs) > 0 {
				return checkError{len(vs)}
			}
			fmt.Fprintln(cmd.OutOrStdout(), "ok: every ledger invariant holds")
			if u, err := st.Usage(); err == nil {
				fmt.Fprintf(cmd.OutOrStdout(), "database: %d clicks stored, %d bytes used, file %d bytes\n", u.Clicks, u.UsedBytes, u.FileBytes)
			}
			return nil
		},
	}
	check.Flags().StringVar(&dataDir, "data", "./data", "data directory or database file")
	root.AddCommand(check)
	root.AddCommand(newCompactCmd(), newSeedCmd(ctx))
	return root
}
