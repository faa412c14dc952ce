package outbound

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// The tests in this file make no connection: the guard is tested on the
// dial check itself (Control is called with the address a dial would use)
// and on CheckURL with a fake resolver. The tests that connect are in
// client_loopback_test.go and dial only loopback test servers.
func TestControlRefusesInternalAddresses(t *testing.T) {
	refused := []string{
		"127.0.0.1:443", "127.1.2.3:80", "[::1]:443",
		"10.0.0.1:443", "172.16.0.1:443", "172.31.255.255:443", "192.168.1.1:443",
		"169.254.169.254:80", "169.254.0.1:443", "[fe80::1]:443", "[fe80::1%25eth0]:443",
		"100.64.0.1:443", "100.127.255.254:443",
		"224.0.0.1:443", "239.255.255.250:1900", "[ff02::1]:443",
		"0.0.0.0:443", "[::]:443",
		"[fc00::1]:443", "[fd12:3456::1]:443",
		"[::ffff:127.0.0.1]:443", "[::ffff:10.0.0.1]:443", "[::ffff:169.254.169.254]:80",
		"[::ffff:a9fe:a9fe]:80", "[64:ff9b::a9fe:a9fe]:80", "[2002:a9fe:a9fe::1]:80",
		"255.255.255.255:443", "198.18.0.1:443",
	}
	g := New(Options{})
	for _, a := range refused {
		addr := strings.Replace(a, "%25", "%", 1)
		if err := g.Control("tcp", addr, nil); !errors.Is(err, ErrForbiddenTarget) {
			t.Errorf("Control(%s) = %v, want ErrForbiddenTarget", addr, err)
		}
	}
	allowed := []string{"93.184.216.34:443", "[2606:2800:220:1:248:1893:25c8:1946]:443", "8.8.8.8:443",
		"100.128.0.1:443", "172.32.0.1:443", "11.0.0.1:443"}
	for _, a := range allowed {
		if err := g.Control("tcp", a, nil); err != nil {
			t.Errorf("Control(%s) = %v, want nil", a, err)
		}
	}
	if err := g.Control("udp", "8.8.8.8:53", nil); !errors.Is(err, ErrForbiddenTarget) {
		t.Errorf("udp allowed: %v", err)
	}
	if err := g.Control("tcp", "not-an-address", nil); !errors.Is(err, ErrForbiddenTarget) {
		t.Errorf("unparsable address allowed: %v", err)
	}

	open := New(Options{AllowPrivate: true})
	for _, a := range []string{"127.0.0.1:443", "10.0.0.1:443", "[::1]:443", "169.254.169.254:80"} {
		if err := open.Control("tcp", a, nil); err != nil {
			t.Errorf("AllowPrivate: Control(%s) = %v", a, err)
		}
	}
	var zero *Guard
	if err := zero.Control("tcp", "127.0.0.1:80", nil); !errors.Is(err, ErrForbiddenTarget) {
		t.Errorf("nil guard allowed loopback: %v", err)
	}
}

type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host")
}

func TestCheckURL(t *testing.T) {
	res := fakeResolver{
		"hooks.example.com": {netip.MustParseAddr("93.184.216.34")},
		"metadata.example":  {netip.MustParseAddr("169.254.169.254")},
		"mixed.example":     {netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("10.1.2.3")},
		"mapped.example":    {netip.MustParseAddr("::ffff:192.168.0.1")},
	}
	g := New(Options{Resolver: res})
	ctx := context.Background()
	good := []string{"https://hooks.example.com/x", "https://93.184.216.34:8443/hook"}
	for _, u := range good {
		if _, err := g.CheckURL(ctx, u, false); err != nil {
			t.Errorf("CheckURL(%s) = %v", u, err)
		}
	}
	forbidden := []string{
		"https://metadata.example/latest", "https://mixed.example/", "https://mapped.example/",
		"https://127.0.0.1/", "https://[::1]/", "https://169.254.169.254/", "https://[::ffff:10.0.0.1]/",
		"https://10.0.0.1:8443/", "https://100.64.1.1/",
	}
	for _, u := range forbidden {
		if _, err := g.CheckURL(ctx, u, true); !errors.Is(err, ErrForbiddenTarget) {
			t.Errorf("CheckURL(%s) = %v, want ErrForbiddenTarget", u, err)
		}
	}
	malformed := []string{"", "hooks.example.com", "ftp://hooks.example.com/", "https://user:pw@hooks.example.com/",
		"http://hooks.example.com/", "https://nowhere.example/", "https://hooks.example.com:99999/", "mailto:a@b.c"}
	for _, u := range malformed {
		if _, err := g.CheckURL(ctx, u, false); err == nil {
			t.Errorf("CheckURL(%q) accepted", u)
		}
	}
	if _, err := g.CheckURL(ctx, "http://hooks.example.com/", true); err != nil {
		t.Errorf("http with allowHTTP: %v", err)
	}
	open := New(Options{AllowPrivate: true, Resolver: res})
	if _, err := open.CheckURL(ctx, "http://127.0.0.1:8080/hook", true); err != nil {
		t.Errorf("AllowPrivate loopback: %v", err)
	}
}
