package store

import (
	"errors"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func keyFPs(t *testing.T, st *Store, a Actor) []string {
	t.Helper()
	keys, err := st.ListKeys(a)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		out = append(out, k.Fingerprint)
	}
	return out
}

// The key-claim attack: a user asks for someone else's public key (a
// merchant's or an admin's that has not connected yet). Nothing is attached
// until a session proving that key redeems the token, and only that key can
// redeem it.
func TestKeyClaimNeedsTheKey(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	_, attacker := e.partner("acme")
	const victim = "SHA256:victim"
	token, c, err := e.st.CreateKeyClaim(attacker, victim, "ssh-ed25519 AAAAvictim")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Expires.Equal(e.clk.Now().Add(10 * time.Minute)) {
		t.Errorf("expires %v", c.Expires)
	}
	if _, err := e.st.UserByFingerprint(victim); !errors.Is(err, ErrNotFound) {
		t.Fatalf("key attached before it was claimed: %v", err)
	}
	// The attacker redeeming the token with their own key gets nothing.
	attackerFP := keyFPs(t, e.st, attacker)[0]
	if _, err := e.st.ClaimKey(token, attackerFP, "ssh-ed25519 AAAAattacker"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("claim with another key: %v", err)
	}
	if _, err := e.st.UserByFingerprint(victim); !errors.Is(err, ErrNotFound) {
		t.Fatalf("victim key attached: %v", err)
	}
	// The victim connecting is simply an unknown key.
	if got := keyFPs(t, e.st, attacker); slices.Contains(got, victim) {
		t.Fatalf("attacker has the victim's key: %v", got)
	}
}

func TestKeyClaimRedeemedOnceWithinTTL(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	_, pa := e.partner("acme")
	token, _, err := e.st.CreateKeyClaim(pa, "SHA256:laptop", "ssh-ed25519 AAAAlaptop")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.st.CreateKeyClaim(pa, keyFPs(t, e.st, pa)[0], "ssh-ed25519 AAAAx"); !errors.Is(err, ErrConflict) {
		t.Errorf("claim of a registered key: %v", err)
	}
	u, err := e.st.ClaimKey(token, "SHA256:laptop", "ssh-ed25519 AAAAlaptop")
	if err != nil || u.ID != pa.UserID {
		t.Fatalf("claim: %v %+v", err, u)
	}
	if got := keyFPs(t, e.st, pa); !slices.Contains(got, "SHA256:laptop") {
		t.Fatalf("keys %v", got)
	}
	if _, err := e.st.ClaimKey(token, "SHA256:laptop", "ssh-ed25519 AAAAlaptop"); !errors.Is(err, ErrInvalid) {
		t.Errorf("token used twice: %v", err)
	}
	// Expired tokens are refused.
	token2, _, err := e.st.CreateKeyClaim(pa, "SHA256:phone", "ssh-ed25519 AAAAphone")
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Add(10*time.Minute + time.Second)
	if _, err := e.st.ClaimKey(token2, "SHA256:phone", "ssh-ed25519 AAAAphone"); !errors.Is(err, ErrInvalid) {
		t.Errorf("expired token: %v", err)
	}
	if _, err := e.st.UserByFingerprint("SHA256:phone"); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired claim attached the key: %v", err)
	}
	if _, err := e.st.ClaimKey("key_nonsense", "SHA256:phone", "x"); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown token: %v", err)
	}
}

