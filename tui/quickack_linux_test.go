package tui

import (
	"io"
	"net"
	"syscall"
	"testing"
)

// A connection from quickAckListener is in quick-ack mode after each read,
// also once an exchange of small packets has made the kernel delay its
// acknowledgements (what held OpenSSH's handshake packets 40 ms).
func TestQuickAckAfterEveryRead(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ql := quickAckListener{l}
	defer ql.Close()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sc, err := ql.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	qc, ok := sc.(*quickAckConn)
	if !ok {
		t.Fatalf("accepted %T, want *quickAckConn", sc)
	}
	buf := make([]byte, 1)
	for i := range 20 { // request, answer: an interactive exchange
		if _, err := client.Write([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(sc, buf); err != nil {
			t.Fatal(err)
		}
		if got := quickAckOf(t, qc); got != 1 {
			t.Fatalf("after read %d TCP_QUICKACK = %d, want 1", i, got)
		}
		if _, err := sc.Write(buf); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(client, buf); err != nil {
			t.Fatal(err)
		}
	}
}

func quickAckOf(t *testing.T, c *quickAckConn) int {
	t.Helper()
	var v int
	var serr error
	if err := c.rc.Control(func(fd uintptr) {
		v, serr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_QUICKACK)
	}); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatal(serr)
	}
	return v
}
