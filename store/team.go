package store

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TeamInviteTTL is how long a team invitation can be redeemed.
const TeamInviteTTL = 7 * 24 * time.Hour

// TeamSeat is a place on a program's merchant team given to a public key
// (`team add SLUG PUBKEY`). It takes effect when a session proving that key
// connects (RedeemTeamSeats): the seat never looks anyone up, so a merchant
// learns nothing about who holds the key until they connect.
type TeamSeat struct {
	Program     string    `json:"program"`
	Fingerprint string    `json:"fingerprint"`
	PublicKey   string    `json:"public_key"`
	Label       string    `json:"label,omitempty"` // the key's comment, sanitised
	AddedBy     uint64    `json:"added_by"`
	AddedAt     time.Time `json:"added_at"`
}

// TeamInvite is a one-use invitation to a program's merchant team (`team
// invite SLUG`), redeemed by the invitee with `team join TOKEN`. Stored
// under the token's SHA-256, never the token.
type TeamInvite struct {
	Program   string    `json:"program"`
	CreatedBy uint64    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	Expires   time.Time `json:"expires"`
}

// AddTeamSeat gives the program a team seat for a public key; it takes
// effect when that key connects. A key already holding a seat for the
// program is ErrConflict.
func (s *Store) AddTeamSeat(a Actor, slug, fingerprint, publicKey, label string) (*TeamSeat, error) {
	if fingerprint == "" || publicKey == "" {
		return nil, invalid("key", "missing public key")
	}
	label = cleanLine(label)
	if len(label) > 60 {
		label = label[:60]
	}
	seat := &TeamSeat{Program: slug, Fingerprint: fingerprint, PublicKey: publicKey, Label: label,
		AddedBy: a.UserID, AddedAt: s.now().UTC()}
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		k := key(fingerprint, slug)
		if tx.Bucket(bTeamSeats).Get(k) != nil {
			return fmt.Errorf("that key already has a seat waiting: %w", ErrConflict)
		}
		return put(tx.Bucket(bTeamSeats), k, seat)
	})
	if err != nil {
		return nil, fmt.Errorf("team add to %s: %w", slug, err)
	}
	return seat, nil
}

