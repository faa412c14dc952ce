package payouts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// canned is a fault a fake answers instead of (or after) doing the work.
type canned struct {
	method, path string // path prefix; "" matches any
	status       int
	header       map[string]string
	body         string
	after        bool          // do the work first, then answer this
	drop         bool          // close the connection without an answer
	delay        time.Duration // wait before answering
}

// faults is a queue of canned answers shared by the fakes.
type faults struct {
	mu    sync.Mutex
	queue []canned
}

func (f *faults) add(c canned) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, c)
}

// take pops the first canned answer for the request.
func (f *faults) take(r *http.Request) (canned, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, c := range f.queue {
		if (c.method == "" || c.method == r.Method) && strings.HasPrefix(r.URL.Path, c.path) {
			f.queue = append(f.queue[:i], f.queue[i+1:]...)
			return c, true
		}
	}
	return canned{}, false
}

// serve runs work unless a canned answer replaces it; an "after" fault runs
// the work, throws its answer away and answers the fault.
func (f *faults) serve(w http.ResponseWriter, r *http.Request, work http.HandlerFunc) {
	c, ok := f.take(r)
	if !ok {
		work(w, r)
		return
	}
	if c.delay > 0 {
		// Read the body so the server notices when the client gives up.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		select {
		case <-time.After(c.delay):
		case <-r.Context().Done():
			return
		}
	}
	if c.after {
		work(httptest.NewRecorder(), r)
	}
	if c.drop {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	for k, v := range c.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(c.status)
	fmt.Fprint(w, c.body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ---------- PayPal ----------

// fakePayPal implements the PayPal OAuth2 and Payouts endpoints we use, with
// PayPal's idempotency rule: a sender_batch_id is paid at most once.
type fakePayPal struct {
	t *testing.T
	faults
	srv *httptest.Server

	clientID, secret string
	expiresIn        int
	dupLinks         bool // link the original payout in duplicate answers
	initial          func(PayPalPayoutItem) (status string, errName string)

	mu         sync.Mutex
	tokens     map[string]bool
	tokenCalls int
	creates    int // create calls that reached the payout logic
	accepted   int // payout batches created
	batches    map[string]*fakePPBatch
	bySender   map[string]string
	payments   map[string]int // receiver → items paid to them
}

type fakePPBatch struct {
	id, sender, status string
	items              []PayPalItemDetails
}

func newFakePayPal(t *testing.T) *fakePayPal {
	f := &fakePayPal{t: t, clientID: "pp-client", secret: "pp-secret-XYZ", expiresIn: 32400, dupLinks: true,
		tokens: map[string]bool{}, batches: map[string]*fakePPBatch{}, bySender: map[string]string{},
		payments: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/oauth2/token", f.token)
	mux.HandleFunc("POST /v1/payments/payouts", f.create)
	mux.HandleFunc("GET /v1/payments/payouts/{id}", f.show)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.serve(w, r, mux.ServeHTTP)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakePayPal) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != f.clientID || secret != f.secret {
		writeJSON(w, 401, map[string]string{"error": "invalid_client", "error_description": "Client Authentication failed"})
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, 400, map[string]string{"error": "unsupported_grant_type", "error_description": "bad grant"})
		return
	}
	f.mu.Lock()
	f.tokenCalls++
	tok := fmt.Sprintf("A21AA-token-%d", f.tokenCalls)
	f.tokens[tok] = true
	f.mu.Unlock()
	writeJSON(w, 200, map[string]any{"scope": "https://uri.paypal.com/payments/payouts", "access_token": tok,
		"token_type": "Bearer", "app_id": "APP-1", "expires_in": f.expiresIn, "nonce": "n"})
}

// authorized checks the bearer token.
func (f *fakePayPal) authorized(w http.ResponseWriter, r *http.Request) bool {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	ok := f.tokens[tok]
	f.mu.Unlock()
	if !ok {
		writeJSON(w, 401, map[string]any{"name": "AUTHENTICATION_FAILURE",
			"message":  "Authentication failed due to invalid authentication credentials or a missing Authorization header.",
			"debug_id": "dbg401"})
	}
	return ok
}

// revokeTokens makes every issued token invalid (as when one expires early).
func (f *fakePayPal) revokeTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens = map[string]bool{}
}

