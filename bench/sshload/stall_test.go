package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// The goroutine dump is fetched once, however many sessions stall, and
// only from a loopback address.
func TestStallDumpOnce(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/debug/pprof/goroutine" || r.URL.Query().Get("debug") != "2" {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		_, _ = w.Write([]byte("goroutine 1 [running]:\n"))
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "stall.txt")
	d, err := newStallDump(srv.URL, file)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		d.take()
	}
	d.wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("fetched %d times, want 1", n)
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "goroutine 1 [running]:\n" {
		t.Fatalf("dump %q %v", b, err)
	}
	if _, err := newStallDump("http://192.0.2.1:6060", file); err == nil {
		t.Fatal("a dump from a non-loopback address was allowed")
	}
	none, err := newStallDump("", "")
	if err != nil {
		t.Fatal(err)
	}
	none.take()
	none.wait()
}
