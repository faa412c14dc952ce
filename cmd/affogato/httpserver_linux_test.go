package main

import (
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

// Every connection the tracker's listener accepts has the TCP user
// timeout that cuts a client which stops reading (httpserver.go).
func TestHTTPConnectionsHaveAUserTimeout(t *testing.T) {
	ln, err := listenHTTP("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var got int
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		got, gerr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT)
	}); err != nil {
		t.Fatal(err)
	}
	if gerr != nil {
		t.Fatal(gerr)
	}
	if want := int(httpUserTimeout.Milliseconds()); got != want {
		t.Fatalf("accepted connection's TCP_USER_TIMEOUT = %d ms, want %d", got, want)
	}
}
