package tui

import (
	"runtime"
	"testing"
	"time"
)

func TestDebugScreen(t *testing.T) {
	admin := newTestKey(t, "admin")
	ts := startServer(t, func(c *Config) { c.AdminKeys = []string{admin.Pub} })
	p := ts.openPTY(admin, "")
	time.Sleep(4 * time.Second)
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	t.Logf("%q\n%s", p.output(), buf[:n])
}
