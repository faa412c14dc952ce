package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// The tracker's HTTP server. The server bounds the request header
// (ReadHeaderTimeout, against slowloris) and the idle time between
// requests; reading a body and writing an answer are bounded per request
// by the tracker (tracker/deadlines.go), which leaves the redirect's GET
// without the two deadline changes per request a server-wide ReadTimeout
// and WriteTimeout cost. A client that stops taking what is written to it
// is cut by the kernel: every accepted connection has a TCP user timeout
// (Linux), so data it leaves unacknowledged, or unsent behind a zero
// window, closes the connection after httpUserTimeout.
const (
	httpHeaderTimeout = 10 * time.Second
	httpIdleTimeout   = 120 * time.Second
	httpUserTimeout   = 30 * time.Second
)

// newHTTPServer is the tracker's HTTP server over h.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: httpHeaderTimeout, IdleTimeout: httpIdleTimeout}
}

// listenHTTP listens on addr for the tracker; the connections it accepts
// inherit the listening socket's TCP user timeout.
func listenHTTP(addr string) (net.Listener, error) {
	lc := net.ListenConfig{Control: setUserTimeout}
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("http listen %s: %w", addr, err)
	}
	return ln, nil
}