// An --admin-key fingerprint is never attached to another user's account:
// it cannot be claimed or added, and if an older version attached it,
// EnsureUser takes it back into an account of its own.
func TestAdminKeyNeverOnAnotherAccount(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	_, attacker := e.partner("acme")
	const adminFP = "SHA256:newadmin"
	// What the old `key add` allowed: the admin key attached to the
	// attacker's account, as a database written by it holds it.
	e.clk.Add(time.Minute)
	if err := e.st.update(func(tx *bolt.Tx) error {
		return e.st.putKeyTx(tx, &Key{Fingerprint: adminFP, PublicKey: "ssh-ed25519 AAAAnewadmin",
			UserID: attacker.UserID, AddedAt: e.clk.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	e.st.SetAdminKeys([]string{adminFP})
	u, err := e.st.EnsureUser(adminFP, "ssh-ed25519 AAAAnewadmin", "admin")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == attacker.UserID {
		t.Fatal("the admin key logs into the attacker's account")
	}
	if slices.Contains(keyFPs(t, e.st, attacker), adminFP) {
		t.Fatal("the attacker's account still holds the admin key")
	}
	if again, err := e.st.EnsureUser(adminFP, "ssh-ed25519 AAAAnewadmin", "admin"); err != nil || again.ID != u.ID {
		t.Fatalf("EnsureUser again: %v %+v", err, again)
	}
	// A key claim never attaches an admin key.
	const admin2 = "SHA256:admin2"
	e.st.SetAdminKeys([]string{adminFP, admin2})
	if _, _, err := e.st.CreateKeyClaim(attacker, admin2, "ssh-ed25519 AAAAadmin2"); !errors.Is(err, ErrForbidden) {
		t.Errorf("key claim of an admin key: %v", err)
	}
	// A claim made before the key became an admin key cannot be redeemed.
	token, _, err := e.st.CreateKeyClaim(attacker, "SHA256:later", "ssh-ed25519 AAAAlater")
	if err != nil {
		t.Fatal(err)
	}
	e.st.SetAdminKeys([]string{adminFP, admin2, "SHA256:later"})
	if _, err := e.st.ClaimKey(token, "SHA256:later", "ssh-ed25519 AAAAlater"); !errors.Is(err, ErrForbidden) {
		t.Errorf("claim of a key that became an admin key: %v", err)
	}
}

func TestTeamSeatsAndInvites(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	_, partner := e.partner("acme")
	merchant, err := e.st.CreateUser("Mia", "mia@acme.test", "SHA256:mia", "ssh-ed25519 AAAAmia")
	if err != nil {
		t.Fatal(err)
	}
	ma := Actor{UserID: merchant.ID}
	if _, err := e.st.AddTeamSeat(e.admin, "acme", "SHA256:mia", "ssh-ed25519 AAAAmia", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.st.RedeemTeamSeats("SHA256:mia", "ssh-ed25519 AAAAmia"); err != nil {
		t.Fatal(err)
	}
	// A partner cannot give seats or invitations.
	if _, err := e.st.AddTeamSeat(partner, "acme", "SHA256:x", "ssh-ed25519 AAAAx", ""); !errors.Is(err, ErrForbidden) {
		t.Errorf("partner seat: %v", err)
	}
	if _, _, err := e.st.CreateTeamInvite(partner, "acme"); !errors.Is(err, ErrForbidden) {
		t.Errorf("partner invite: %v", err)
	}
	// A seat for a key nobody has used yet: nothing until it connects.
	if _, err := e.st.AddTeamSeat(ma, "acme", "SHA256:bob", "ssh-ed25519 AAAAbob", "bob@laptop"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.AddTeamSeat(ma, "acme", "SHA256:bob", "ssh-ed25519 AAAAbob", ""); !errors.Is(err, ErrConflict) {
		t.Errorf("second seat: %v", err)
	}
	seats, err := e.st.TeamSeats(ma, "acme")
	if err != nil || len(seats) != 1 || seats[0].Fingerprint != "SHA256:bob" {
		t.Fatalf("seats %v %+v", err, seats)
	}
	if u, joined, err := e.st.RedeemTeamSeats("SHA256:other", "x"); err != nil || u != nil || joined != nil {
		t.Fatalf("redeem without seat: %v %v %v", u, joined, err)
	}
	bob, joined, err := e.st.RedeemTeamSeats("SHA256:bob", "ssh-ed25519 AAAAbob")
	if err != nil || bob == nil || !slices.Equal(joined, []string{"acme"}) || bob.Name != "bob@laptop" {
		t.Fatalf("redeem: %v %+v %v", err, bob, joined)
	}
	if err := e.st.CanAdmin(Actor{UserID: bob.ID}, "acme"); err != nil {
		t.Errorf("bob cannot administer: %v", err)
	}
	if seats, _ := e.st.TeamSeats(ma, "acme"); len(seats) != 0 {
		t.Errorf("seat left after redeem: %+v", seats)
	}
	// A seat for an existing partner's key: their account joins on connect.
	pfp := keyFPs(t, e.st, partner)[0]
	if _, err := e.st.AddTeamSeat(ma, "acme", pfp, "ssh-ed25519 AAAAp", ""); err != nil {
		t.Fatal(err)
	}
	if u, _, err := e.st.RedeemTeamSeats(pfp, "ssh-ed25519 AAAAp"); err != nil || u.ID != partner.UserID {
		t.Fatalf("redeem by existing user: %v %+v", err, u)
	}
	// A withdrawn seat never takes effect.
	if _, err := e.st.AddTeamSeat(ma, "acme", "SHA256:carl", "ssh-ed25519 AAAAcarl", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.st.RemoveTeamSeat(ma, "acme", "SHA256:carl"); err != nil {
		t.Fatal(err)
	}
	if u, _, _ := e.st.RedeemTeamSeats("SHA256:carl", "x"); u != nil {
		t.Errorf("withdrawn seat redeemed")
	}

	// Invitations: one use, expire after TeamInviteTTL.
	token, _, err := e.st.CreateTeamInvite(ma, "acme")
	if err != nil {
		t.Fatal(err)
	}
	dana, slug, err := e.st.JoinTeam(token, "SHA256:dana", "ssh-ed25519 AAAAdana", "Dana")
	if err != nil || slug != "acme" || dana.Name != "Dana" {
		t.Fatalf("join: %v %q %+v", err, slug, dana)
	}
	if _, _, err := e.st.JoinTeam(token, "SHA256:erin", "ssh-ed25519 AAAAerin", "Erin"); !errors.Is(err, ErrInvalid) {
		t.Errorf("invitation used twice: %v", err)
	}
	if _, err := e.st.UserByFingerprint("SHA256:erin"); !errors.Is(err, ErrNotFound) {
		t.Errorf("refused join created a user: %v", err)
	}
	token2, _, err := e.st.CreateTeamInvite(ma, "acme")
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Add(TeamInviteTTL)
	if _, _, err := e.st.JoinTeam(token2, "SHA256:erin", "ssh-ed25519 AAAAerin", "Erin"); !errors.Is(err, ErrInvalid) {
		t.Errorf("expired invitation: %v", err)
	}
	members, err := e.st.TeamMembers(ma, "acme")
	if err != nil || len(members) != 5 {
		t.Errorf("members %v %d", err, len(members))
	}
}
