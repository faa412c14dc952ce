package store

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

var (
	slugRe   = regexp.MustCompile(`^[a-z0-9-]{2,32}$`)
	accentRe = regexp.MustCompile(`^#[0-9a-fA-F]{6}$|^[0-9]{1,3}$`)
	hostRe   = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)
	codeRe   = regexp.MustCompile(`^[A-Za-z0-9_-]{3,40}$`)
)

// Program defaults (SPEC 3).
const (
	DefaultCurrency   = "USD"
	DefaultCommission = "20%"
	DefaultCookieDays = 30
	DefaultHoldDays   = 30
	DefaultMinPayout  = "50.00"
)

// ProgramInput is what program create takes. Empty or nil fields take defaults.
type ProgramInput struct {
	Slug, Name, URL, Currency string
	Commission                string // plan text; default "20%"
	RecurringMonths           string // "", N, "forever"
	RenewalRate               string
	CookieDays, HoldDays      *int
	MinPayout                 string
	AutoApprove, Listed       bool
}

// CreateProgram creates a program administered by the actor; only instance
// admins may unless openSignup. It returns the API key, shown once.
func (s *Store) CreateProgram(a Actor, in ProgramInput, openSignup bool) (*Program, string, error) {
	if !a.Admin && !openSignup {
		return nil, "", fmt.Errorf("create program: only instance admins create programs: %w", ErrForbidden)
	}
	p, err := newProgram(in)
	if err != nil {
		return nil, "", fmt.Errorf("create program: %w", err)
	}
	if err := s.checkCookieDays(p.CookieDays); err != nil {
		return nil, "", fmt.Errorf("create program: %w", err)
	}
	apiKey, hash, err := newAPIKey()
	if err != nil {
		return nil, "", err
	}
	p.APIKeyHash, p.APIKeyHint = hash, apiKey[:8]
	p.Admins = []uint64{a.UserID}
	p.CreatedAt = s.now().UTC()
	err = s.update(func(tx *bolt.Tx) error {
		if tx.Bucket(bUsers).Get(u64(a.UserID)) == nil {
			return fmt.Errorf("user %d: %w", a.UserID, ErrNotFound)
		}
		if tx.Bucket(bPrograms).Get([]byte(p.Slug)) != nil {
			return fmt.Errorf("program %q already exists: %w", p.Slug, ErrConflict)
		}
		if err := tx.Bucket(bAPIKeys).Put(hash, []byte(p.Slug)); err != nil {
			return err
		}
		return put(tx.Bucket(bPrograms), []byte(p.Slug), p)
	})
	if err != nil {
		return nil, "", fmt.Errorf("create program %s: %w", p.Slug, err)
	}
	return p, apiKey, nil
}

func newProgram(in ProgramInput) (*Program, error) {
	p := &Program{
		Slug: strings.TrimSpace(in.Slug), Name: cleanLine(in.Name), URL: strings.TrimSpace(in.URL),
		Currency: strings.ToUpper(strings.TrimSpace(in.Currency)), CookieDays: DefaultCookieDays,
		HoldDays: DefaultHoldDays, Attribution: LastClick, RecurringMonths: Forever,
		AutoApprove: in.AutoApprove, Listed: in.Listed,
	}
	if !slugRe.MatchString(p.Slug) {
		return nil, invalid("slug", fmt.Sprintf("%q must be 2 to 32 of a-z, 0-9 and -", p.Slug))
	}
	if p.Name == "" {
		p.Name = p.Slug
	}
	if err := validName(p.Name); err != nil {
		return nil, err
	}
	if err := validSiteURL(p.URL); err != nil {
		return nil, err
	}
	if p.Currency == "" {
		p.Currency = DefaultCurrency
	}
	if !ValidCurrency(p.Currency) {
		return nil, invalid("currency", fmt.Sprintf("%q is not an ISO 4217 currency code", in.Currency))
	}
	commission := in.Commission
	if strings.TrimSpace(commission) == "" {
		commission = DefaultCommission
	}
	plan, err := ParsePlan(commission, p.Currency)
	if err != nil {
		return nil, err
	}
	p.Plan = plan
	if in.RecurringMonths != "" {
		if p.RecurringMonths, err = ParseRecurring(in.RecurringMonths); err != nil {
			return nil, err
		}
	}
	if in.RenewalRate != "" {
		r, err := ParseRate(in.RenewalRate, p.Currency)
		if err != nil {
			return nil, err
		}
		p.RenewalRate = &r
	}
	if in.CookieDays != nil {
		if p.CookieDays, err = validDays("cookie-days", *in.CookieDays, 1); err != nil {
			return nil, err
		}
	}
	if in.HoldDays != nil {
		if p.HoldDays, err = validDays("hold-days", *in.HoldDays, 0); err != nil {
			return nil, err
		}
	}
	minPayout := in.MinPayout
	if minPayout == "" {
		minPayout = DefaultMinPayout
	}
	if p.MinPayout, err = ParseMoney(minPayout, p.Currency); err != nil {
		return nil, invalid("min-payout", err.Error())
	}
	return p, nil
}

