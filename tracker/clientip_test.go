package tracker

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name    string
		remote  string
		xff     []string
		trusted []netip.Prefix
		want    string
	}{
		{"no proxies: peer, header ignored", "203.0.113.9:5000", []string{"1.2.3.4"}, nil, "203.0.113.9"},
		{"untrusted peer: header ignored", "203.0.113.9:5000", []string{"1.2.3.4"}, proxies, "203.0.113.9"},
		{"trusted peer: rightmost untrusted hop", "10.1.2.3:5000", []string{"6.6.6.6, 198.51.100.7, 10.9.9.9"}, proxies, "198.51.100.7"},
		{"two header lines", "10.1.2.3:5000", []string{"6.6.6.6", "198.51.100.8"}, proxies, "198.51.100.8"},
		{"only proxies in the chain", "10.1.2.3:5000", []string{"10.2.2.2"}, proxies, "10.1.2.3"},
		{"malformed chain", "10.1.2.3:5000", []string{"bogus, 198.51.100.7, nonsense"}, proxies, "10.1.2.3"},
		{"no header", "10.1.2.3:5000", nil, proxies, "10.1.2.3"},
		{"ipv6 loopback proxy", "[::1]:5000", []string{"2001:db8::1"}, proxies, "2001:db8::1"},
		{"mapped v4", "[::ffff:10.0.0.1]:80", []string{"198.51.100.9"}, proxies, "198.51.100.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/r/x", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := clientIP(r, tt.trusted); got.String() != tt.want {
				t.Fatalf("clientIP = %s, want %s", got, tt.want)
			}
		})
	}
}
