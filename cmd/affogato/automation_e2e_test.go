package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/payouts/notify"
	"github.com/affogato-sh/affogato/payouts/notify/mailtest"
	"github.com/affogato-sh/affogato/store"
)

// hookReceiver is a loopback webhook endpoint that records every request
// and answers each event id with the codes in perEvent (then 200), or 503
// to everything while closed.
type hookReceiver struct {
	srv      *httptest.Server
	perEvent []int

	mu     sync.Mutex
	closed bool
	reqs   []hookRequest
	tries  map[string]int
}

type hookRequest struct {
	event store.Event
	body  []byte
	sig   string
	code  int
}

func newHookReceiver(t *testing.T, perEvent ...int) *hookReceiver {
	h := &hookReceiver{perEvent: perEvent, tries: map[string]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev store.Event
		_ = json.Unmarshal(body, &ev)
		h.mu.Lock()
		code := http.StatusOK
		switch n := h.tries[ev.ID]; {
		case h.closed:
			code = http.StatusServiceUnavailable
		case n < len(h.perEvent):
			code = h.perEvent[n]
		}
		if !h.closed {
			h.tries[ev.ID]++
		}
		h.reqs = append(h.reqs, hookRequest{event: ev, body: body, sig: r.Header.Get(notify.SignatureHeader), code: code})
		h.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) setClosed(c bool) {
	h.mu.Lock()
	h.closed = c
	h.mu.Unlock()
}

// delivered returns the requests answered 2xx.
func (h *hookReceiver) delivered() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []hookRequest
	for _, r := range h.reqs {
		if r.code < 300 {
			out = append(out, r)
		}
	}
	return out
}

func (h *hookReceiver) all() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookRequest(nil), h.reqs...)
}

