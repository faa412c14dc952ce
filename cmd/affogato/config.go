package main

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui"
)

// Config is the server's configuration: flags with AFFOGATO_* env twins.
type Config struct {
	DataDir         string
	SSHAddr         string
	HTTPAddr        string
	PublicURL       string
	AdminKeys       []string // authorized_keys lines
	OpenSignup      bool
	ClickFloodLimit int
	APIRateLimit    int
	IdleTimeout     time.Duration
	MaxSessions     int
	// SSHLimits are the per-key and per-address SSH caps (0 = derived from
	// MaxSessions).
	SSHLimits tui.Limits
	PprofAddr string // profiling listener, off when ""
	// ResidentFileLimitMB is the file-backed RSS (MB) above which the
	// database's mapped pages are unmapped again (store/resident.go);
	// 0 = the store's default, below 0 = never.
	ResidentFileLimitMB int
	TrustedProxies      []netip.Prefix
	// ClickRetentionDays is how long raw clicks are kept (day counters are
	// kept forever); at least the longest program cookie lifetime.
	ClickRetentionDays int
	SSHPublicAddr      string // HOST:PORT the hints print for ssh; "" = public URL's host + SSH port
	// AllowPrivateTargets lets outbound calls (PayPal, Wise, webhooks) reach
	// loopback and private addresses: tests and local mocks only.
	AllowPrivateTargets bool
	// SMTPURL and MailFrom turn email notifications on (off when empty).
	SMTPURL, MailFrom string
}

type configFlags struct {
	cfg       Config
	adminKeys []string
	proxies   []string
}

func (f *configFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.cfg.DataDir, "data", "./data", "data directory (database and SSH host key)")
	fs.StringVar(&f.cfg.SSHAddr, "ssh", ":23234", "SSH listen address")
	fs.StringVar(&f.cfg.HTTPAddr, "http", ":8080", "HTTP listen address")
	fs.StringVar(&f.cfg.PublicURL, "public-url", "http://localhost:8080", "base URL of referral links")
	fs.StringArrayVar(&f.adminKeys, "admin-key", nil, "instance admin key: an authorized_keys line or a file of them (repeatable)")
	fs.BoolVar(&f.cfg.OpenSignup, "open-signup", false, "let any key create its own programs")
	fs.IntVar(&f.cfg.ClickFloodLimit, "click-flood-limit", 120, "clicks recorded per IP per minute (0 = off)")
	fs.IntVar(&f.cfg.APIRateLimit, "api-rate-limit", 200, "API requests per second per API key (0 = off)")
	fs.DurationVar(&f.cfg.IdleTimeout, "idle-timeout", 30*time.Minute, "close SSH sessions idle this long")
	fs.IntVar(&f.cfg.MaxSessions, "max-sessions", 64, "concurrent SSH sessions at most")
	fs.IntVar(&f.cfg.SSHLimits.MaxConns, "max-conns", 0, "concurrent SSH connections at most (0 = 4 × --max-sessions)")
	fs.IntVar(&f.cfg.SSHLimits.ConnsPerIP, "max-conns-per-ip", 0, "concurrent SSH connections from one address (0 = --max-conns / 8)")
	fs.IntVar(&f.cfg.SSHLimits.SessionsPerIP, "max-sessions-per-ip", 0, "concurrent SSH sessions from one address (0 = --max-sessions / 4)")
	fs.IntVar(&f.cfg.SSHLimits.SessionsPerKey, "max-sessions-per-key", 0, "concurrent SSH sessions of one known key (0 = --max-sessions / 8; unknown keys get a quarter of it)")
	fs.StringArrayVar(&f.proxies, "trusted-proxy", nil, "reverse proxy address or CIDR whose X-Forwarded-For is believed (repeatable, or comma-separated)")
	fs.IntVar(&f.cfg.ClickRetentionDays, "click-retention-days", store.DefaultClickRetentionDays,
		"delete raw clicks older than this many days (never less than a program's cookie lifetime; dashboards keep their figures)")
	fs.StringVar(&f.cfg.SSHPublicAddr, "ssh-public-addr", "", "HOST:PORT that users' ssh reaches (behind NAT or a port forward); hints print it (default: --public-url's host and the --ssh port)")
	fs.BoolVar(&f.cfg.AllowPrivateTargets, "allow-private-targets", false, "let outbound calls (PayPal, Wise, webhooks) reach loopback / private addresses (tests only)")
	fs.StringVar(&f.cfg.SMTPURL, "smtp-url", "", "send email notifications through this SMTP server: smtp://USER:PASS@HOST:PORT (STARTTLS required), smtps:// (TLS), smtp+insecure:// (plain; local relays only)")
	fs.StringVar(&f.cfg.MailFrom, "mail-from", "", "From address of email notifications, e.g. 'Acme Partners <partners@acme.example>' (needed with --smtp-url)")
	fs.StringVar(&f.cfg.PprofAddr, "pprof-addr", "", "serve Go profiling (net/http/pprof) on this address, e.g. 127.0.0.1:6060 (off by default)")
	fs.IntVar(&f.cfg.ResidentFileLimitMB, "resident-file-limit", 0, "unmap the database's pages from the process when its file-backed RSS passes this many MB (0 = 48, -1 = never; they stay in the page cache)")
}

