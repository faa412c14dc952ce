package store

import (
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/affogato-sh/affogato/store/sanitize"
)

// UserByFingerprint finds the user owning an SSH key fingerprint ("SHA256:…").
func (s *Store) UserByFingerprint(fp string) (*User, error) {
	var u User
	err := s.db.View(func(tx *bolt.Tx) error {
		var k Key
		if err := get(tx.Bucket(bKeys), []byte(fp), &k); err != nil {
			return err
		}
		return get(tx.Bucket(bUsers), u64(k.UserID), &u)
	})
	if err != nil {
		return nil, fmt.Errorf("user for key %s: %w", fp, err)
	}
	return &u, nil
}

// UserByID returns one user.
func (s *Store) UserByID(id uint64) (*User, error) {
	var u User
	err := s.db.View(func(tx *bolt.Tx) error { return get(tx.Bucket(bUsers), u64(id), &u) })
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", id, err)
	}
	return &u, nil
}

// CreateUser creates a user with one key. ErrConflict if the key is taken.
func (s *Store) CreateUser(name, email, fingerprint, publicKey string) (*User, error) {
	name, email = cleanLine(name), strings.TrimSpace(email)
	if err := validName(name); err != nil {
		return nil, err
	}
	if email != "" {
		if err := validEmail(email); err != nil {
			return nil, err
		}
	}
	var u *User
	err := s.update(func(tx *bolt.Tx) error {
		var err error
		u, err = s.createUserTx(tx, name, email, fingerprint, publicKey)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

func (s *Store) createUserTx(tx *bolt.Tx, name, email, fp, pub string) (*User, error) {
	if fp == "" {
		return nil, invalid("key", "missing key fingerprint")
	}
	if tx.Bucket(bKeys).Get([]byte(fp)) != nil {
		return nil, fmt.Errorf("key %s already belongs to a user: %w", fp, ErrConflict)
	}
	id, err := nextID(tx, bUsers)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	u := &User{ID: id, Name: name, Email: email, CreatedAt: now}
	if err := put(tx.Bucket(bUsers), u64(id), u); err != nil {
		return nil, err
	}
	return u, s.putKeyTx(tx, &Key{Fingerprint: fp, PublicKey: pub, UserID: id, AddedAt: now, Origin: KeyOriginCreated})
}

func (s *Store) putKeyTx(tx *bolt.Tx, k *Key) error {
	if err := put(tx.Bucket(bKeys), []byte(k.Fingerprint), k); err != nil {
		return err
	}
	return tx.Bucket(bUserKeys).Put(key(k.UserID, k.Fingerprint), nil)
}

// EnsureUser returns the user of an instance admin key (--admin-key),
// creating one named name if none. An admin key is only ever the key its
// own account was made for: if it was attached to another account (added
// to it rather than created with it), it is taken off that account and
// gets an account of its own, so whoever attached it gains nothing.
func (s *Store) EnsureUser(fingerprint, publicKey, name string) (*User, error) {
	var u *User
	_ = s.db.View(func(tx *bolt.Tx) error {
		var k Key
		if get(tx.Bucket(bKeys), []byte(fingerprint), &k) == nil && ownsKeyTx(tx, &k) {
			var found User
			if get(tx.Bucket(bUsers), u64(k.UserID), &found) == nil {
				u = &found
			}
		}
		return nil
	})
	if u != nil {
		return u, nil
	}
	err := s.update(func(tx *bolt.Tx) error {
		var k Key
		if err := get(tx.Bucket(bKeys), []byte(fingerprint), &k); err == nil {
			if ownsKeyTx(tx, &k) {
				u = &User{}
				return get(tx.Bucket(bUsers), u64(k.UserID), u)
			}
			if err := tx.Bucket(bKeys).Delete([]byte(fingerprint)); err != nil {
				return err
			}
			if err := tx.Bucket(bUserKeys).Delete(key(k.UserID, fingerprint)); err != nil {
				return err
			}
		}
		var err error
		u, err = s.createUserTx(tx, name, "", fingerprint, publicKey)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ensure user: %w", err)
	}
	return u, nil
}

// UserCount is the number of users (to tell an empty instance).
func (s *Store) UserCount() (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bUsers).Stats().KeyN
		return nil
	})
	return n, err
}

// SetProfile sets the actor's own name, email, or payout method (field
// paypal|wise: value is the email; currency for wise).
func (s *Store) SetProfile(a Actor, field, value, currency string) (*User, error) {
	value = strings.TrimSpace(value)
	var u User
	err := s.update(func(tx *bolt.Tx) error {
		if err := get(tx.Bucket(bUsers), u64(a.UserID), &u); err != nil {
			return err
		}
		switch field {
		case "name":
			value = cleanLine(value)
			if err := validName(value); err != nil {
				return err
			}
			u.Name = value
		case "email":
			if err := validEmail(value); err != nil {
				return err
			}
			u.Email = value
		case "paypal":
			if err := ValidPayoutAddress(value); err != nil {
				return err
			}
			u.Payout = &PayoutMethod{Kind: "paypal", Email: value}
		case "wise":
			if err := ValidPayoutAddress(value); err != nil {
				return err
			}
			currency = strings.ToUpper(strings.TrimSpace(currency))
			if currency != "" && !ValidCurrency(currency) {
				return invalid("currency", fmt.Sprintf("unknown currency %q", currency))
			}
			u.Payout = &PayoutMethod{Kind: "wise", Email: value, Currency: currency}
		case "notifications":
			off, err := parseNotifications(value)
			if err != nil {
				return err
			}
			u.NoMail = off
		default:
			return invalid("field", fmt.Sprintf("unknown profile field %q (name, email, paypal, wise, notifications)", field))
		}
		if err := put(tx.Bucket(bUsers), u64(u.ID), &u); err != nil {
			return err
		}
		// Keep the partner records' copies of name and email current.
		if field == "name" || field == "email" {
			return s.eachMembershipTx(tx, u.ID, func(p *Partner) error {
				p.Name, p.Email = u.Name, u.Email
				return put(tx.Bucket(bPartners), u64(p.ID), p)
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("set profile %s: %w", field, err)
	}
	return &u, nil
}

// ListKeys lists the actor's keys.
func (s *Store) ListKeys(a Actor) ([]Key, error) {
	var keys []Key
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		keys, err = userKeysTx(tx, a.UserID)
		return err
	})
	return keys, err
}

func userKeysTx(tx *bolt.Tx, userID uint64) ([]Key, error) {
	var keys []Key
	var err error
	scanPrefix(tx.Bucket(bUserKeys), u64(userID), false, func(k, _ []byte) bool {
		var key Key
		if err = get(tx.Bucket(bKeys), k[8:len(k)-1], &key); err != nil {
			return false
		}
		keys = append(keys, key)
		return true
	})
	return keys, err
}

// RemoveKey removes one of the actor's keys, never the last one.
func (s *Store) RemoveKey(a Actor, fingerprint string) error {
	err := s.update(func(tx *bolt.Tx) error {
		var k Key
		if err := get(tx.Bucket(bKeys), []byte(fingerprint), &k); err != nil || k.UserID != a.UserID {
			return fmt.Errorf("key %s is not one of yours: %w", fingerprint, ErrNotFound)
		}
		keys, err := userKeysTx(tx, a.UserID)
		if err != nil {
			return err
		}
		if len(keys) <= 1 {
			return fmt.Errorf("that is your last key; add another first: %w", ErrConflict)
		}
		if err := tx.Bucket(bKeys).Delete([]byte(fingerprint)); err != nil {
			return err
		}
		return tx.Bucket(bUserKeys).Delete(key(a.UserID, fingerprint))
	})
	if err != nil {
		return fmt.Errorf("remove key: %w", err)
	}
	return nil
}

func validName(name string) error {
	if name == "" {
		return invalid("name", "must not be empty")
	}
	if len(name) > 100 {
		return invalid("name", "at most 100 characters")
	}
	return nil
}

func validEmail(email string) error { return ValidEmail(email) }

// cleanLine makes one line of typed text safe (store/sanitize) and trims it.
func cleanLine(s string) string {
	return strings.TrimSpace(sanitize.Line(s))
}
