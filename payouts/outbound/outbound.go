// Package outbound is the one HTTP client affogato uses to call anything
// outside the process: the PayPal and Wise APIs and merchants' webhooks.
//
// The targets come from people (a merchant sets paypal-base-url or adds a
// webhook URL), so the client is guarded against being turned on the
// server's own network (SSRF):
//
//   - every address a connection is about to be made to is checked at dial
//     time, after name resolution, through net.Dialer.Control, so a name that
//     resolves (or re-resolves) to an internal address is refused too;
//     loopback, RFC 1918 private, link-local (the 169.254.169.254 metadata
//     service among them), CGNAT (100.64.0.0/10), multicast, unspecified,
//     IPv6 unique-local and link-local addresses and their IPv4-mapped forms
//     are refused unless AllowPrivate is set (tests and local mocks only);
//   - redirects are never followed: a 3xx answer is handed back as it is;
//   - proxies from the environment are not used (the dial check would then
//     see only the proxy's address).
//
// CheckURL does the same check when a URL is configured, so a bad webhook
// URL is refused when it is added, not only when it is first called.
package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrForbiddenTarget is wrapped by every refusal of an address.
var ErrForbiddenTarget = errors.New("outbound target not allowed")

// DefaultTimeout bounds one call (connect, request, whole answer) when
// Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Options configure a Guard.
type Options struct {
	// AllowPrivate lets calls reach loopback, private, link-local and the
	// other internal ranges (the --allow-private-targets flag; tests only).
	AllowPrivate bool
	// Timeout bounds one call; zero means DefaultTimeout.
	Timeout time.Duration
	// Resolver resolves host names for CheckURL; nil means
	// net.DefaultResolver.
	Resolver Resolver
}

// Resolver looks up the addresses of a host name.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard decides which addresses outbound calls may reach and makes the
// clients that enforce it. The zero value refuses every internal address.
type Guard struct {
	opts Options
}

// New returns a Guard for opts.
func New(opts Options) *Guard {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	return &Guard{opts: opts}
}

// AllowPrivate reports whether internal addresses are allowed.
func (g *Guard) AllowPrivate() bool { return g != nil && g.opts.AllowPrivate }

// blocked lists the ranges refused unless AllowPrivate is set. IPv4-mapped
// IPv6 addresses are unmapped before they are checked, so ::ffff:10.0.0.1
// is refused as 10.0.0.1 is.
var blocked = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified / this network"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private (RFC 1918)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "carrier-grade NAT (RFC 6598)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local (cloud metadata)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private (RFC 1918)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private (RFC 1918)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved / broadcast"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64 (embeds an IPv4 address)"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "NAT64 (local use)"},
	{netip.MustParsePrefix("2002::/16"), "6to4 (embeds an IPv4 address)"},
	{netip.MustParsePrefix("fc00::/7"), "unique local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// CheckAddr returns nil when a call may be made to ip, and an error
// wrapping ErrForbiddenTarget when it may not.
func (g *Guard) CheckAddr(ip netip.Addr) error {
	if !ip.IsValid() {
		return fmt.Errorf("invalid address: %w", ErrForbiddenTarget)
	}
	ip = ip.Unmap().WithZone("")
	if g.AllowPrivate() {
		return nil
	}
	for _, b := range blocked {
		if b.prefix.Contains(ip) {
			return fmt.Errorf("address %s is %s (calls to internal addresses are off; --allow-private-targets is for tests): %w",
				ip, b.what, ErrForbiddenTarget)
		}
	}
	// The standard library's own classification catches anything the table
	// above misses (e.g. interface-local multicast).
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return fmt.Errorf("address %s is internal: %w", ip, ErrForbiddenTarget)
	}
	return nil
}

// Control is a net.Dialer.Control function: it checks the address a
// connection is about to be made to (after name resolution, for every
// address tried) and refuses forbidden ones before any packet is sent.
func (g *Guard) Control(network, address string, _ syscall.RawConn) error {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return fmt.Errorf("network %q: %w", network, ErrForbiddenTarget)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial address %q: %v: %w", address, err, ErrForbiddenTarget)
	}
	return g.CheckAddr(ap.Addr())
}

// Dialer returns a net.Dialer that applies the guard at dial time.
func (g *Guard) Dialer() *net.Dialer {
	return &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: g.Control}
}

// Client returns an http.Client that dials only allowed addresses, never
// follows a redirect (a 3xx answer is returned as it is) and ignores proxy
// settings from the environment. Each call gets its own client; they share
// nothing.
func (g *Guard) Client() *http.Client {
	if g == nil {
		g = New(Options{})
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           g.Dialer().DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: g.opts.Timeout,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   g.opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// CheckURL validates a URL someone configures as a call target (a webhook,
// a provider base URL): http or https, a host, no credentials in it, and
// every address its host resolves to allowed. Plain http is accepted only
// when allowHTTP is true. The check is repeated at dial time, so a name that
// later resolves elsewhere is still refused then.
func (g *Guard) CheckURL(ctx context.Context, raw string, allowHTTP bool) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not an absolute URL", raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	default:
		if allowHTTP {
			return nil, fmt.Errorf("URL %q must use http or https", raw)
		}
		return nil, fmt.Errorf("URL %q must use https", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("URL %q must not hold credentials", u.Redacted())
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("URL %q has no host", raw)
	}
	if p := u.Port(); p != "" {
		if _, err := netip.ParseAddrPort("0.0.0.0:" + p); err != nil {
			return nil, fmt.Errorf("URL %q has a bad port", raw)
		}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := g.CheckAddr(ip); err != nil {
			return nil, fmt.Errorf("URL %q: %w", raw, err)
		}
		return u, nil
	}
	var r Resolver = net.DefaultResolver
	if g != nil && g.opts.Resolver != nil {
		r = g.opts.Resolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("URL %q: resolve %s: %w", raw, host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("URL %q: %s has no address", raw, host)
	}
	for _, a := range addrs {
		if err := g.CheckAddr(a); err != nil {
			return nil, fmt.Errorf("URL %q: %s resolves to a refused address: %w", raw, host, err)
		}
	}
	return u, nil
}
