package tui

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

// BenchmarkSSHHandshake times one SSH handshake with public key
// authentication (both ends, in process, over loopback TCP) by key exchange:
// the CPU a session costs before its first frame, server and client
// together. Run under the shared benchmark lock:
//
//	flock /work/wt/bench.lock go test -run '^$' -bench SSHHandshake ./tui/
func BenchmarkSSHHandshake(b *testing.B) {
	_, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	host, err := gossh.NewSignerFromKey(hostPriv)
	if err != nil {
		b.Fatal(err)
	}
	_, userPriv, _ := ed25519.GenerateKey(rand.Reader)
	user, err := gossh.NewSignerFromKey(userPriv)
	if err != nil {
		b.Fatal(err)
	}
	for _, kex := range []string{gossh.KeyExchangeMLKEM768X25519, gossh.KeyExchangeCurve25519} {
		b.Run(kex, func(b *testing.B) {
			scfg := &gossh.ServerConfig{
				PublicKeyCallback: func(gossh.ConnMetadata, gossh.PublicKey) (*gossh.Permissions, error) { return nil, nil },
			}
			scfg.KeyExchanges = []string{kex}
			scfg.AddHostKey(host)
			ccfg := &gossh.ClientConfig{User: "u", Auth: []gossh.AuthMethod{gossh.PublicKeys(user)},
				HostKeyCallback: gossh.InsecureIgnoreHostKey()}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			for b.Loop() {
				done := make(chan error, 1)
				go func() {
					c1, err := l.Accept()
					if err != nil {
						done <- err
						return
					}
					sc, chans, reqs, err := gossh.NewServerConn(c1, scfg)
					if err == nil {
						go gossh.DiscardRequests(reqs)
						go func() {
							for range chans {
							}
						}()
						defer sc.Close()
					}
					done <- err
				}()
				c2, err := net.Dial("tcp", l.Addr().String())
				if err != nil {
					b.Fatal(err)
				}
				cc, _, _, err := gossh.NewClientConn(c2, l.Addr().String(), ccfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				cc.Close()
			}
		})
	}
}
