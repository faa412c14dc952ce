package payouts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/affogato-sh/affogato/payouts/outbound"
	"github.com/affogato-sh/affogato/store"
)

// Wise API base URLs. A program without wise-base-url talks to live Wise.
const (
	WiseLiveURL    = "https://api.wise.com"
	WiseSandboxURL = "https://api.sandbox.transferwise.tech"
)

// Wise transfer statuses that end a transfer, and the funding answer's.
const (
	WiseOutgoingPaymentSent    = "outgoing_payment_sent"
	WiseCancelled              = "cancelled"
	WiseFundsRefunded          = "funds_refunded"
	WiseBouncedBack            = "bounced_back"
	WiseChargedBack            = "charged_back"
	WiseIncomingPaymentWaiting = "incoming_payment_waiting"

	WiseFundingCompleted = "COMPLETED"
	WiseFundingRejected  = "REJECTED"
)

// WiseItemOutcome maps a Wise transfer status to an item status:
// outgoing_payment_sent is paid; cancelled, funds_refunded, bounced_back and
// charged_back are failed; anything else is in flight.
func WiseItemOutcome(transferStatus string) string {
	switch strings.ToLower(transferStatus) {
	case WiseOutgoingPaymentSent:
		return store.ItemPaid
	case WiseCancelled, WiseFundsRefunded, WiseBouncedBack, WiseChargedBack:
		return store.ItemFailed
	default:
		return store.ItemSent
	}
}

// WiseClient calls the Wise API for one profile with a bearer token. It is
// safe for concurrent use.
type WiseClient struct {
	baseURL string
	token   string
	profile int64
	hc      *http.Client
}

// NewWiseClient makes a client for baseURL ("" means WiseLiveURL) and the
// numeric profile id. A nil hc means the guarded outbound client
// (payouts/outbound) with a one-minute timeout.
func NewWiseClient(baseURL, token, profile string, hc *http.Client) (*WiseClient, error) {
	if baseURL == "" {
		baseURL = WiseLiveURL
	}
	base, err := checkBaseURL("Wise", baseURL)
	if err != nil {
		return nil, err
	}
	if token == "" || profile == "" {
		return nil, errors.New("no Wise credentials: set the program's wise-token and wise-profile")
	}
	id, err := strconv.ParseInt(strings.TrimSpace(profile), 10, 64)
	if err != nil || id <= 0 {
		return nil, fmt.Errorf("wise-profile %q is not a Wise profile id (a number)", profile)
	}
	if hc == nil {
		hc = outbound.New(outbound.Options{Timeout: defaultHTTPTimeout}).Client()
	}
	return &WiseClient{baseURL: base, token: token, profile: id, hc: hc}, nil
}

// BaseURL is the API base the client talks to.
func (c *WiseClient) BaseURL() string { return c.baseURL }

