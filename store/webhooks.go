package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/affogato-sh/affogato/store/sanitize"
	bolt "go.etcd.io/bbolt"
)

// Webhook is a merchant's endpoint for outgoing events. Its secret signs
// every delivery; it is shown once, when the endpoint is added.
type Webhook struct {
	ID        uint64    `json:"id"`
	Program   string    `json:"program"`
	URL       string    `json:"url"`
	Secret    string    `json:"secret"`
	CreatedBy uint64    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxWebhooks bounds the endpoints of one program.
const MaxWebhooks = 16

// ValidWebhookURL checks the form of a webhook URL: http or https, a host,
// no credentials, at most 2000 printable characters. (Whether its host may
// be called is the outbound guard's decision.)
func ValidWebhookURL(raw string) error {
	if len(raw) > 2000 || !sanitize.Clean(raw) || strings.ContainsRune(raw, ' ') {
		return invalid("url", "must be at most 2000 printable characters without spaces")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "" {
		return invalid("url", fmt.Sprintf("%q must be an https:// or http:// URL", raw))
	}
	if u.User != nil {
		return invalid("url", "must not hold credentials")
	}
	return nil
}

// AddWebhook adds an endpoint to a program (its admins) and returns it with
// its new secret.
func (s *Store) AddWebhook(a Actor, slug, rawURL string) (*Webhook, error) {
	rawURL = strings.TrimSpace(rawURL)
	if err := ValidWebhookURL(rawURL); err != nil {
		return nil, fmt.Errorf("add webhook: %w", err)
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("make webhook secret: %w", err)
	}
	w := &Webhook{Program: slug, URL: rawURL, Secret: "whsec_" + hex.EncodeToString(b), CreatedBy: a.UserID}
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		n := 0
		scanPrefix(tx.Bucket(bProgWebhooks), key(slug), false, func(_, _ []byte) bool { n++; return true })
		if n >= MaxWebhooks {
			return fmt.Errorf("%s has %d webhooks already (at most %d): %w", slug, n, MaxWebhooks, ErrConflict)
		}
		id, err := nextID(tx, bWebhooks)
		if err != nil {
			return err
		}
		w.ID, w.CreatedAt = id, s.now().UTC()
		if err := put(tx.Bucket(bWebhooks), u64(id), w); err != nil {
			return err
		}
		return tx.Bucket(bProgWebhooks).Put(key(slug, id), nil)
	})
	if err != nil {
		return nil, fmt.Errorf("add webhook to %s: %w", slug, err)
	}
	return w, nil
}

// ListWebhooks lists a program's endpoints (its admins), oldest first,
// without their secrets.
func (s *Store) ListWebhooks(a Actor, slug string) ([]Webhook, error) {
	var out []Webhook
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		var err error
		scanPrefix(tx.Bucket(bProgWebhooks), key(slug), false, func(k, _ []byte) bool {
			var w Webhook
			if err = get(tx.Bucket(bWebhooks), k[len(k)-8:], &w); err != nil {
				return false
			}
			w.Secret = ""
			out = append(out, w)
			return true
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list webhooks of %s: %w", slug, err)
	}
	return out, nil
}

// RemoveWebhook removes an endpoint (its program's admins). Events still
// queued for it are dropped when their turn comes.
func (s *Store) RemoveWebhook(a Actor, slug string, id uint64) error {
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		var w Webhook
		if err := get(tx.Bucket(bWebhooks), u64(id), &w); err != nil || w.Program != slug {
			return fmt.Errorf("webhook %d in %s: %w", id, slug, ErrNotFound)
		}
		if err := tx.Bucket(bWebhooks).Delete(u64(id)); err != nil {
			return err
		}
		return tx.Bucket(bProgWebhooks).Delete(key(slug, id))
	})
	if err != nil {
		return fmt.Errorf("remove webhook %d: %w", id, err)
	}
	return nil
}

// WebhookTarget reads an endpoint with its secret, for the dispatcher (no
// permission check; never for display).
func (s *Store) WebhookTarget(id uint64) (*Webhook, error) {
	var w Webhook
	err := s.db.View(func(tx *bolt.Tx) error { return get(tx.Bucket(bWebhooks), u64(id), &w) })
	if err != nil {
		return nil, fmt.Errorf("webhook %d: %w", id, err)
	}
	return &w, nil
}