func (f *fakePayPal) create(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	var req PayPalPayoutRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, 400, map[string]any{"name": "MALFORMED_REQUEST", "message": err.Error(), "debug_id": "dbgM"})
		return
	}
	var details []map[string]string
	for i, it := range req.Items {
		if it.RecipientType != "EMAIL" || !strings.Contains(it.Receiver, "@") || it.SenderItemID == "" {
			details = append(details, map[string]string{"field": fmt.Sprintf("items[%d]", i), "issue": "invalid item"})
		}
		if strings.Contains(it.Amount.Value, "e") || it.Amount.Currency == "" {
			details = append(details, map[string]string{"field": fmt.Sprintf("items[%d].amount", i), "issue": "invalid amount"})
		}
	}
	if req.SenderBatchHeader.SenderBatchID == "" || len(req.Items) == 0 {
		details = append(details, map[string]string{"field": "sender_batch_header", "issue": "required"})
	}
	if len(details) > 0 {
		writeJSON(w, 400, map[string]any{"name": "VALIDATION_ERROR", "message": "Invalid request - see details",
			"debug_id": "dbgV", "details": details})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates++
	if id, ok := f.bySender[req.SenderBatchHeader.SenderBatchID]; ok {
		body := map[string]any{"name": "USER_BUSINESS_ERROR", "message": "User business error.", "debug_id": "dbgD",
			"information_link": "https://developer.paypal.com/docs/api/payments.payouts-batch/#errors",
			"details": []map[string]string{{"field": "SENDER_BATCH_ID",
				"issue": "Batch with given sender_batch_id already exists", "location": "body",
				"value": req.SenderBatchHeader.SenderBatchID}}}
		if f.dupLinks {
			body["links"] = []map[string]string{{"href": f.srv.URL + "/v1/payments/payouts/" + id, "rel": "self", "method": "GET"}}
		}
		writeJSON(w, 400, body)
		return
	}
	f.accepted++
	b := &fakePPBatch{id: fmt.Sprintf("PB%04d", f.accepted), sender: req.SenderBatchHeader.SenderBatchID, status: "PENDING"}
	for i, it := range req.Items {
		status, errName := PayPalSuccess, ""
		if f.initial != nil {
			status, errName = f.initial(it)
		}
		d := PayPalItemDetails{PayoutItemID: fmt.Sprintf("%s-I%d", b.id, i+1), TransactionStatus: status,
			PayoutBatchID: b.id, PayoutItem: it}
		if errName != "" {
			d.Errors = &PayPalItemError{Name: errName, Message: "reason " + errName}
		}
		b.items = append(b.items, d)
		f.payments[it.Receiver]++
	}
	f.batches[b.id] = b
	f.bySender[b.sender] = b.id
	writeJSON(w, 201, map[string]any{"batch_header": map[string]any{"payout_batch_id": b.id,
		"batch_status": "PENDING", "sender_batch_header": req.SenderBatchHeader},
		"links": []map[string]string{{"href": f.srv.URL + "/v1/payments/payouts/" + b.id, "rel": "self"}}})
}