// wiseErrorBody covers Wise's error answers: {"errors":[…]}, OAuth errors
// and the plain {"error","message"} form.
type wiseErrorBody struct {
	Errors []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Path    string `json:"path"`
	} `json:"errors"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Message          string `json:"message"`
	ErrorCode        string `json:"errorCode"`
}

func decodeWiseError(body []byte, e *ProviderError) {
	var b wiseErrorBody
	if err := json.Unmarshal(body, &b); err != nil {
		return
	}
	for i, x := range b.Errors {
		if i == 0 {
			e.Code, e.Message = x.Code, x.Message
			if x.Path != "" {
				e.Details = append(e.Details, x.Path+": "+x.Message)
			}
			continue
		}
		d := x.Message
		if x.Path != "" {
			d = x.Path + ": " + d
		}
		e.Details = append(e.Details, d)
	}
	if e.Code == "" && e.Message == "" {
		e.Code = b.ErrorCode
		if e.Code == "" {
			e.Code = b.Error
		}
		e.Message = b.ErrorDescription
		if e.Message == "" {
			e.Message = b.Message
		}
	}
}

// call makes one authenticated call.
func (c *WiseClient) call(ctx context.Context, op, method, path string, body, out any) error {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+c.token)
	err := do(ctx, c.hc, apiCall{provider: "Wise", op: op, method: method, url: c.baseURL + path,
		header: h, body: body, out: out, decodeError: decodeWiseError})
	if pe, ok := isProviderError(err); ok && pe.Status == http.StatusUnauthorized {
		pe.Hint = "check the program's wise-token (checked against " + c.baseURL + ")"
	}
	return err
}

// WiseQuote is a quote: the rate and fees for one amount.
type WiseQuote struct {
	ID             string      `json:"id"`
	SourceCurrency string      `json:"sourceCurrency"`
	TargetCurrency string      `json:"targetCurrency"`
	SourceAmount   json.Number `json:"sourceAmount,omitempty"`
	TargetAmount   json.Number `json:"targetAmount,omitempty"`
	Rate           json.Number `json:"rate,omitempty"`
}

// CreateQuote quotes sending sourceAmount of source, received in target.
func (c *WiseClient) CreateQuote(ctx context.Context, source, target string, sourceAmount decimal.Decimal) (*WiseQuote, error) {
	body := struct {
		SourceCurrency string      `json:"sourceCurrency"`
		TargetCurrency string      `json:"targetCurrency"`
		SourceAmount   json.Number `json:"sourceAmount"`
	}{source, target, json.Number(store.FormatMoney(sourceAmount, source))}
	var out WiseQuote
	path := fmt.Sprintf("/v3/profiles/%d/quotes", c.profile)
	if err := c.call(ctx, "create quote", http.MethodPost, path, body, &out); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, &ProviderError{Provider: "Wise", Op: "create quote", Status: http.StatusOK,
			Err: errors.New("answer has no quote id")}
	}
	return &out, nil
}

// WiseRecipient is a recipient account.
type WiseRecipient struct {
	ID                int64  `json:"id"`
	Currency          string `json:"currency"`
	Type              string `json:"type"`
	AccountHolderName string `json:"accountHolderName"`
}

// CreateEmailRecipient adds a recipient paid by email: Wise asks them for
// their bank details.
func (c *WiseClient) CreateEmailRecipient(ctx context.Context, currency, name, email string) (*WiseRecipient, error) {
	body := struct {
		Currency          string            `json:"currency"`
		Type              string            `json:"type"`
		Profile           int64             `json:"profile"`
		AccountHolderName string            `json:"accountHolderName"`
		Details           map[string]string `json:"details"`
	}{currency, "email", c.profile, name, map[string]string{"email": email}}
	var out WiseRecipient
	if err := c.call(ctx, "create recipient", http.MethodPost, "/v1/accounts", body, &out); err != nil {
		return nil, err
	}
	if out.ID == 0 {
		return nil, &ProviderError{Provider: "Wise", Op: "create recipient", Status: http.StatusOK,
			Err: errors.New("answer has no recipient id")}
	}
	return &out, nil
}

// WiseTransferRequest is the body of "create transfer".
type WiseTransferRequest struct {
	TargetAccount         int64               `json:"targetAccount"`
	QuoteUUID             string              `json:"quoteUuid"`
	CustomerTransactionID string              `json:"customerTransactionId"`
	Details               WiseTransferDetails `json:"details"`
}

// WiseTransferDetails carries the payment reference.
type WiseTransferDetails struct {
	Reference string `json:"reference,omitempty"`
}

// WiseTransfer is a transfer as Wise reports it.
type WiseTransfer struct {
	ID                    int64               `json:"id"`
	Status                string              `json:"status"`
	TargetAccount         int64               `json:"targetAccount"`
	QuoteUUID             string              `json:"quoteUuid"`
	CustomerTransactionID string              `json:"customerTransactionId"`
	SourceCurrency        string              `json:"sourceCurrency"`
	SourceValue           json.Number         `json:"sourceValue,omitempty"`
	TargetCurrency        string              `json:"targetCurrency"`
	TargetValue           json.Number         `json:"targetValue,omitempty"`
	Details               WiseTransferDetails `json:"details"`
}

// CreateTransfer creates a transfer. Wise creates at most one transfer per
// customerTransactionId: a retry answers the transfer made the first time.
func (c *WiseClient) CreateTransfer(ctx context.Context, req WiseTransferRequest) (*WiseTransfer, error) {
	var out WiseTransfer
	if err := c.call(ctx, "create transfer", http.MethodPost, "/v1/transfers", req, &out); err != nil {
		return nil, err
	}
	if out.ID == 0 {
		return nil, &ProviderError{Provider: "Wise", Op: "create transfer", Status: http.StatusOK,
			Err: errors.New("answer has no transfer id")}
	}
	return &out, nil
}

// WiseFunding is the answer to funding a transfer.
type WiseFunding struct {
	Type         string `json:"type"`
	Status       string `json:"status"`
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// FundTransfer pays a transfer from the profile's Wise balance. Wise may
// refuse with a 403 (personal tokens of EU/UK profiles cannot fund through
// the API) or answer status REJECTED with an error code.
func (c *WiseClient) FundTransfer(ctx context.Context, transferID int64) (*WiseFunding, error) {
	var out WiseFunding
	path := fmt.Sprintf("/v3/profiles/%d/transfers/%d/payments", c.profile, transferID)
	op := fmt.Sprintf("fund transfer %d", transferID)
	if err := c.call(ctx, op, http.MethodPost, path, map[string]string{"type": "BALANCE"}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Transfer reads a transfer.
func (c *WiseClient) Transfer(ctx context.Context, transferID int64) (*WiseTransfer, error) {
	var out WiseTransfer
	op := fmt.Sprintf("get transfer %d", transferID)
	if err := c.call(ctx, op, http.MethodGet, fmt.Sprintf("/v1/transfers/%d", transferID), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
