package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/log"
)

func runRoot(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root := newRootCmd(context.Background(), log.New(io.Discard))
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.Execute()
	return out.String(), errb.String(), err
}

// seed builds a program that holds every invariant; compact copies it
// smaller and checks the copy; the copy checks clean on its own.
func TestSeedCompactCheck(t *testing.T) {
	dir := t.TempDir()
	out, errs, err := runRoot(t, "seed", "--data", dir, "--partners", "40", "--clicks", "6000", "--conversions", "900", "--days", "95", "--workers", "8")
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, errs)
	}
	for _, want := range []string{"40 partners", "6000 clicks", "900 conversions", "refunds", "2 paid batches"} {
		if !strings.Contains(out, want) {
			t.Errorf("seed said %q, want %q", out, want)
		}
	}
	if !strings.Contains(errs, "seed: day 95/95") {
		t.Errorf("no progress: %q", errs)
	}
	if out, errs, err := runRoot(t, "check", "--data", dir); err != nil || !strings.Contains(out, "ok:") {
		t.Fatalf("check after seed: %v %s %s", err, out, errs)
	}
	dst := filepath.Join(t.TempDir(), "compact.db")
	out, errs, err = runRoot(t, "compact", "--data", dir, "--out", dst)
	if err != nil || !strings.Contains(out, "saved") || !strings.Contains(out, "every ledger invariant holds") {
		t.Fatalf("compact: %v %s %s", err, out, errs)
	}
	if _, _, err := runRoot(t, "compact", "--data", dir, "--out", dst); err == nil {
		t.Fatal("compact over an existing file succeeded")
	}
	if out, errs, err := runRoot(t, "check", "--data", dst); err != nil || !strings.Contains(out, "ok:") {
		t.Fatalf("check of the copy: %v %s %s", err, out, errs)
	}
}

func TestClickRetentionFlag(t *testing.T) {
	f := &configFlags{}
	f.cfg.ClickRetentionDays = 0
	if _, err := f.resolve(); err == nil || !strings.Contains(err.Error(), "--click-retention-days") {
		t.Fatalf("retention 0: %v", err)
	}
}

func TestResidentFileLimitFlag(t *testing.T) {
	f := &configFlags{}
	f.cfg.ClickRetentionDays = 1
	f.cfg.ResidentFileLimitMB = -5
	if _, err := f.resolve(); err == nil || !strings.Contains(err.Error(), "--resident-file-limit") {
		t.Fatalf("resident file limit -5: %v", err)
	}
}
