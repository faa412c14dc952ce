package store

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/affogato-sh/affogato/store/sanitize"
)

// CreateLink adds an extra referral code for the actor's partnership in
// slug. Codes are [A-Za-z0-9_-]{3,40} and unique across the instance; to is
// an optional destination (a path, or a URL on an allowed host).
func (s *Store) CreateLink(a Actor, slug, code, to string) (*Link, error) {
	return s.CreateCampaignLink(a, slug, code, to, "")
}

// CreateCampaignLink is CreateLink with a campaign sub-id (at most 64
// characters of plain text) that the link's clicks carry unless the
// visitor's URL has its own ?sub=.
func (s *Store) CreateCampaignLink(a Actor, slug, code, to, sub string) (*Link, error) {
	code, to, sub = strings.TrimSpace(code), strings.TrimSpace(to), strings.TrimSpace(sub)
	if err := ValidLinkInput(code, sub); err != nil {
		return nil, err
	}
	var l *Link
	err := s.update(func(tx *bolt.Tx) error {
		p, err := membershipTx(tx, a, slug)
		if err != nil {
			return err
		}
		var prog Program
		if err := get(tx.Bucket(bPrograms), []byte(slug), &prog); err != nil {
			return err
		}
		if to != "" {
			if to, err = prog.Destination(to); err != nil {
				return err
			}
		}
		if tx.Bucket(bLinks).Get([]byte(code)) != nil {
			return fmt.Errorf("code %s is taken: %w", code, ErrConflict)
		}
		l = &Link{Code: code, Program: slug, PartnerID: p.ID, To: to, Sub: sub, CreatedAt: s.now().UTC()}
		return putLinkTx(tx, l)
	})
	if err != nil {
		return nil, fmt.Errorf("create link %s: %w", code, err)
	}
	return l, nil
}

// Destination resolves a requested destination against the program: a path
// joins the website's origin; an absolute http(s) URL must be on an allowed
// host. Anything else is refused (never an open redirect).
func (p *Program) Destination(to string) (string, error) {
	site, err := url.Parse(p.URL)
	if err != nil {
		return "", fmt.Errorf("program url: %w", err)
	}
	if strings.ContainsAny(to, "\\\x00\r\n\t ") {
		return "", invalid("to", "must be a path or a URL on the program's site")
	}
	if strings.HasPrefix(to, "/") && !strings.HasPrefix(to, "//") {
		u, err := url.Parse(to)
		if err != nil {
			return "", invalid("to", "not a valid path")
		}
		return site.ResolveReference(u).String(), nil
	}
	u, err := url.Parse(to)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Host == "" || !p.AllowedHost(u.Hostname()) {
		return "", invalid("to", fmt.Sprintf("%q is not on the program's site or allowed domains", to))
	}
	return u.String(), nil
}

// Target is what the redirector needs for a code.
type Target struct {
	Link    Link
	Program Program
	Partner Partner
}

// ResolveCode finds a referral code's link, program and partner.
// ErrNotFound when the code is unknown. Answers come from a cache that any
// change to programs, partners or links invalidates; the Target returned
// is shared and must not be modified.
func (s *Store) ResolveCode(code string) (*Target, error) {
	gen := s.gen.Load()
	if t := s.resolve.get(code, gen); t != nil {
		return t, nil
	}
	var t Target
	err := s.db.View(func(tx *bolt.Tx) error {
		if err := get(tx.Bucket(bLinks), []byte(code), &t.Link); err != nil {
			return err
		}
		if err := get(tx.Bucket(bPrograms), []byte(t.Link.Program), &t.Program); err != nil {
			return err
		}
		return get(tx.Bucket(bPartners), u64(t.Link.PartnerID), &t.Partner)
	})
	if err != nil {
		return nil, fmt.Errorf("code %q: %w", code, err)
	}
	t.Program.Secrets = ProgramSecrets{} // the redirector never needs them
	s.resolve.put(code, gen, &t)
	return &t, nil
}

// resolveCacheMax bounds the cache; when full it starts over.
const resolveCacheMax = 1 << 16

// resolveCache holds recently resolved codes, each tagged with the write
// generation it was read at.
type resolveCache struct {
	mu sync.RWMutex
	m  map[string]resolved
}

type resolved struct {
	gen uint64
	t   *Target
}

func (c *resolveCache) init() { c.m = make(map[string]resolved) }

func (c *resolveCache) get(code string, gen uint64) *Target {
	c.mu.RLock()
	r, ok := c.m[code]
	c.mu.RUnlock()
	if !ok || r.gen != gen {
		return nil
	}
	return r.t
}

func (c *resolveCache) put(code string, gen uint64, t *Target) {
	c.mu.Lock()
	if len(c.m) >= resolveCacheMax {
		c.m = make(map[string]resolved)
	}
	c.m[code] = resolved{gen: gen, t: t}
	c.mu.Unlock()
}

// ValidLinkInput checks a new link's code and campaign sub-id as typed (the
// portal's form and link create use the same rules); the destination is
// checked against the program with Program.Destination.
func ValidLinkInput(code, sub string) error {
	if !codeRe.MatchString(code) {
		return invalid("code", fmt.Sprintf("%q must be 3 to 40 of A-Z, a-z, 0-9, _ and -", code))
	}
	if utf8.RuneCountInString(sub) > 64 {
		return invalid("sub", "a campaign sub-id is at most 64 characters")
	}
	if !sanitize.Clean(sub) {
		return invalid("sub", "a campaign sub-id is plain text on one line")
	}
	return nil
}
