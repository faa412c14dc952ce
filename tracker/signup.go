package tracker

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/affogato-sh/affogato/assets"
	"github.com/affogato-sh/affogato/store"
)

// defaultAccent is the signup page's colour for a program without one.
const defaultAccent = "#8a5a2b"

// signupPage is what the public signup page template shows.
type signupPage struct {
	Name, URL, Host, Welcome, Terms      string
	Accent                               string // #rrggbb
	Commission, CookieDays, Hold, MinPay string
	MinPayout, JoinSSH, JoinCommand      string
	AutoApprove                          bool
	Style                                template.CSS
}

// programPage serves GET /p/{slug}: the program's public signup page, for
// any program, listed or not, and 404 for an unknown slug. Static HTML: no
// scripts, every value escaped by html/template, and a
// Content-Security-Policy that allows nothing but the page's own style
// sheet (by its hash).
func (s *Server) programPage(w http.ResponseWriter, r *http.Request) {
	prog, err := s.st.Program(r.PathValue("slug"))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.assetNotFound(w, r)
			return
		}
		s.storeError(w, "program page", err)
		return
	}
	page := signupPage{
		Name: prog.Name, URL: prog.URL, Welcome: prog.Welcome, Terms: prog.Terms,
		Accent: AccentHex(prog.Accent), Commission: prog.CommissionInWords(),
		CookieDays:  days(prog.CookieDays) + " from the click",
		Hold:        days(prog.HoldDays) + " before a commission is approved",
		MinPayout:   store.FormatMoney(prog.MinPayout, prog.Currency) + " " + prog.Currency,
		AutoApprove: prog.AutoApprove,
		JoinSSH:     s.sshCommand(prog.Slug + "@"),
		JoinCommand: s.sshCommand("") + " join " + prog.Slug + ` --name "'Your Name'" --email you@example.com`,
	}
	if prog.HoldDays == 0 {
		page.Hold = "none: commissions are approved right away"
	}
	if u, err := url.Parse(prog.URL); err == nil {
		page.Host = u.Hostname()
	}
	var style bytes.Buffer
	if err := s.signupTmpl.ExecuteTemplate(&style, "style", page); err != nil {
		s.storeError(w, "program page style", err)
		return
	}
	page.Style = template.CSS(style.String()) // built from the template and a validated colour
	var body bytes.Buffer
	if err := s.signupTmpl.Execute(&body, page); err != nil {
		s.storeError(w, "program page", err)
		return
	}
	sum := sha256.Sum256(style.Bytes())
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'sha256-"+
		base64.StdEncoding.EncodeToString(sum[:])+"'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "public, max-age=60")
	h.Set("Content-Length", strconv.Itoa(body.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body.Bytes())
	}
}

func parseSignupTemplate() *template.Template {
	return template.Must(template.New("signup").Parse(assets.SignupPageTemplate()))
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}

// sshCommand is the ssh command line reaching this server: "ssh -p PORT
// HOST", or "ssh -p PORT USER@HOST" when userAt is "USER@" (no -p for 22).
func (s *Server) sshCommand(userAt string) string {
	host, port := s.sshHost, s.sshPort
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6 literal
	}
	if port == "" || port == "22" {
		return "ssh " + userAt + host
	}
	return "ssh -p " + port + " " + userAt + host
}

// sshPublicAddr splits Config.SSHPublicAddr, falling back to the public
// URL's host and port 22.
func sshPublicAddr(cfg Config) (host, port string) {
	if cfg.SSHPublicAddr != "" {
		if h, p, err := net.SplitHostPort(cfg.SSHPublicAddr); err == nil {
			return h, p
		}
		return cfg.SSHPublicAddr, ""
	}
	host = "localhost"
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return host, ""
}

// AccentHex turns a program's accent (#rrggbb or an ANSI 256-colour number)
// into #rrggbb for the web; the default colour when it is neither.
func AccentHex(accent string) string {
	if len(accent) == 7 && accent[0] == '#' {
		if _, err := strconv.ParseUint(accent[1:], 16, 32); err == nil {
			return strings.ToLower(accent)
		}
		return defaultAccent
	}
	n, err := strconv.Atoi(accent)
	if err != nil || n < 0 || n > 255 {
		return defaultAccent
	}
	var r, g, b int
	switch {
	case n < 16:
		ansi16 := [16][3]int{{0, 0, 0}, {128, 0, 0}, {0, 128, 0}, {128, 128, 0}, {0, 0, 128}, {128, 0, 128}, {0, 128, 128}, {192, 192, 192},
			{128, 128, 128}, {255, 0, 0}, {0, 255, 0}, {255, 255, 0}, {0, 0, 255}, {255, 0, 255}, {0, 255, 255}, {255, 255, 255}}
		r, g, b = ansi16[n][0], ansi16[n][1], ansi16[n][2]
	case n < 232:
		level := func(v int) int {
			if v == 0 {
				return 0
			}
			return 55 + 40*v
		}
		n -= 16
		r, g, b = level(n/36), level(n/6%6), level(n%6)
	default:
		v := 8 + 10*(n-232)
		r, g, b = v, v, v
	}
	return fmt.Sprintf("#%02x%02x%02x", r, g, b)
}