func (f *fakePayPal) show(w http.ResponseWriter, r *http.Request) {
	if !f.authorized(w, r) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.batches[r.PathValue("id")]
	if !ok {
		writeJSON(w, 404, map[string]any{"name": "INVALID_RESOURCE_ID", "message": "Requested resource ID was not found.", "debug_id": "dbg404"})
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
	if page < 1 {
		page = 1
	}
	if size < 1 || size > 1000 {
		size = 1000
	}
	start := min((page-1)*size, len(b.items))
	end := min(start+size, len(b.items))
	pages := (len(b.items) + size - 1) / size
	out := map[string]any{"batch_header": map[string]any{"payout_batch_id": b.id, "batch_status": b.status,
		"sender_batch_header": map[string]string{"sender_batch_id": b.sender}},
		"items": b.items[start:end]}
	if r.URL.Query().Get("total_required") == "true" {
		out["total_items"], out["total_pages"] = len(b.items), pages
	}
	writeJSON(w, 200, out)
}

// setStatus changes the transaction status of the items sent to receiver.
func (f *fakePayPal) setStatus(receiver, status, errName string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.batches {
		for i := range b.items {
			if b.items[i].PayoutItem.Receiver == receiver {
				b.items[i].TransactionStatus = status
				b.items[i].Errors = nil
				if errName != "" {
					b.items[i].Errors = &PayPalItemError{Name: errName, Message: "reason " + errName}
				}
			}
		}
	}
}

func (f *fakePayPal) counts() (creates, accepted int, payments map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := map[string]int{}
	for k, v := range f.payments {
		p[k] = v
	}
	return f.creates, f.accepted, p
}

// ---------- Wise ----------

// fakeWise implements the Wise quote, recipient, transfer and funding
// endpoints we use, with Wise's idempotency rule: one transfer per
// customerTransactionId.
type fakeWise struct {
	t *testing.T
	faults
	srv *httptest.Server

	token   string
	profile string
	fund    string // "": funding works; "forbid": 403; "reject": REJECTED

	mu         sync.Mutex
	quotes     map[string]map[string]any
	recipients map[int64]map[string]any
	transfers  map[int64]*WiseTransfer
	byCustTx   map[string]int64
	funded     map[int64]int // transfer → funding calls that moved money
	nextID     int64
}

func newFakeWise(t *testing.T) *fakeWise {
	f := &fakeWise{t: t, token: "wise-token-SECRET", profile: "4242",
		quotes: map[string]map[string]any{}, recipients: map[int64]map[string]any{},
		transfers: map[int64]*WiseTransfer{}, byCustTx: map[string]int64{}, funded: map[int64]int{}, nextID: 1000}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v3/profiles/{profile}/quotes", f.quote)
	mux.HandleFunc("POST /v1/accounts", f.recipient)
	mux.HandleFunc("POST /v1/transfers", f.transfer)
	mux.HandleFunc("POST /v3/profiles/{profile}/transfers/{id}/payments", f.payment)
	mux.HandleFunc("GET /v1/transfers/{id}", f.get)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+f.token {
			writeJSON(w, 401, map[string]string{"error": "invalid_token", "error_description": "Invalid token"})
			return
		}
		f.serve(w, r, mux.ServeHTTP)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func wiseErr(w http.ResponseWriter, status int, code, msg, path string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]string{{"code": code, "message": msg, "path": path}}})
}

func (f *fakeWise) quote(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("profile") != f.profile {
		wiseErr(w, 403, "profile.forbidden", "not your profile", "profile")
		return
	}
	var in map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		wiseErr(w, 400, "bad.json", err.Error(), "")
		return
	}
	amount := string(in["sourceAmount"])
	if amount == "" || strings.HasPrefix(amount, `"`) {
		wiseErr(w, 422, "NotNull", "sourceAmount must be a number", "sourceAmount")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	id := fmt.Sprintf("11144c35-9fe8-4c32-b7fd-%012d", f.nextID)
	var src, tgt string
	_ = json.Unmarshal(in["sourceCurrency"], &src)
	_ = json.Unmarshal(in["targetCurrency"], &tgt)
	q := map[string]any{"id": id, "sourceCurrency": src, "targetCurrency": tgt, "sourceAmount": json.Number(amount), "rate": 1}
	f.quotes[id] = q
	writeJSON(w, 200, q)
}

