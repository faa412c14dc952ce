package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// How a key joined its account (Key.Origin).
const (
	KeyOriginCreated = "created" // the account was made for this key
	KeyOriginClaimed = "claimed" // the key's holder redeemed a key claim
)

// KeyClaimTTL is how long a key claim token can be redeemed.
const KeyClaimTTL = 10 * time.Minute

// KeyClaim is a pending `key add`: the public key a user wants on their
// account, attached only when a session proving that key redeems the token
// (`key claim TOKEN`). Stored under the token's SHA-256, never the token.
type KeyClaim struct {
	UserID      uint64    `json:"user_id"`
	Fingerprint string    `json:"fingerprint"`
	PublicKey   string    `json:"public_key"`
	CreatedAt   time.Time `json:"created_at"`
	Expires     time.Time `json:"expires"`
}

// SetAdminKeys tells the store which key fingerprints are instance admin
// keys (--admin-key). Such a key is never attached to another user's
// account: it cannot be claimed, and EnsureUser detaches it from an account
// it was attached to.
func (s *Store) SetAdminKeys(fingerprints []string) {
	m := make(map[string]bool, len(fingerprints))
	for _, fp := range fingerprints {
		m[fp] = true
	}
	s.adminKeys.Store(&m)
}

// isAdminKey reports whether fp is an --admin-key fingerprint.
func (s *Store) isAdminKey(fp string) bool {
	m := s.adminKeys.Load()
	return m != nil && (*m)[fp]
}

// newToken is a random token with a readable prefix.
func newToken(prefix string) (string, []byte, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("make token: %w", err)
	}
	token := prefix + hex.EncodeToString(b)
	h := sha256.Sum256([]byte(token))
	return token, h[:], nil
}

// CreateKeyClaim starts adding a key to the actor's account: it returns a
// one-use token, valid for KeyClaimTTL, that only a session proving the key
// can redeem with ClaimKey. Nothing is attached yet. A key that already
// belongs to someone is ErrConflict; an instance admin key is ErrForbidden.
func (s *Store) CreateKeyClaim(a Actor, fingerprint, publicKey string) (string, *KeyClaim, error) {
	if fingerprint == "" || publicKey == "" {
		return "", nil, invalid("key", "missing public key")
	}
	if s.isAdminKey(fingerprint) {
		return "", nil, fmt.Errorf("add key: %s is an instance admin key, which is never added to an account: %w",
			fingerprint, ErrForbidden)
	}
	token, h, err := newToken("key_")
	if err != nil {
		return "", nil, err
	}
	now := s.now().UTC()
	c := &KeyClaim{UserID: a.UserID, Fingerprint: fingerprint, PublicKey: publicKey, CreatedAt: now,
		Expires: now.Add(KeyClaimTTL)}
	err = s.update(func(tx *bolt.Tx) error {
		if a.UserID == 0 || tx.Bucket(bUsers).Get(u64(a.UserID)) == nil {
			return fmt.Errorf("you have no account yet: %w", ErrForbidden)
		}
		if tx.Bucket(bKeys).Get([]byte(fingerprint)) != nil {
			return fmt.Errorf("key %s is already registered: %w", fingerprint, ErrConflict)
		}
		pruneKeyClaimsTx(tx, now)
		return put(tx.Bucket(bKeyClaims), h, c)
	})
	if err != nil {
		return "", nil, fmt.Errorf("add key: %w", err)
	}
	return token, c, nil
}

// ClaimKey redeems a key claim token from a session that proved it holds
// the key with fingerprint: the key joins the account that asked for it,
// and the token is used up. The token must be unexpired and made for this
// very key; the key must not belong to anyone yet.
func (s *Store) ClaimKey(token, fingerprint, publicKey string) (*User, error) {
	h := sha256.Sum256([]byte(token))
	var u User
	err := s.update(func(tx *bolt.Tx) error {
		var c KeyClaim
		if err := get(tx.Bucket(bKeyClaims), h[:], &c); err != nil {
			return invalid("token", "the key claim token is unknown, expired or already used")
		}
		now := s.now().UTC()
		if !now.Before(c.Expires) {
			_ = tx.Bucket(bKeyClaims).Delete(h[:])
			return invalid("token", "the key claim token is unknown, expired or already used")
		}
		if c.Fingerprint != fingerprint {
			return invalid("token", "this token was made for another key: connect with the key given to key add")
		}
		if s.isAdminKey(fingerprint) {
			return fmt.Errorf("%s is an instance admin key, which is never added to an account: %w", fingerprint, ErrForbidden)
		}
		if tx.Bucket(bKeys).Get([]byte(fingerprint)) != nil {
			return fmt.Errorf("key %s already belongs to an account: %w", fingerprint, ErrConflict)
		}
		if err := get(tx.Bucket(bUsers), u64(c.UserID), &u); err != nil {
			return fmt.Errorf("the account that asked for this key is gone: %w", ErrNotFound)
		}
		if err := tx.Bucket(bKeyClaims).Delete(h[:]); err != nil {
			return err
		}
		return s.putKeyTx(tx, &Key{Fingerprint: fingerprint, PublicKey: publicKey, UserID: c.UserID,
			AddedAt: now, Origin: KeyOriginClaimed})
	})
	if err != nil {
		return nil, fmt.Errorf("claim key: %w", err)
	}
	return &u, nil
}

// pruneKeyClaimsTx drops expired claims (few: each lives ten minutes).
func pruneKeyClaimsTx(tx *bolt.Tx, now time.Time) {
	b := tx.Bucket(bKeyClaims)
	var dead [][]byte
	_ = b.ForEach(func(k, v []byte) error {
		var c KeyClaim
		if getBytes(v, &c) == nil && !now.Before(c.Expires) {
			dead = append(dead, append([]byte(nil), k...))
		}
		return nil
	})
	for _, k := range dead {
		_ = b.Delete(k)
	}
}

// ownsKeyTx reports whether key k is the one its account was created for
// (records older than Key.Origin: added at the account's creation time).
func ownsKeyTx(tx *bolt.Tx, k *Key) bool {
	if k.Origin != "" {
		return k.Origin == KeyOriginCreated
	}
	var u User
	if get(tx.Bucket(bUsers), u64(k.UserID), &u) != nil {
		return false
	}
	return k.AddedAt.Equal(u.CreatedAt)
}
