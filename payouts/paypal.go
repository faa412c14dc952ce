package payouts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/affogato-sh/affogato/payouts/outbound"
	"github.com/affogato-sh/affogato/store"
)

// PayPal API base URLs. A program without paypal-base-url talks to the
// sandbox, so credentials set by mistake never move real money; live
// accounts set paypal-base-url to PayPalLiveURL.
const (
	PayPalSandboxURL = "https://api-m.sandbox.paypal.com"
	PayPalLiveURL    = "https://api-m.paypal.com"
)

// PayPalMaxItems is the most items one Payouts API call takes.
const PayPalMaxItems = 15000

// payPalPageSize is the largest page of items "show payout batch" returns.
const payPalPageSize = 1000

// PayPal transaction statuses of a payout item.
const (
	PayPalSuccess   = "SUCCESS"
	PayPalFailed    = "FAILED"
	PayPalPending   = "PENDING"
	PayPalUnclaimed = "UNCLAIMED"
	PayPalReturned  = "RETURNED"
	PayPalOnHold    = "ONHOLD"
	PayPalBlocked   = "BLOCKED"
	PayPalRefunded  = "REFUNDED"
	PayPalReversed  = "REVERSED"
	// PayPalDenied is a batch status: PayPal refused the whole batch.
	PayPalDenied = "DENIED"
)

// PayPalItemOutcome maps a PayPal transaction status to an item status:
// SUCCESS is paid; FAILED, RETURNED, BLOCKED, REFUNDED and REVERSED are
// failed; anything else (PENDING, UNCLAIMED, ONHOLD, unknown) is in flight.
func PayPalItemOutcome(transactionStatus string) string {
	switch strings.ToUpper(transactionStatus) {
	case PayPalSuccess:
		return store.ItemPaid
	case PayPalFailed, PayPalReturned, PayPalBlocked, PayPalRefunded, PayPalReversed:
		return store.ItemFailed
	default:
		return store.ItemSent
	}
}