// waitTypes waits until the receiver accepted events of every type given
// and returns the accepted requests.
func (h *hookReceiver) waitTypes(t *testing.T, within time.Duration, types ...string) []hookRequest {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := h.delivered()
		seen := map[string]bool{}
		for _, r := range got {
			seen[r.event.Type] = true
		}
		missing := []string{}
		for _, ty := range types {
			if !seen[ty] {
				missing = append(missing, ty)
			}
		}
		if len(missing) == 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook events %v not delivered within %s; got %d requests", missing, within, len(h.all()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type hookOut struct {
	ID     uint64 `json:"id"`
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

type deliveryOut struct {
	Event      string `json:"event"`
	EventID    string `json:"event_id"`
	WebhookID  uint64 `json:"webhook_id"`
	Attempt    int    `json:"attempt"`
	StatusCode int    `json:"status_code"`
	OK         bool   `json:"ok"`
}

// setupProgram creates program acme with the admin, a partner that joined
// and was approved, and returns the API key and the partner's code.
func setupProgram(t *testing.T, s *server, hooks ...*hookReceiver) (apiKey, code string, secrets []string) {
	t.Helper()
	var prog struct {
		APIKey string `json:"api_key"`
	}
	s.sshJSON(s.adminKey, &prog, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.example")
	for _, h := range hooks {
		var w hookOut
		s.sshJSON(s.adminKey, &w, "webhook", "add", "acme", h.srv.URL+"/hooks")
		if !strings.HasPrefix(w.Secret, "whsec_") {
			t.Fatalf("webhook add --json: %+v", w)
		}
		secrets = append(secrets, w.Secret)
	}
	pat := newKey(t, "pat")
	var j struct {
		PartnerID uint64 `json:"partner_id"`
		Code      string `json:"code"`
	}
	s.sshJSON(pat, &j, "join", "acme", "--name", "Pat", "--email", "pat@partners.test")
	s.mustSSH(s.adminKey, "partner", "approve", "acme", fmt.Sprint(j.PartnerID))
	return prog.APIKey, j.Code, secrets
}

func TestWebhooksEndToEnd(t *testing.T) {
	ok := newHookReceiver(t)
	flaky := newHookReceiver(t, 500, 500) // every event: 500, 500, then 200
	s := startServer(t, serverOpts{})
	apiKey, code, secrets := setupProgram(t, s, ok, flaky)
	clickOnce(t, s.url("/r/"+code)) // a ref attributes after a click on it
	sent := time.Now()
	status, body := s.postJSON("/api/v1/conversions", apiKey,
		`{"order_id":"o-1","customer_id":"c-1","amount":"49.90","currency":"USD","kind":"sale","ref":"`+code+`"}`)
	if status != http.StatusCreated {
		t.Fatalf("conversion: %d %s", status, body)
	}
	types := []string{store.EventPartnerJoined, store.EventPartnerApproved, store.EventConversionCreated, store.EventCommissionCreated}
	got := ok.waitTypes(t, 10*time.Second, types...)
	t.Logf("conversion.created delivered %s after the conversion request was sent", time.Since(sent).Round(time.Millisecond))
	for _, r := range got {
		if err := notify.Verify(secrets[0], r.sig, r.body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("%s: signature: %v", r.event.Type, err)
		}
		if err := notify.Verify(secrets[1], r.sig, r.body, time.Now(), 5*time.Minute); err == nil {
			t.Errorf("%s: the other endpoint's secret verifies too", r.event.Type)
		}
	}
	var conv store.ConversionView
	for _, r := range got {
		if r.event.Type == store.EventConversionCreated {
			if err := json.Unmarshal(r.event.Data, &conv); err != nil {
				t.Fatal(err)
			}
		}
	}
	if conv.OrderID != "o-1" || conv.Amount != "49.90" || conv.Commission == nil || conv.Commission.Amount != "9.98" {
		t.Errorf("conversion.created data: %+v", conv)
	}

	// The flaky endpoint gets each event three times, with one id.
	flaky.waitTypes(t, 20*time.Second, types...)
	byID := map[string][]int{}
	for _, r := range flaky.all() {
		byID[r.event.ID] = append(byID[r.event.ID], r.code)
		if err := notify.Verify(secrets[1], r.sig, r.body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("flaky %s: signature: %v", r.event.Type, err)
		}
	}
	for id, codes := range byID {
		if fmt.Sprint(codes) != "[500 500 200]" {
			t.Errorf("event %s answered %v", id, codes)
		}
	}
	var ds []deliveryOut
	s.sshJSON(s.adminKey, &ds, "webhook", "deliveries", "acme")
	attempts := map[string][]int{}
	for _, d := range ds {
		if d.WebhookID == 2 {
			attempts[d.EventID] = append(attempts[d.EventID], d.StatusCode)
		}
	}
	if len(attempts) != len(byID) {
		t.Fatalf("deliveries log has %d events of webhook 2, the receiver saw %d", len(attempts), len(byID))
	}
	for id, codes := range attempts {
		if fmt.Sprint(codes) != "[200 500 500]" { // newest first
			t.Errorf("deliveries of %s: %v", id, codes)
		}
	}
	var failed []deliveryOut
	s.sshJSON(s.adminKey, &failed, "webhook", "deliveries", "acme", "--failed")
	if len(failed) != 2*len(byID) {
		t.Errorf("--failed lists %d attempts, want %d", len(failed), 2*len(byID))
	}
	for _, d := range failed {
		if d.OK || d.StatusCode != 500 {
			t.Errorf("--failed row %+v", d)
		}
	}
	human := s.mustSSH(s.adminKey, "webhook", "deliveries", "acme")
	if !strings.Contains(human, "conversion.created") || !strings.Contains(human, "500") {
		t.Errorf("webhook deliveries:\n%s", human)
	}
}

// kill ends the process with SIGKILL, at once.
func (s *server) kill() {
	s.t.Helper()
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.stopped = true
}

func TestWebhookEventsSurviveSIGKILL(t *testing.T) {
	h := newHookReceiver(t)
	s := startServer(t, serverOpts{})
	apiKey, code, secrets := setupProgram(t, s, h)
	h.waitTypes(t, 10*time.Second, store.EventPartnerJoined, store.EventPartnerApproved)
	clickOnce(t, s.url("/r/"+code)) // a ref attributes after a click on it
	// Nothing gets through until after the restart.
	h.setClosed(true)
	status, body := s.postJSON("/api/v1/conversions", apiKey,
		`{"order_id":"o-kill","customer_id":"c-kill","amount":"100.00","currency":"USD","kind":"sale","ref":"`+code+`"}`)
	if status != http.StatusCreated {
		t.Fatalf("conversion: %d %s", status, body)
	}
	s.kill()
	var conv store.ConversionView
	if err := json.Unmarshal(body, &conv); err != nil {
		t.Fatal(err)
	}
	h.setClosed(false)
	if err := s.start(nil); err != nil {
		t.Fatal(err)
	}
	s.stopped = false
	got := h.waitTypes(t, 15*time.Second, store.EventConversionCreated, store.EventCommissionCreated)
	n := 0
	for _, r := range got {
		if err := notify.Verify(secrets[0], r.sig, r.body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("signature: %v", err)
		}
		switch r.event.Type {
		case store.EventConversionCreated:
			var v store.ConversionView
			_ = json.Unmarshal(r.event.Data, &v)
			if v.ID != conv.ID || v.OrderID != "o-kill" {
				t.Errorf("conversion.created for %+v, want %d", v, conv.ID)
			}
			n++
		case store.EventCommissionCreated:
			var c store.CommissionEvent
			_ = json.Unmarshal(r.event.Data, &c)
			if c.ConversionID != conv.ID || c.Amount != "20.00" {
				t.Errorf("commission.created %+v", c)
			}
		}
	}
	if n != 1 {
		t.Errorf("conversion.created delivered %d times (accepted)", n)
	}
}

func TestMailNotificationsEndToEnd(t *testing.T) {
	smtpSrv, err := mailtest.Start(mailtest.Options{User: "mailer", Pass: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	s := startServer(t, serverOpts{extra: []string{"--smtp-url", "smtp+insecure://mailer:pw@" + smtpSrv.Addr,
		"--mail-from", "Acme Partners <partners@acme.test>", "--ssh-public-addr", "affiliates.acme.test:2222"}})
	s.mustSSH(s.adminKey, "profile", "set", "email", "owner@acme.test")
	s.mustSSH(s.adminKey, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.example")

	// A partner whose name tries to add a header.
	eve := newKey(t, "eve")
	var j struct {
		PartnerID uint64 `json:"partner_id"`
	}
	s.sshJSON(eve, &j, "join", "acme", "--name", "Eve\r\nBcc: x@evil.test", "--email", "eve@partners.test")
	ms := smtpSrv.Wait(1, 10*time.Second)
	if len(ms) != 1 || len(ms[0].To) != 1 || ms[0].To[0] != "owner@acme.test" || ms[0].From != "partners@acme.test" {
		t.Fatalf("application mail: %+v", ms)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(ms[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Header["Bcc"]) != 0 || len(msg.Header["To"]) != 1 || len(msg.Header["Cc"]) != 0 {
		t.Fatalf("headers: %v", msg.Header)
	}
	subject, _ := new(mimeWordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if !strings.HasPrefix(subject, "[Acme] New partner application: Eve") {
		t.Errorf("subject %q", subject)
	}
	bodyText := qpDecode(t, msg.Body)
	if !strings.Contains(bodyText, "ssh -p 2222 affiliates.acme.test partner approve acme "+fmt.Sprint(j.PartnerID)) {
		t.Errorf("body does not hold the ssh command:\n%s", bodyText)
	}

	// Approved: the partner is mailed, once, to one recipient.
	s.mustSSH(s.adminKey, "partner", "approve", "acme", fmt.Sprint(j.PartnerID))
	ms = smtpSrv.Wait(2, 10*time.Second)
	if len(ms) != 2 || len(ms[1].To) != 1 || ms[1].To[0] != "eve@partners.test" {
		t.Fatalf("approval mail: %+v", ms)
	}
	msg, _ = mail.ReadMessage(bytes.NewReader(ms[1].Data))
	if subject, _ := new(mimeWordDecoder).DecodeHeader(msg.Header.Get("Subject")); subject != "[Acme] You are approved as a partner" {
		t.Errorf("subject %q", subject)
	}
	if to := msg.Header.Get("To"); !strings.Contains(to, "<eve@partners.test>") || strings.ContainsAny(to, "\r\n") {
		t.Errorf("To %q", to)
	}

	// A user with notifications off gets nothing.
	quinn := newKey(t, "quinn")
	var q struct {
		PartnerID uint64 `json:"partner_id"`
	}
	s.sshJSON(quinn, &q, "join", "acme", "--name", "Quinn", "--email", "quinn@partners.test")
	s.mustSSH(quinn, "profile", "set", "notifications", "off")
	s.mustSSH(s.adminKey, "partner", "approve", "acme", fmt.Sprint(q.PartnerID))
	smtpSrv.Wait(3, 10*time.Second)     // the admin's mail about Quinn's application
	time.Sleep(1500 * time.Millisecond) // give a wrong mail to Quinn time to arrive
	ms = smtpSrv.Mails()
	if len(ms) != 3 {
		t.Fatalf("%d mails, want 3 (Quinn has notifications off)", len(ms))
	}
	for _, m := range ms {
		if m.To[0] == "quinn@partners.test" {
			t.Fatalf("mailed a user with notifications off: %+v", m)
		}
	}
}

type mimeWordDecoder = mime.WordDecoder

func qpDecode(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// clickOnce follows a referral link once (the redirector records the click)
// without following the redirect.
func clickOnce(t *testing.T, link string) {
	t.Helper()
	resp, err := noRedirect().Get(link)
	if err != nil {
		t.Fatalf("GET %s: %v", link, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !strings.Contains(resp.Header.Get("Location"), "aff_click=") {
		t.Fatalf("GET %s = %d to %q, want a 302 with a click id", link, resp.StatusCode, resp.Header.Get("Location"))
	}
}