// TeamSeats lists the program's seats whose key has not connected yet.
func (s *Store) TeamSeats(a Actor, slug string) ([]TeamSeat, error) {
	var out []TeamSeat
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		return tx.Bucket(bTeamSeats).ForEach(func(k, v []byte) error {
			if !bytes.HasSuffix(k, append([]byte{0}, append([]byte(slug), 0)...)) {
				return nil
			}
			var seat TeamSeat
			if err := getBytes(v, &seat); err != nil {
				return err
			}
			if seat.Program == slug {
				out = append(out, seat)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("team seats of %s: %w", slug, err)
	}
	return out, nil
}

// RemoveTeamSeat withdraws a seat whose key has not connected yet.
func (s *Store) RemoveTeamSeat(a Actor, slug, fingerprint string) error {
	err := s.update(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		k := key(fingerprint, slug)
		if tx.Bucket(bTeamSeats).Get(k) == nil {
			return fmt.Errorf("no seat waits for key %s: %w", fingerprint, ErrNotFound)
		}
		return tx.Bucket(bTeamSeats).Delete(k)
	})
	if err != nil {
		return fmt.Errorf("team remove from %s: %w", slug, err)
	}
	return nil
}

// RedeemTeamSeats is called when a session has proven it holds the key
// with fingerprint: every seat waiting for that key takes effect. A key
// without an account gets one (named after the seat's label), since the
// merchant vouched for it. It returns the key's user (nil when no seat
// waited and the key has no account) and the programs joined.
func (s *Store) RedeemTeamSeats(fingerprint, publicKey string) (*User, []string, error) {
	prefix := key(fingerprint)
	waiting := false
	if err := s.db.View(func(tx *bolt.Tx) error {
		scanPrefix(tx.Bucket(bTeamSeats), prefix, false, func(_, _ []byte) bool {
			waiting = true
			return false
		})
		return nil
	}); err != nil || !waiting {
		return nil, nil, err
	}
	var u *User
	var joined []string
	err := s.update(func(tx *bolt.Tx) error {
		var seats []TeamSeat
		var keys [][]byte
		var err error
		scanPrefix(tx.Bucket(bTeamSeats), prefix, false, func(k, v []byte) bool {
			var seat TeamSeat
			if err = getBytes(v, &seat); err != nil {
				return false
			}
			seats = append(seats, seat)
			keys = append(keys, append([]byte(nil), k...))
			return true
		})
		if err != nil || len(seats) == 0 {
			return err
		}
		if u, err = s.keyUserTx(tx, fingerprint, publicKey, nameOr(seats[0].Label, "team member")); err != nil {
			return err
		}
		for i, seat := range seats {
			if err := tx.Bucket(bTeamSeats).Delete(keys[i]); err != nil {
				return err
			}
			ok, err := addTeamMemberTx(tx, seat.Program, u.ID)
			if err != nil {
				return err
			}
			if ok {
				joined = append(joined, seat.Program)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("redeem team seats: %w", err)
	}
	return u, joined, nil
}

// keyUserTx returns the user owning the key, creating one named name when
// the key has no account. An admin key that its account was not made for
// is never used this way (EnsureUser runs first for admin keys).
func (s *Store) keyUserTx(tx *bolt.Tx, fingerprint, publicKey, name string) (*User, error) {
	var k Key
	if err := get(tx.Bucket(bKeys), []byte(fingerprint), &k); err == nil {
		var u User
		if err := get(tx.Bucket(bUsers), u64(k.UserID), &u); err != nil {
			return nil, fmt.Errorf("user of key %s: %w", fingerprint, err)
		}
		return &u, nil
	}
	return s.createUserTx(tx, name, "", fingerprint, publicKey)
}

// addTeamMemberTx adds the user to the program's admins; false when the
// program is gone or the user is on the team already.
func addTeamMemberTx(tx *bolt.Tx, slug string, userID uint64) (bool, error) {
	var p Program
	if err := get(tx.Bucket(bPrograms), []byte(slug), &p); err != nil {
		return false, nil
	}
	if slices.Contains(p.Admins, userID) {
		return false, nil
	}
	p.Admins = append(p.Admins, userID)
	return true, put(tx.Bucket(bPrograms), []byte(slug), &p)
}

// CreateTeamInvite makes a one-use invitation to the program's team, valid
// for TeamInviteTTL.
func (s *Store) CreateTeamInvite(a Actor, slug string) (string, *TeamInvite, error) {
	token, h, err := newToken("team_")
	if err != nil {
		return "", nil, err
	}
	now := s.now().UTC()
	inv := &TeamInvite{Program: slug, CreatedBy: a.UserID, CreatedAt: now, Expires: now.Add(TeamInviteTTL)}
	err = s.update(func(tx *bolt.Tx) error {
		if _, err := adminProgramTx(tx, a, slug); err != nil {
			return err
		}
		return put(tx.Bucket(bTeamInvites), h, inv)
	})
	if err != nil {
		return "", nil, fmt.Errorf("team invite for %s: %w", slug, err)
	}
	return token, inv, nil
}

// JoinTeam redeems a team invitation for the session's proven key: its
// user (or a new one named name, for a key without an account) joins the
// program's team and the invitation is used up.
func (s *Store) JoinTeam(token, fingerprint, publicKey, name string) (*User, string, error) {
	h := sha256.Sum256([]byte(token))
	name = cleanLine(name)
	if name == "" {
		name = "team member"
	}
	if err := validName(name); err != nil {
		return nil, "", err
	}
	var u *User
	var slug string
	err := s.update(func(tx *bolt.Tx) error {
		var inv TeamInvite
		if err := get(tx.Bucket(bTeamInvites), h[:], &inv); err != nil {
			return invalid("token", "the team invitation is unknown, expired or already used")
		}
		if !s.now().Before(inv.Expires) {
			_ = tx.Bucket(bTeamInvites).Delete(h[:])
			return invalid("token", "the team invitation is unknown, expired or already used")
		}
		var err error
		if u, err = s.keyUserTx(tx, fingerprint, publicKey, name); err != nil {
			return err
		}
		ok, err := addTeamMemberTx(tx, inv.Program, u.ID)
		if err != nil {
			return err
		}
		if !ok {
			if tx.Bucket(bPrograms).Get([]byte(inv.Program)) == nil {
				return fmt.Errorf("program %q: %w", inv.Program, ErrNotFound)
			}
			return fmt.Errorf("you are already on the team of %s: %w", inv.Program, ErrConflict)
		}
		slug = inv.Program
		return tx.Bucket(bTeamInvites).Delete(h[:])
	})
	if err != nil {
		return nil, "", fmt.Errorf("team join: %w", err)
	}
	return u, slug, nil
}

func nameOr(name, def string) string {
	if name == "" {
		return def
	}
	return name
}