func validDays(field string, n, min int) (int, error) {
	if n < min || n > 3650 {
		return 0, invalid(field, fmt.Sprintf("%d must be from %d to 3650 days", n, min))
	}
	return n, nil
}

func validSiteURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
		return invalid("url", fmt.Sprintf("%q must be an http(s) URL such as https://example.com", raw))
	}
	return nil
}

func newAPIKey() (string, []byte, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("make api key: %w", err)
	}
	k := "aff_" + hex.EncodeToString(b)
	h := sha256.Sum256([]byte(k))
	return k, h[:], nil
}

// Program reads a program by slug without any permission check (tracker,
// system use).
func (s *Store) Program(slug string) (*Program, error) {
	var p Program
	err := s.db.View(func(tx *bolt.Tx) error { return get(tx.Bucket(bPrograms), []byte(slug), &p) })
	if err != nil {
		return nil, fmt.Errorf("program %q: %w", slug, err)
	}
	return &p, nil
}

// adminProgramTx loads a program the actor administers.
func adminProgramTx(tx *bolt.Tx, a Actor, slug string) (*Program, error) {
	var p Program
	if err := get(tx.Bucket(bPrograms), []byte(slug), &p); err != nil {
		return nil, fmt.Errorf("program %q: %w", slug, err)
	}
	if !a.Admin && !slices.Contains(p.Admins, a.UserID) {
		return nil, fmt.Errorf("program %q: you are not one of its admins: %w", slug, ErrForbidden)
	}
	return &p, nil
}

// AdminProgram reads a program the actor administers (ErrForbidden otherwise).
func (s *Store) AdminProgram(a Actor, slug string) (*Program, error) {
	var p *Program
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		p, err = adminProgramTx(tx, a, slug)
		return err
	})
	return p, err
}

// CanAdmin says whether the actor administers the program (instance admins
// administer all).
func (s *Store) CanAdmin(a Actor, slug string) error {
	_, err := s.AdminProgram(a, slug)
	return err
}

// ListPrograms lists the programs the actor administers (all of them for
// instance admins), by slug.
func (s *Store) ListPrograms(a Actor) ([]Program, error) {
	return walkPages(0, func(after string, n int) ([]Program, string, error) {
		return s.ProgramsPage(a, false, NamePage{After: after, Limit: n}) // listpages.go
	})
}

// ListedPrograms lists the programs flagged listed (the public list), by
// slug.
func (s *Store) ListedPrograms() ([]Program, error) {
	return walkPages(0, func(after string, n int) ([]Program, string, error) {
		return s.ProgramsPage(Actor{}, true, NamePage{After: after, Limit: n}) // listpages.go
	})
}

// ProgramSettingKeys are the keys SetProgram accepts, in help order.
var ProgramSettingKeys = []string{"name", "url", "currency", "commission", "recurring-months",
	"renewal-rate", "cookie-days", "hold-days", "min-payout", "auto-approve", "listed", "domains",
	"attribution", "paid-ads", "accent", "welcome", "terms", "stripe-secret", "paypal-client-id",
	"paypal-secret", "paypal-base-url", "wise-token", "wise-profile", "wise-base-url",
	"payout-schedule", "payout-auto-send"}

