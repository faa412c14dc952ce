package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// SMTP connection security, from the --smtp-url scheme.
const (
	SecurityStartTLS = "starttls" // smtp://: STARTTLS required
	SecurityTLS      = "tls"      // smtps://: implicit TLS
	SecurityNone     = "none"     // smtp+insecure://: plain text
)

// Mailer sends mail through one SMTP server.
type Mailer struct {
	addr     string // host:port
	host     string
	security string
	user     string
	pass     string
	from     *mail.Address
	// TLSConfig overrides the TLS settings (tests trust their own CA).
	TLSConfig *tls.Config
	// Timeout bounds one mail (dial, dialogue); default 30s.
	Timeout time.Duration
}

// NewMailer parses an SMTP URL (smtp://USER:PASS@HOST:PORT with STARTTLS
// required, smtps:// for implicit TLS, smtp+insecure:// for neither) and
// the From address.
func NewMailer(rawURL, from string) (*Mailer, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("--smtp-url: not a URL like smtp://user:pass@mail.example.com:587")
	}
	m := &Mailer{host: u.Hostname(), Timeout: 30 * time.Second}
	port := u.Port()
	switch u.Scheme {
	case "smtp":
		m.security, port = SecurityStartTLS, cmpOr(port, "587")
	case "smtps":
		m.security, port = SecurityTLS, cmpOr(port, "465")
	case "smtp+insecure":
		m.security, port = SecurityNone, cmpOr(port, "25")
	default:
		return nil, fmt.Errorf("--smtp-url: scheme %q must be smtp (STARTTLS), smtps (TLS) or smtp+insecure", u.Scheme)
	}
	m.addr = net.JoinHostPort(m.host, port)
	if u.User != nil {
		m.user = u.User.Username()
		m.pass, _ = u.User.Password()
	}
	if strings.TrimSpace(from) == "" {
		return nil, errors.New("--mail-from is required with --smtp-url")
	}
	if m.from, err = mail.ParseAddress(from); err != nil || !sanitize.Clean(from) {
		return nil, fmt.Errorf("--mail-from %q is not an email address", from)
	}
	return m, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Security says how the connection is protected.
func (m *Mailer) Security() string { return m.security }

// Addr is the SMTP server's host:port.
func (m *Mailer) Addr() string { return m.addr }

func (m *Mailer) tlsConfig() *tls.Config {
	if m.TLSConfig != nil {
		c := m.TLSConfig.Clone()
		if c.ServerName == "" {
			c.ServerName = m.host
		}
		return c
	}
	return &tls.Config{ServerName: m.host, MinVersion: tls.VersionTLS12}
}

// Send delivers one message to one recipient.
func (m *Mailer) Send(ctx context.Context, to string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, m.Timeout)
	defer cancel()
	dl, _ := ctx.Deadline()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.addr)
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", m.addr, err)
	}
	_ = conn.SetDeadline(dl)
	var c *smtp.Client
	switch m.security {
	case SecurityTLS:
		tc := tls.Client(conn, m.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fmt.Errorf("smtp tls %s: %w", m.addr, err)
		}
		c = smtp.NewClient(tc)
	case SecurityStartTLS:
		if c, err = smtp.NewClientStartTLS(conn, m.tlsConfig()); err != nil {
			return fmt.Errorf("smtp starttls %s (required with smtp://; smtp+insecure:// sends in plain text): %w", m.addr, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if m.user != "" {
		if err := c.Auth(sasl.NewPlainClient("", m.user, m.pass)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.SendMail(m.from.Address, []string{to}, bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	return c.Quit()
}

// Message is one composed email.
type Message struct {
	To      mail.Address
	Subject string
	Body    string
}

// Bytes renders the message: plain text, quoted-printable, every header
// value free of line breaks and non-ASCII text encoded as RFC 2047 words.
func (msg *Message) Bytes(from *mail.Address, id string, now time.Time) []byte {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", headerAddr(*from))
	h("To", headerAddr(msg.To))
	h("Subject", mime.QEncoding.Encode("utf-8", sanitize.Line(msg.Subject)))
	h("Date", now.UTC().Format(time.RFC1123Z))
	h("Message-ID", "<"+id+"@affogato>")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(sanitize.Text(msg.Body), "\n", "\r\n")
	_, _ = qp.Write([]byte(body))
	_ = qp.Close()
	return b.Bytes()
}

// headerAddr formats an address for a header: the name without control
// characters (mail.Address encodes non-ASCII names per RFC 2047).
func headerAddr(a mail.Address) string {
	a.Name = sanitize.Line(a.Name)
	a.Address = sanitize.Line(a.Address)
	return a.String()
}

// deliverMail composes and sends an email notification. gone means it is
// not to be sent at all (the user turned mail off or has no address).
func (d *Dispatcher) deliverMail(ctx context.Context, m store.OutboxMessage) (bool, error) {
	if d.cfg.Mail == nil {
		return true, errors.New("mail is off (no --smtp-url)")
	}
	u, err := d.st.UserByID(m.UserID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return true, errors.New("the user is gone")
		}
		return false, err
	}
	if u.NoMail || u.Email == "" {
		return true, errors.New("the user turned notifications off")
	}
	if _, err := mail.ParseAddress(u.Email); err != nil || !sanitize.Clean(u.Email) {
		return true, fmt.Errorf("the user's email %q is not an address", sanitize.Line(u.Email))
	}
	prog, err := d.st.Program(m.Program)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return true, errors.New("the program is gone")
		}
		return false, err
	}
	msg, err := compose(m, u, prog, d.cfg.SSH, d.cfg.PublicURL)
	if err != nil {
		return true, err
	}
	raw := msg.Bytes(d.cfg.Mail.from, fmt.Sprintf("%s.%d", m.Event.ID, m.ID), d.now())
	return false, d.cfg.Mail.Send(ctx, u.Email, raw)
}