// PayPalClient calls the PayPal Payouts API with one app's credentials. It
// caches its OAuth2 access token until shortly before it expires. It is safe
// for concurrent use.
type PayPalClient struct {
	baseURL  string
	clientID string
	secret   string
	hc       *http.Client
	now      func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// NewPayPalClient makes a client for baseURL ("" means PayPalSandboxURL).
// A nil hc means the guarded outbound client (payouts/outbound) with a
// one-minute timeout; any hc given should come from an outbound.Guard.
func NewPayPalClient(baseURL, clientID, secret string, hc *http.Client) (*PayPalClient, error) {
	if baseURL == "" {
		baseURL = PayPalSandboxURL
	}
	base, err := checkBaseURL("PayPal", baseURL)
	if err != nil {
		return nil, err
	}
	if clientID == "" || secret == "" {
		return nil, errors.New("no PayPal credentials: set the program's paypal-client-id and paypal-secret")
	}
	if hc == nil {
		hc = outbound.New(outbound.Options{Timeout: defaultHTTPTimeout}).Client()
	}
	return &PayPalClient{baseURL: base, clientID: clientID, secret: secret, hc: hc, now: time.Now}, nil
}

// BaseURL is the API base the client talks to.
func (c *PayPalClient) BaseURL() string { return c.baseURL }

// PayPalAmount is a money amount: an ISO decimal string and a currency.
type PayPalAmount struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

// PayPalSenderBatchHeader is our header of a payout batch.
type PayPalSenderBatchHeader struct {
	SenderBatchID string `json:"sender_batch_id"`
	EmailSubject  string `json:"email_subject,omitempty"`
	EmailMessage  string `json:"email_message,omitempty"`
	RecipientType string `json:"recipient_type,omitempty"`
}

// PayPalPayoutItem is one payment of a payout batch request.
type PayPalPayoutItem struct {
	RecipientType string       `json:"recipient_type"`
	Amount        PayPalAmount `json:"amount"`
	Receiver      string       `json:"receiver"`
	SenderItemID  string       `json:"sender_item_id"`
	Note          string       `json:"note,omitempty"`
}

// PayPalPayoutRequest is the body of "create batch payout".
type PayPalPayoutRequest struct {
	SenderBatchHeader PayPalSenderBatchHeader `json:"sender_batch_header"`
	Items             []PayPalPayoutItem      `json:"items"`
}

// PayPalBatchHeader is PayPal's header of a payout batch.
type PayPalBatchHeader struct {
	PayoutBatchID     string                  `json:"payout_batch_id"`
	BatchStatus       string                  `json:"batch_status"`
	SenderBatchHeader PayPalSenderBatchHeader `json:"sender_batch_header"`
}

// PayPalItemError is why a payout item did not succeed.
type PayPalItemError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// PayPalItemDetails is one item of a payout batch as PayPal reports it.
type PayPalItemDetails struct {
	PayoutItemID      string           `json:"payout_item_id"`
	TransactionID     string           `json:"transaction_id,omitempty"`
	TransactionStatus string           `json:"transaction_status"`
	PayoutBatchID     string           `json:"payout_batch_id,omitempty"`
	PayoutItem        PayPalPayoutItem `json:"payout_item"`
	Errors            *PayPalItemError `json:"errors,omitempty"`
}

// PayPalPayoutBatch is "show payout batch details": the header and every item.
type PayPalPayoutBatch struct {
	BatchHeader PayPalBatchHeader   `json:"batch_header"`
	Items       []PayPalItemDetails `json:"items"`
	TotalPages  int                 `json:"total_pages,omitempty"`
}

// payPalErrorBody is PayPal's error answer (REST errors and OAuth errors).
type payPalErrorBody struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	DebugID string `json:"debug_id"`
	Details []struct {
		Field       string `json:"field"`
		Issue       string `json:"issue"`
		Description string `json:"description"`
	} `json:"details"`
	Links []struct {
		Href string `json:"href"`
		Rel  string `json:"rel"`
	} `json:"links"`
	// OAuth2 token errors.
	OAuthError       string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func decodePayPalError(body []byte, e *ProviderError) {
	var b payPalErrorBody
	if err := json.Unmarshal(body, &b); err != nil {
		return
	}
	e.Code, e.Message, e.DebugID = b.Name, b.Message, b.DebugID
	if e.Code == "" {
		e.Code, e.Message = b.OAuthError, b.ErrorDescription
	}
	for _, d := range b.Details {
		issue := d.Issue
		if d.Description != "" && d.Description != issue {
			issue = strings.TrimSpace(issue + " " + d.Description)
		}
		if d.Field != "" {
			issue = d.Field + ": " + issue
		}
		e.Details = append(e.Details, issue)
	}
}

// DuplicateBatchError means PayPal already has a payout batch with our
// sender_batch_id (used within 30 days): the batch was sent before and must
// not be sent again. PayoutBatchID is the original's id when PayPal's answer
// linked to it, "" otherwise.
type DuplicateBatchError struct {
	SenderBatchID string
	PayoutBatchID string
	Err           *ProviderError
}

func (e *DuplicateBatchError) Error() string {
	if e.PayoutBatchID != "" {
		return fmt.Sprintf("PayPal already has batch %s as payout %s", e.SenderBatchID, e.PayoutBatchID)
	}
	return fmt.Sprintf("PayPal already has batch %s (%v)", e.SenderBatchID, e.Err)
}

// Unwrap returns PayPal's error answer.
func (e *DuplicateBatchError) Unwrap() error { return e.Err }

// asDuplicate recognises PayPal's "duplicate batch" answer to create payout.
func asDuplicate(senderBatchID string, pe *ProviderError, body []byte) *DuplicateBatchError {
	if pe.Status != http.StatusBadRequest && pe.Status != http.StatusConflict &&
		pe.Status != http.StatusUnprocessableEntity {
		return nil
	}
	dup := pe.Code == "DUPLICATE_REQUEST_ID" || strings.Contains(strings.ToLower(pe.Message), "duplicate")
	for _, d := range pe.Details {
		l := strings.ToLower(d)
		if strings.Contains(l, "sender_batch_id") || strings.Contains(l, "duplicate") {
			dup = true
		}
	}
	if !dup {
		return nil
	}
	de := &DuplicateBatchError{SenderBatchID: senderBatchID, Err: pe}
	var b payPalErrorBody
	if json.Unmarshal(body, &b) == nil {
		for _, l := range b.Links {
			if id := payoutIDFromHref(l.Href); id != "" {
				de.PayoutBatchID = id
				break
			}
		}
	}
	return de
}

// payoutIDFromHref takes the payout batch id out of a HATEOAS link such as
// https://api-m.paypal.com/v1/payments/payouts/ABC123?page=1.
func payoutIDFromHref(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	const prefix = "/v1/payments/payouts/"
	i := strings.Index(u.Path, prefix)
	if i < 0 {
		return ""
	}
	id := strings.Trim(u.Path[i+len(prefix):], "/")
	if id == "" || strings.Contains(id, "/") {
		return ""
	}
	return id
}

// accessToken returns a cached token or fetches a new one.
func (c *PayPalClient) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	h := http.Header{}
	h.Set("Authorization", "Basic "+basicAuth(c.clientID, c.secret))
	err := do(ctx, c.hc, apiCall{
		provider: "PayPal", op: "get access token", method: http.MethodPost,
		url: c.baseURL + "/v1/oauth2/token", header: h,
		form: url.Values{"grant_type": {"client_credentials"}}, out: &out,
		decodeError: decodePayPalError,
	})
	if err != nil {
		if pe, ok := isProviderError(err); ok && (pe.Status == http.StatusUnauthorized || pe.Status == http.StatusForbidden) {
			pe.Hint = "check the program's paypal-client-id and paypal-secret (checked against " + c.baseURL + ")"
		}
		return "", err
	}
	if out.AccessToken == "" {
		return "", &ProviderError{Provider: "PayPal", Op: "get access token", Status: http.StatusOK,
			Err: errors.New("answer has no access_token")}
	}
	life := time.Duration(out.ExpiresIn) * time.Second
	margin := 5 * time.Minute
	if life < 2*margin {
		margin = life / 2
	}
	c.token, c.expires = out.AccessToken, c.now().Add(life-margin)
	return c.token, nil
}