// SetProgram changes one setting by its SPEC 7 key.
func (s *Store) SetProgram(a Actor, slug, k, value string) (*Program, error) {
	var p *Program
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		if p, err = adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		if k == "currency" {
			if c := tx.Bucket(bProgConv).Cursor(); hasPrefix(c, key(slug)) {
				return fmt.Errorf("the currency cannot change once the program has conversions: %w", ErrConflict)
			}
		}
		if err := applySetting(p, k, value); err != nil {
			return err
		}
		if err := s.checkCookieDays(p.CookieDays); err != nil {
			return err
		}
		stampSchedule(p, s.now())
		return put(tx.Bucket(bPrograms), []byte(slug), p)
	})
	if err != nil {
		return nil, fmt.Errorf("set %s of %s: %w", k, slug, err)
	}
	return p, nil
}

func hasPrefix(c *bolt.Cursor, prefix []byte) bool {
	k, _ := c.Seek(prefix)
	return k != nil && strings.HasPrefix(string(k), string(prefix))
}

func parseBool(field, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "1":
		return true, nil
	case "false", "no", "off", "0":
		return false, nil
	}
	return false, invalid(field, fmt.Sprintf("%q must be true or false", v))
}

func applySetting(p *Program, k, v string) error {
	var err error
	switch k {
	case "name":
		v = cleanLine(v)
		if err := validName(v); err != nil {
			return err
		}
		p.Name = v
	case "url":
		if err := validSiteURL(strings.TrimSpace(v)); err != nil {
			return err
		}
		p.URL = strings.TrimSpace(v)
	case "currency":
		c := strings.ToUpper(strings.TrimSpace(v))
		if !ValidCurrency(c) {
			return invalid("currency", fmt.Sprintf("%q is not an ISO 4217 currency code", v))
		}
		p.Currency = c
	case "commission":
		if p.Plan, err = ParsePlan(v, p.Currency); err != nil {
			return err
		}
	case "recurring-months":
		if p.RecurringMonths, err = ParseRecurring(v); err != nil {
			return err
		}
	case "renewal-rate":
		if strings.TrimSpace(v) == "" || v == "none" {
			p.RenewalRate = nil
			return nil
		}
		r, err := ParseRate(v, p.Currency)
		if err != nil {
			return err
		}
		p.RenewalRate = &r
	case "cookie-days", "hold-days":
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return invalid(k, fmt.Sprintf("%q is not a whole number of days", v))
		}
		if k == "cookie-days" {
			p.CookieDays, err = validDays(k, n, 1)
		} else {
			p.HoldDays, err = validDays(k, n, 0)
		}
		return err
	case "min-payout":
		d, err := ParseMoney(strings.TrimSpace(v), p.Currency)
		if err != nil {
			return invalid(k, err.Error())
		}
		p.MinPayout = d
	case "auto-approve":
		p.AutoApprove, err = parseBool(k, v)
	case "listed":
		p.Listed, err = parseBool(k, v)
	case "domains":
		p.Domains, err = parseDomains(v)
	case "attribution":
		if v != LastClick && v != FirstClick {
			return invalid(k, fmt.Sprintf("%q must be last-click or first-click", v))
		}
		p.Attribution = v
	case "paid-ads":
		if v != "allow" && v != "forbid" {
			return invalid(k, fmt.Sprintf("%q must be allow or forbid", v))
		}
		p.ForbidPaidAds = v == "forbid"
	case "accent":
		if v != "" && !accentRe.MatchString(v) {
			return invalid(k, fmt.Sprintf("%q must be a colour like #ff8800 or an ANSI number 0-255", v))
		}
		p.Accent = v
	case "welcome", "terms":
		if len(v) > 4000 {
			return invalid(k, "at most 4000 characters")
		}
		if k == "welcome" {
			p.Welcome = v
		} else {
			p.Terms = v
		}
	case "stripe-secret":
		p.Secrets.StripeSecret = strings.TrimSpace(v)
	case "paypal-client-id":
		p.Secrets.PayPalClientID = strings.TrimSpace(v)
	case "paypal-secret":
		p.Secrets.PayPalSecret = strings.TrimSpace(v)
	case "wise-token":
		p.Secrets.WiseToken = strings.TrimSpace(v)
	case "wise-profile":
		p.Secrets.WiseProfile = strings.TrimSpace(v)
	case "paypal-base-url", "wise-base-url":
		v = strings.TrimRight(strings.TrimSpace(v), "/")
		if v != "" {
			if err := validSiteURL(v); err != nil {
				return invalid(k, fmt.Sprintf("%q must be an http(s) URL", v))
			}
		}
		if k == "paypal-base-url" {
			p.Secrets.PayPalBaseURL = v
		} else {
			p.Secrets.WiseBaseURL = v
		}
	case "payout-schedule", "payout-auto-send":
		return applyScheduleSetting(p, k, v)
	default:
		return invalid("key", fmt.Sprintf("unknown setting %q; one of: %s", k, strings.Join(ProgramSettingKeys, ", ")))
	}
	return err
}

