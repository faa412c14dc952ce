package main

import (
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// legacyData puts store/testdata/legacy-v0.db (written by the JSON click
// encoding) into a new data dir.
func legacyData(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open("../../store/testdata/legacy-v0.db.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.OpenFile(filepath.Join(dir, "affogato.db"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

type allTimeStats struct {
	Clicks       int64  `json:"clicks"`
	UniqueClicks int64  `json:"unique_clicks"`
	Conversions  int64  `json:"conversions"`
	Revenue      string `json:"revenue"`
	Commission   string `json:"commission"`
	Paid         string `json:"paid"`
	Clawback     string `json:"clawback"`
}

// A database written by the JSON click encoding goes through the binary:
// opened (migrated in place), its old clicks purged by the retention,
// clicks recorded in the new encoding until SIGKILL, checked, restarted,
// compacted and started on the copy. Every acknowledged click is counted,
// every figure survives, and every invariant holds at each step.
func TestClicksThroughMigrationPurgeCrashAndCompaction(t *testing.T) {
	dir := legacyData(t)
	retention := []string{"--click-retention-days", "30"}
	s := startServer(t, serverOpts{dataDir: dir, extra: retention})
	stats := func() allTimeStats {
		var st allTimeStats
		s.sshJSON(s.adminKey, &st, "stats", "acme", "--days", "3660")
		return st
	}
	before := stats()
	if before.Clicks != 265 || before.Conversions != 12 {
		t.Fatalf("the old database's stats: %+v, want 265 clicks and 12 conversions", before)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(s.logs.String(), "purged old clicks") {
		if time.Now().After(deadline) {
			t.Fatalf("no purge within 30s; log:\n%s", s.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := stats(); got != before {
		t.Fatalf("stats changed by the purge: %+v, was %+v", got, before)
	}
	var partners []struct {
		Code string `json:"code"`
	}
	s.sshJSON(s.adminKey, &partners, "partner", "list", "acme")
	if len(partners) != 3 {
		t.Fatalf("partners: %+v", partners)
	}

	// Clicks from 8 visitors until SIGKILL; each 302 with aff_click is a
	// click acknowledged as durable.
	var acked, sent atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := noRedirect()
	for i := range 8 {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				sent.Add(1)
				resp, err := client.Get(s.url("/r/" + partners[(i+n)%3].Code + "?sub=crash"))
				if err != nil {
					return // the server is gone
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusFound && strings.Contains(resp.Header.Get("Location"), "aff_click=") {
					acked.Add(1)
				}
			}
		}(i)
	}
	for acked.Load() < 300 && time.Now().Before(deadline.Add(30*time.Second)) {
		time.Sleep(20 * time.Millisecond)
	}
	s.kill()
	close(stop)
	wg.Wait()
	if acked.Load() == 0 {
		t.Fatal("no click was acknowledged")
	}
	out, errOut, code := runBinary(t, "check", "--data", dir)
	if code != 0 || !strings.Contains(out, "ok: every ledger invariant holds") {
		t.Fatalf("check after SIGKILL: exit %d\n%s%s", code, out, errOut)
	}
	if err := s.start(retention); err != nil {
		t.Fatal(err)
	}
	s.stopped = false
	after := stats()
	added := after.Clicks - before.Clicks
	if added < acked.Load() || added > sent.Load() {
		t.Fatalf("after SIGKILL: %d clicks more; %d were acknowledged, %d sent", added, acked.Load(), sent.Load())
	}
	if after.Conversions != before.Conversions || after.Revenue != before.Revenue || after.Commission != before.Commission ||
		after.Paid != before.Paid || after.Clawback != before.Clawback {
		t.Fatalf("money figures changed: %+v, were %+v", after, before)
	}
	s.stop()

	// Compact the stopped data dir and run on the copy.
	compacted := filepath.Join(t.TempDir(), "compact.db")
	out, errOut, code = runBinary(t, "compact", "--data", dir, "--out", compacted)
	if code != 0 || !strings.Contains(out, "every ledger invariant holds in the copy") {
		t.Fatalf("compact: exit %d\n%s%s", code, out, errOut)
	}
	if err := os.Rename(compacted, filepath.Join(dir, "affogato.db")); err != nil {
		t.Fatal(err)
	}
	if err := s.start(retention); err != nil {
		t.Fatal(err)
	}
	s.stopped = false
	if got := stats(); got != after {
		t.Fatalf("stats on the compacted copy: %+v, were %+v", got, after)
	}
	// A program cannot take a cookie lifetime beyond the retention.
	if _, errOut, code := s.ssh(s.adminKey, "program", "set", "acme", "cookie-days", "31"); code == 0 || !strings.Contains(errOut, "retention") {
		t.Fatalf("cookie-days above the retention: exit %d, %s", code, errOut)
	}
	s.stop()
	out, errOut, code = runBinary(t, "check", "--data", dir)
	if code != 0 {
		t.Fatalf("final check: exit %d\n%s%s", code, out, errOut)
	}
	// Starting with a retention below a program's cookie lifetime is refused.
	out, errOut, code = runBinary(t, "--data", dir, "--ssh", "127.0.0.1:0", "--http", "127.0.0.1:0", "--click-retention-days", "7")
	if code == 0 || !strings.Contains(errOut, "cookie lifetime of program acme") {
		t.Fatalf("retention 7 days: exit %d\n%s%s", code, out, errOut)
	}
}
