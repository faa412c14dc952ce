package tracker

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// rawConn dials the tracker served by httptest with no server timeouts
// of its own, so that only the tracker's per-request deadlines
// (deadlines.go) can end a slow request.
func rawConn(t *testing.T, e *env) (net.Conn, *bufio.Reader) {
	t.Helper()
	ts := httptest.NewServer(e.srv.Handler())
	t.Cleanup(ts.Close)
	c, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

// closedWithin reads the connection to its end and fails unless the
// server closes it within d.
func closedWithin(t *testing.T, c net.Conn, rd *bufio.Reader, d time.Duration) {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(d)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, rd); err != nil {
		t.Fatalf("the server kept a slow request's connection open past %s: %v", d, err)
	}
}

// A body sent too slowly is cut at the request timeout: on the API, whose
// handler reads it, and on the redirect, whose handler does not (the
// server reads what is left before the next request).
func TestSlowRequestBodyIsCut(t *testing.T) {
	for _, tc := range []struct{ name, head string }{
		{"api", "POST /api/v1/conversions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"},
		{"redirect", "GET /r/%s HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, Config{RequestTimeout: 200 * time.Millisecond})
			c, rd := rawConn(t, e)
			head := strings.Replace(tc.head, "%s", e.partner.Code, 1)
			if _, err := io.WriteString(c, head); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			closedWithin(t, c, rd, 5*time.Second)
			if took := time.Since(start); took < 150*time.Millisecond {
				t.Fatalf("connection closed after %s, before the request timeout", took)
			}
		})
	}
}

// The redirect's GET, without a body, gets no deadline of its own: the
// connection lives on past the request timeout for the next request.
func TestRedirectKeepsItsConnectionPastTheRequestTimeout(t *testing.T) {
	e := newEnv(t, Config{RequestTimeout: 100 * time.Millisecond})
	c, rd := rawConn(t, e)
	for i := 0; i < 2; i++ {
		if _, err := io.WriteString(c, "GET /r/"+e.partner.Code+" HTTP/1.1\r\nHost: x\r\nUser-Agent: curl/8.5.0\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(rd, nil)
		if err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("request %d: status %d, want 302", i+1, resp.StatusCode)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// The other routes keep a write deadline, as the server's WriteTimeout
// gave them: a request that takes longer than the timeout to answer finds
// its connection's writes failing.
func TestOtherRoutesGetAWriteDeadline(t *testing.T) {
	e := newEnv(t, Config{RequestTimeout: 100 * time.Millisecond})
	werr := make(chan error, 1)
	h := e.srv.instrument("slow", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(300 * time.Millisecond)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(strings.Repeat("x", 64<<10)))
		werr <- http.NewResponseController(w).Flush()
	}))
	ts := httptest.NewServer(h)
	defer ts.Close()
	resp, getErr := http.Get(ts.URL)
	if getErr == nil {
		_, getErr = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err := <-werr; err == nil && getErr == nil {
		t.Fatal("an answer written after the request timeout went out whole")
	}
}