func parseDomains(v string) ([]string, error) {
	var out []string
	for _, d := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		d = strings.ToLower(strings.TrimSpace(d))
		if !hostRe.MatchString(d) || len(d) > 253 {
			return nil, invalid("domains", fmt.Sprintf("%q is not a host name", d))
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// AllowedHost reports whether host (lower case, without port) is the
// program website's host or one of its listed domains.
func (p *Program) AllowedHost(host string) bool {
	host = strings.ToLower(host)
	if u, err := url.Parse(p.URL); err == nil && strings.ToLower(u.Hostname()) == host {
		return true
	}
	return slices.Contains(p.Domains, host)
}

// RotateAPIKey makes a new API key for the program and returns it (shown once).
func (s *Store) RotateAPIKey(a Actor, slug string) (string, error) {
	apiKey, hash, err := newAPIKey()
	if err != nil {
		return "", err
	}
	err = s.update(func(tx *bolt.Tx) error {
		p, err := adminProgramTx(tx, a, slug)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bAPIKeys).Delete(p.APIKeyHash); err != nil {
			return err
		}
		p.APIKeyHash, p.APIKeyHint = hash, apiKey[:8]
		if err := tx.Bucket(bAPIKeys).Put(hash, []byte(slug)); err != nil {
			return err
		}
		return put(tx.Bucket(bPrograms), []byte(slug), p)
	})
	if err != nil {
		return "", fmt.Errorf("rotate api key of %s: %w", slug, err)
	}
	return apiKey, nil
}

// ProgramByAPIKey authenticates a conversion API key: the key is hashed and
// the stored hash compared in constant time.
func (s *Store) ProgramByAPIKey(apiKey string) (*Program, error) {
	h := sha256.Sum256([]byte(apiKey))
	var p Program
	err := s.db.View(func(tx *bolt.Tx) error {
		slug := tx.Bucket(bAPIKeys).Get(h[:])
		if slug == nil {
			return ErrNotFound
		}
		return getCached(&s.decoded, tx.Bucket(bPrograms), bPrograms, slug, &p) // decodedcache.go
	})
	if err != nil || subtle.ConstantTimeCompare(p.APIKeyHash, h[:]) != 1 {
		return nil, fmt.Errorf("api key: %w", ErrForbidden)
	}
	return &p, nil
}

// RemoveTeamMember removes a program admin (never the last).
func (s *Store) RemoveTeamMember(a Actor, slug string, userID uint64) error {
	return s.updateProgram(a, slug, "remove team member", func(tx *bolt.Tx, p *Program) error {
		i := slices.Index(p.Admins, userID)
		if i < 0 {
			return fmt.Errorf("user %d is not on the team: %w", userID, ErrNotFound)
		}
		if len(p.Admins) == 1 {
			return fmt.Errorf("user %d is the last admin: %w", userID, ErrConflict)
		}
		p.Admins = slices.Delete(p.Admins, i, i+1)
		return nil
	})
}

func (s *Store) updateProgram(a Actor, slug, what string, fn func(*bolt.Tx, *Program) error) error {
	err := s.update(func(tx *bolt.Tx) error {
		p, err := adminProgramTx(tx, a, slug)
		if err != nil {
			return err
		}
		if err := fn(tx, p); err != nil {
			return err
		}
		return put(tx.Bucket(bPrograms), []byte(slug), p)
	})
	if err != nil {
		return fmt.Errorf("%s of %s: %w", what, slug, err)
	}
	return nil
}

// TeamMembers lists the program's admins.
func (s *Store) TeamMembers(a Actor, slug string) ([]User, error) {
	var out []User
	err := s.db.View(func(tx *bolt.Tx) error {
		p, err := adminProgramTx(tx, a, slug)
		if err != nil {
			return err
		}
		for _, id := range p.Admins {
			var u User
			if err := get(tx.Bucket(bUsers), u64(id), &u); err != nil {
				return fmt.Errorf("user %d: %w", id, err)
			}
			out = append(out, u)
		}
		return nil
	})
	return out, err
}