// applyEnv fills every flag not set on the command line from its
// AFFOGATO_* twin (--public-url ← AFFOGATO_PUBLIC_URL).
func applyEnv(cmd *cobra.Command) error {
	var err error
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if err != nil || fl.Changed || fl.Name == "help" {
			return
		}
		name := envName(fl.Name)
		if v, ok := os.LookupEnv(name); ok {
			if e := cmd.Flags().Set(fl.Name, v); e != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

// resolve finishes the config: admin keys from lines or files.
func (f *configFlags) resolve() (Config, error) {
	cfg := f.cfg
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	for _, v := range f.adminKeys {
		lines, err := adminKeyLines(v)
		if err != nil {
			return cfg, err
		}
		cfg.AdminKeys = append(cfg.AdminKeys, lines...)
	}
	for _, v := range f.proxies {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			p, err := netip.ParsePrefix(s)
			if err != nil {
				a, aerr := netip.ParseAddr(s)
				if aerr != nil {
					return cfg, fmt.Errorf("--trusted-proxy %q is neither an address nor a CIDR", s)
				}
				p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
			}
			cfg.TrustedProxies = append(cfg.TrustedProxies, p.Masked())
		}
	}
	if cfg.ResidentFileLimitMB < -1 {
		return cfg, fmt.Errorf("--resident-file-limit %d: must be a number of MB, 0 for the default (48) or -1 for never", cfg.ResidentFileLimitMB)
	}
	if cfg.ClickRetentionDays < 1 {
		return cfg, fmt.Errorf("--click-retention-days %d: must be at least 1", cfg.ClickRetentionDays)
	}
	if cfg.SSHPublicAddr != "" {
		if err := checkHostPort(cfg.SSHPublicAddr); err != nil {
			return cfg, err
		}
	}
	if _, err := mailer(cfg); err != nil {
		return cfg, err
	}
	if l := cfg.SSHLimits; l.MaxConns < 0 || l.ConnsPerIP < 0 || l.SessionsPerIP < 0 || l.SessionsPerKey < 0 {
		return cfg, fmt.Errorf("limits must not be negative")
	}
	if cfg.ClickFloodLimit < 0 || cfg.APIRateLimit < 0 || cfg.MaxSessions < 0 {
		return cfg, fmt.Errorf("limits must not be negative")
	}
	return cfg, nil
}

// adminKeyLines reads an --admin-key value: an authorized_keys line, or a
// file of such lines (blank lines and # comments skipped).
func adminKeyLines(v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	if strings.HasPrefix(v, "ssh-") || strings.HasPrefix(v, "ecdsa-") || strings.HasPrefix(v, "sk-") {
		return splitKeyLines(v), nil
	}
	fh, err := os.Open(v)
	if err != nil {
		return nil, fmt.Errorf("--admin-key %q is neither a public key nor a readable file: %w", v, err)
	}
	defer fh.Close()
	var lines []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		lines = append(lines, splitKeyLines(sc.Text())...)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", v, err)
	}
	return lines, nil
}

func splitKeyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// checkHostPort validates --ssh-public-addr: HOST:PORT with a port from 1
// to 65535 ([::1]:2222 for IPv6).
func checkHostPort(v string) error {
	host, port, err := net.SplitHostPort(v)
	n, perr := strconv.Atoi(port)
	if err != nil || host == "" || perr != nil || n < 1 || n > 65535 || strings.ContainsAny(host, " /@'\"") {
		return fmt.Errorf("--ssh-public-addr %q must be HOST:PORT, e.g. affiliates.example.com:23234", v)
	}
	return nil
}