// dropToken forgets a token PayPal no longer accepts.
func (c *PayPalClient) dropToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == token {
		c.token, c.expires = "", time.Time{}
	}
}

// call makes an authenticated API call, fetching a new token once if PayPal
// answers 401 to a cached one. raw receives the error body, if any.
func (c *PayPalClient) call(ctx context.Context, call apiCall, header http.Header, raw *[]byte) error {
	for attempt := 0; ; attempt++ {
		token, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		h := http.Header{}
		for k, v := range header {
			h[k] = v
		}
		h.Set("Authorization", "Bearer "+token)
		call.header = h
		call.decodeError = func(body []byte, e *ProviderError) {
			if raw != nil {
				*raw = append([]byte(nil), body...)
			}
			decodePayPalError(body, e)
		}
		err = do(ctx, c.hc, call)
		if pe, ok := isProviderError(err); ok && pe.Status == http.StatusUnauthorized && attempt == 0 {
			c.dropToken(token)
			continue
		}
		return err
	}
}

// CreatePayout sends a payout batch. PayPal pays a sender_batch_id at most
// once within 30 days: sending the same one again answers a
// *DuplicateBatchError (or, thanks to the PayPal-Request-Id header, the
// original answer). Any other failure is a *ProviderError.
func (c *PayPalClient) CreatePayout(ctx context.Context, req PayPalPayoutRequest) (*PayPalBatchHeader, error) {
	if n := len(req.Items); n == 0 || n > PayPalMaxItems {
		return nil, fmt.Errorf("PayPal create payout: %d items (want 1 to %d)", n, PayPalMaxItems)
	}
	var out struct {
		BatchHeader PayPalBatchHeader `json:"batch_header"`
	}
	h := http.Header{}
	h.Set("PayPal-Request-Id", req.SenderBatchHeader.SenderBatchID)
	var raw []byte
	err := c.call(ctx, apiCall{
		provider: "PayPal", op: "create payout " + req.SenderBatchHeader.SenderBatchID,
		method: http.MethodPost, url: c.baseURL + "/v1/payments/payouts", body: req, out: &out,
	}, h, &raw)
	if err != nil {
		if pe, ok := isProviderError(err); ok {
			if de := asDuplicate(req.SenderBatchHeader.SenderBatchID, pe, raw); de != nil {
				return nil, de
			}
		}
		return nil, err
	}
	if out.BatchHeader.PayoutBatchID == "" {
		return nil, &ProviderError{Provider: "PayPal", Op: "create payout " + req.SenderBatchHeader.SenderBatchID,
			Status: http.StatusCreated, Err: errors.New("answer has no payout_batch_id")}
	}
	return &out.BatchHeader, nil
}

// ShowPayout reads a payout batch and all of its items, page by page.
func (c *PayPalClient) ShowPayout(ctx context.Context, payoutBatchID string) (*PayPalPayoutBatch, error) {
	if payoutBatchID == "" {
		return nil, errors.New("PayPal show payout: no payout batch id")
	}
	var all PayPalPayoutBatch
	for page := 1; ; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(payPalPageSize)},
			"total_required": {"true"}}
		var out PayPalPayoutBatch
		err := c.call(ctx, apiCall{
			provider: "PayPal", op: "show payout " + payoutBatchID, method: http.MethodGet,
			url: c.baseURL + "/v1/payments/payouts/" + url.PathEscape(payoutBatchID) + "?" + q.Encode(),
			out: &out,
		}, nil, nil)
		if err != nil {
			return nil, err
		}
		if page == 1 {
			all.BatchHeader, all.TotalPages = out.BatchHeader, out.TotalPages
		}
		all.Items = append(all.Items, out.Items...)
		last := len(out.Items) < payPalPageSize
		if out.TotalPages > 0 {
			last = page >= out.TotalPages
		}
		if last || page >= PayPalMaxItems/payPalPageSize {
			return &all, nil
		}
	}
}

// basicAuth is the base64 "id:secret" of an Authorization: Basic header.
func basicAuth(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
}
