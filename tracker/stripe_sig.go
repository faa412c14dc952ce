package tracker

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// stripeTolerance is how far a Stripe-Signature timestamp may be from now.
const stripeTolerance = 300 * time.Second

var (
	errNoSignature  = errors.New("missing or malformed Stripe-Signature header")
	errBadSignature = errors.New("no v1 signature matches the program's Stripe endpoint secret")
	errTolerance    = errors.New("timestamp outside the tolerance")
)

// verifyStripe checks a Stripe-Signature header ("t=TS,v1=HEX,v1=HEX,…")
// against the raw body: any v1 equal to HMAC-SHA256(secret, "TS.BODY") for
// any of the secrets passes, and TS must be within the tolerance of now.
// Several v1 values appear while the endpoint secret is being rolled;
// several secrets (separated by commas or spaces in the program setting)
// let the merchant roll it on this side too.
func verifyStripe(header string, body []byte, secrets []string, now time.Time) error {
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if sig, err := hex.DecodeString(v); err == nil && len(sig) == sha256.Size {
				sigs = append(sigs, sig)
			}
		}
	}
	t, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return errNoSignature
	}
	matched := false
	for _, secret := range secrets {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(ts))
		mac.Write([]byte{'.'})
		mac.Write(body)
		want := mac.Sum(nil)
		for _, sig := range sigs {
			if hmac.Equal(sig, want) {
				matched = true
			}
		}
	}
	if !matched {
		return errBadSignature
	}
	if d := now.Sub(time.Unix(t, 0)); d > stripeTolerance || d < -stripeTolerance {
		return errTolerance
	}
	return nil
}

// stripeSecrets splits the program's Stripe secret setting into secrets.
func stripeSecrets(setting string) []string {
	return strings.FieldsFunc(setting, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}
