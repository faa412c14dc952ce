package payouts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxResponseBody caps what we read of a provider answer (a PayPal batch
// page of 1,000 items is well under a megabyte).
const maxResponseBody = 16 << 20

// defaultHTTPTimeout bounds one provider call when no client is given.
const defaultHTTPTimeout = 60 * time.Second

// ProviderError is a failed call to PayPal or Wise: no answer, an error
// answer, or an answer we could not read. Its message never holds
// credentials.
type ProviderError struct {
	Provider   string        // "PayPal" or "Wise"
	Op         string        // what was asked, e.g. "create payout"
	Status     int           // HTTP status; 0 when no answer came
	Code       string        // the provider's error name or code
	Message    string        // the provider's message
	Details    []string      // field-level issues
	DebugID    string        // PayPal debug id, for their support
	RetryAfter time.Duration // from a Retry-After header
	Hint       string        // what to do about it
	Err        error         // transport or decoding error
}

func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString(e.Provider + " " + e.Op + ": ")
	switch {
	case e.Status == 0:
		fmt.Fprintf(&b, "no answer (%v)", e.Err)
	case e.Err != nil:
		fmt.Fprintf(&b, "HTTP %d with an unreadable body (%v)", e.Status, e.Err)
	default:
		fmt.Fprintf(&b, "HTTP %d", e.Status)
		if e.Code != "" {
			b.WriteString(" " + e.Code)
		}
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		} else if t := http.StatusText(e.Status); t != "" && e.Code == "" {
			b.WriteString(" " + strings.ToLower(t))
		}
		if len(e.Details) > 0 {
			b.WriteString(" (" + strings.Join(e.Details, "; ") + ")")
		}
	}
	if e.DebugID != "" {
		b.WriteString(" [debug id " + e.DebugID + "]")
	}
	if e.Status == http.StatusTooManyRequests && e.RetryAfter > 0 {
		fmt.Fprintf(&b, "; retry after %s", e.RetryAfter)
	} else if e.Retryable() {
		b.WriteString("; it is safe to retry")
	}
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	return b.String()
}

// Unwrap returns the transport or decoding error, if any.
func (e *ProviderError) Unwrap() error { return e.Err }

// Retryable reports whether the call may succeed later as it is: no answer,
// an unreadable answer, 408, 429 or a 5xx. Whether it took effect is unknown.
func (e *ProviderError) Retryable() bool {
	return e.Status == 0 || e.Err != nil || e.Status == http.StatusRequestTimeout ||
		e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// Refused reports whether the provider answered that it did not do what was
// asked (a 4xx other than 408 and 429): the call had no effect.
func (e *ProviderError) Refused() bool {
	return e.Err == nil && e.Status >= 400 && e.Status < 500 &&
		e.Status != http.StatusRequestTimeout && e.Status != http.StatusTooManyRequests
}

// apiCall is one JSON (or form) request to a provider.
type apiCall struct {
	provider string
	op       string
	method   string
	url      string
	header   http.Header
	body     any        // JSON request body, or nil
	form     url.Values // form request body instead of JSON
	out      any        // decoded from a 2xx answer when non-nil
	// decodeError fills e from a non-2xx answer body.
	decodeError func(body []byte, e *ProviderError)
}

// do sends the call and decodes the answer. Any failure is a *ProviderError.
func do(ctx context.Context, hc *http.Client, c apiCall) error {
	var body io.Reader
	var ctype string
	switch {
	case c.form != nil:
		body = strings.NewReader(c.form.Encode())
		ctype = "application/x-www-form-urlencoded"
	case c.body != nil:
		data, err := json.Marshal(c.body)
		if err != nil {
			return fmt.Errorf("%s %s: encode request: %w", c.provider, c.op, err)
		}
		body = bytes.NewReader(data)
		ctype = "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, body)
	if err != nil {
		return &ProviderError{Provider: c.provider, Op: c.op, Err: err}
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return &ProviderError{Provider: c.provider, Op: c.op, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil {
		return &ProviderError{Provider: c.provider, Op: c.op, Status: resp.StatusCode,
			Err: fmt.Errorf("read answer: %w", err)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &ProviderError{Provider: c.provider, Op: c.op, Status: resp.StatusCode,
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
		if c.decodeError != nil && looksLikeJSON(data) {
			c.decodeError(data, e)
		}
		e.tidy()
		return e
	}
	if c.out == nil {
		return nil
	}
	if err := json.Unmarshal(data, c.out); err != nil {
		return &ProviderError{Provider: c.provider, Op: c.op, Status: resp.StatusCode,
			Err: fmt.Errorf("malformed JSON answer: %w", err)}
	}
	return nil
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now).Round(time.Second)
	}
	return 0
}

func looksLikeJSON(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}

// Caps on what of a provider's error answer reaches a message.
const (
	maxErrCode    = 64
	maxErrMessage = 300
	maxErrDetail  = 200
	maxErrDetails = 5
	maxDebugID    = 64
)

// tidy makes the fields taken from a provider's answer safe to show: each
// is sanitised (no control characters, escape sequences or bidi controls)
// and length-capped, and at most maxErrDetails details are kept. Only the
// documented JSON fields are ever read; a body that is not JSON (an HTML
// error page, a proxy's answer, whatever an internal URL returned) is never
// echoed back.
func (e *ProviderError) tidy() {
	e.Code = providerText(e.Code, maxErrCode)
	e.Message = providerText(e.Message, maxErrMessage)
	e.DebugID = providerText(e.DebugID, maxDebugID)
	var details []string
	for _, d := range e.Details {
		if d = providerText(d, maxErrDetail); d != "" {
			details = append(details, d)
		}
		if len(details) == maxErrDetails {
			break
		}
	}
	e.Details = details
}

// providerText is s on one line without control characters, escape
// sequences, bidi or other format characters, cut to n runes.
func providerText(s string, n int) string {
	s = sanitizeText(s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > n {
		s = strings.TrimSpace(truncateRunes(s, n-1)) + "…"
	}
	return s
}

// checkBaseURL accepts https URLs, and http only to a loopback host (tests,
// local mocks), so credentials never travel in clear text.
func checkBaseURL(provider, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%s base URL %q is not a URL", provider, raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("%s base URL must not hold credentials", provider)
	}
	host := u.Hostname()
	loopback := host == "localhost" || host == "127.0.0.1" || host == "::1"
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback) {
		return "", fmt.Errorf("%s base URL %q must use https", provider, raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// isProviderError unwraps err to a *ProviderError.
func isProviderError(err error) (*ProviderError, bool) {
	var pe *ProviderError
	ok := errors.As(err, &pe)
	return pe, ok
}
