package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/affogato-sh/affogato/store"
)

// SignatureHeader carries the signature of a webhook delivery.
const SignatureHeader = "Affogato-Signature"

// WebhookTimeout bounds one webhook delivery (connect, request, answer).
const WebhookTimeout = 10 * time.Second

// Sign returns the Affogato-Signature header value for a body sent at t:
// "t=UNIX,v1=HEX(HMAC-SHA256(secret, "UNIX.body"))".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// ErrBadSignature is returned by Verify for a signature that does not match.
var ErrBadSignature = errors.New("webhook signature does not match")

// Verify checks an Affogato-Signature header against the body, as a
// receiver does: the HMAC must match and the timestamp be within tolerance
// of now (0: no time check).
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
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
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("malformed %s header: %w", SignatureHeader, ErrBadSignature)
	}
	if tolerance > 0 {
		if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
			return fmt.Errorf("timestamp outside the tolerance: %w", ErrBadSignature)
		}
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrBadSignature
}

// deliverWebhook POSTs the message's event to its endpoint, signed with the
// endpoint's secret. gone means the endpoint was removed (the message is
// dropped).
func (d *Dispatcher) deliverWebhook(ctx context.Context, m store.OutboxMessage) (code int, gone bool, err error) {
	w, err := d.st.WebhookTarget(m.WebhookID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return 0, true, errors.New("the webhook was removed")
		}
		return 0, false, err
	}
	body, err := json.Marshal(m.Event)
	if err != nil {
		return 0, false, fmt.Errorf("encode event: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, false, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "affogato-webhooks/1")
	req.Header.Set("Affogato-Event", m.Event.Type)
	req.Header.Set("Affogato-Event-Id", m.Event.ID)
	req.Header.Set(SignatureHeader, Sign(w.Secret, d.now(), body))
	resp, err := d.hc.Do(req)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return resp.StatusCode, false, nil
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return resp.StatusCode, false, fmt.Errorf("answered %d: redirects are not followed", resp.StatusCode)
	}
	return resp.StatusCode, false, fmt.Errorf("answered %d", resp.StatusCode)
}