func (f *fakeWise) recipient(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Currency          string            `json:"currency"`
		Type              string            `json:"type"`
		Profile           int64             `json:"profile"`
		AccountHolderName string            `json:"accountHolderName"`
		Details           map[string]string `json:"details"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		wiseErr(w, 400, "bad.json", err.Error(), "")
		return
	}
	if in.Type != "email" || in.Details["email"] == "" || strconv.FormatInt(in.Profile, 10) != f.profile {
		wiseErr(w, 422, "NOT_VALID", "invalid recipient", "details.email")
		return
	}
	if !strings.Contains(strings.TrimSpace(in.AccountHolderName), " ") {
		wiseErr(w, 422, "NOT_VALID", "Please enter the recipient's first and last name.", "accountHolderName")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	rc := map[string]any{"id": f.nextID, "currency": in.Currency, "type": "email", "accountHolderName": in.AccountHolderName}
	f.recipients[f.nextID] = rc
	writeJSON(w, 200, rc)
}

func (f *fakeWise) transfer(w http.ResponseWriter, r *http.Request) {
	var in WiseTransferRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		wiseErr(w, 400, "bad.json", err.Error(), "")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(in.CustomerTransactionID) != 36 {
		wiseErr(w, 422, "NOT_VALID", "customerTransactionId must be a UUID", "customerTransactionId")
		return
	}
	if id, ok := f.byCustTx[in.CustomerTransactionID]; ok {
		writeJSON(w, 200, f.transfers[id]) // a repeat: the same transfer
		return
	}
	q, ok := f.quotes[in.QuoteUUID]
	if !ok {
		wiseErr(w, 422, "quote.not.found", "quote not found", "quoteUuid")
		return
	}
	if _, ok := f.recipients[in.TargetAccount]; !ok {
		wiseErr(w, 422, "recipient.not.found", "recipient not found", "targetAccount")
		return
	}
	f.nextID++
	tr := &WiseTransfer{ID: f.nextID, Status: WiseIncomingPaymentWaiting, TargetAccount: in.TargetAccount,
		QuoteUUID: in.QuoteUUID, CustomerTransactionID: in.CustomerTransactionID,
		SourceCurrency: q["sourceCurrency"].(string), SourceValue: q["sourceAmount"].(json.Number),
		TargetCurrency: q["targetCurrency"].(string), Details: in.Details}
	f.transfers[tr.ID] = tr
	f.byCustTx[in.CustomerTransactionID] = tr.ID
	writeJSON(w, 200, tr)
}

func (f *fakeWise) payment(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f.mu.Lock()
	defer f.mu.Unlock()
	tr, ok := f.transfers[id]
	if !ok {
		wiseErr(w, 404, "transfer.not-found", "no such transfer", "transferId")
		return
	}
	switch f.fund {
	case "forbid":
		writeJSON(w, 403, map[string]any{"timestamp": "2025-03-01T10:00:00Z", "status": 403, "error": "Forbidden",
			"message": "You are forbidden to send this request", "path": r.URL.Path})
		return
	case "reject":
		writeJSON(w, 200, map[string]any{"type": "BALANCE", "status": "REJECTED", "errorCode": "transfer.insufficient_funds"})
		return
	}
	if tr.Status != WiseIncomingPaymentWaiting {
		wiseErr(w, 422, "transfer.invalid-state", "Transfer is in an invalid state", "")
		return
	}
	tr.Status = "processing"
	f.funded[id]++
	writeJSON(w, 201, map[string]any{"type": "BALANCE", "status": "COMPLETED", "errorCode": nil})
}

func (f *fakeWise) get(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f.mu.Lock()
	defer f.mu.Unlock()
	tr, ok := f.transfers[id]
	if !ok {
		wiseErr(w, 404, "transfer.not-found", "no such transfer", "transferId")
		return
	}
	writeJSON(w, 200, tr)
}

// setStatus moves every transfer to status (a funded one by hand: "processing").
func (f *fakeWise) setStatus(status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, tr := range f.transfers {
		tr.Status = status
	}
}

func (f *fakeWise) counts() (transfers int, funded map[int64]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[int64]int{}
	for k, v := range f.funded {
		m[k] = v
	}
	return len(f.transfers), m
}
