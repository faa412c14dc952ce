package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/payouts/notify/mailtest"
	"github.com/affogato-sh/affogato/payouts/outbound"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/testclock"
)

type env struct {
	t     *testing.T
	clk   *testclock.Clock
	st    *store.Store
	admin store.Actor
}

func newEnv(t *testing.T, mailOn bool) *env {
	e := &env{t: t, clk: testclock.New(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))}
	st, err := store.Open(t.TempDir(), store.Options{Now: e.clk.Now, Mail: mailOn})
	if err != nil {
		t.Fatal(err)
	}
	e.st = st
	t.Cleanup(func() { st.Close() })
	u, err := st.CreateUser("Ada Admin", "admin@merchant.test", "SHA256:admin", "ssh-ed25519 AAAA")
	if err != nil {
		t.Fatal(err)
	}
	e.admin = store.Actor{UserID: u.ID, Admin: true}
	if _, _, err := st.CreateProgram(e.admin, store.ProgramInput{Slug: "acme", Name: "Acme Café", URL: "https://acme.test"}, false); err != nil {
		t.Fatal(err)
	}
	return e
}

// receiver is a loopback webhook endpoint answering the codes queued.
type receiver struct {
	srv   *httptest.Server
	mu    sync.Mutex
	codes []int
	got   []http.Header
	body  [][]byte
}

func newReceiver(t *testing.T, codes ...int) *receiver {
	r := &receiver{codes: codes}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, req.Header.Clone())
		r.body = append(r.body, b)
		code := 200
		if len(r.codes) > 0 {
			code, r.codes = r.codes[0], r.codes[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(code)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (e *env) dispatcher(allowPrivate bool, m *Mailer) *Dispatcher {
	return New(Config{Store: e.st, Guard: outbound.New(outbound.Options{AllowPrivate: allowPrivate}), Mail: m,
		PublicURL: "https://t.acme.test", SSH: SSHHint("affiliates.test:2222")})
}

func TestSignVerify(t *testing.T) {
	now := time.Unix(1_780_000_000, 0)
	body := []byte(`{"id":"evt_1"}`)
	h := Sign("whsec_x", now, body)
	if !strings.HasPrefix(h, "t=1780000000,v1=") {
		t.Fatalf("header %s", h)
	}
	if err := Verify("whsec_x", h, body, now.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		secret, header string
		body           []byte
		at             time.Time
	}{
		"other secret": {"whsec_y", h, body, now},
		"other body":   {"whsec_x", h, []byte(`{"id":"evt_2"}`), now},
		"too old":      {"whsec_x", h, body, now.Add(time.Hour)},
		"malformed":    {"whsec_x", "v1=00", body, now},
	} {
		if err := Verify(c.secret, c.header, c.body, c.at, 5*time.Minute); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestWebhookRetriedUntil2xxWithOneIDAndValidSignatures(t *testing.T) {
	e := newEnv(t, false)
	rcv := newReceiver(t, 500, 500, 200)
	w, err := e.st.AddWebhook(e.admin, "acme", rcv.srv.URL+"/hook")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := e.st.CreateUser("Pat", "pat@p.test", "SHA256:pat", "ssh-ed25519 AAAA")
	if _, err := e.st.Join(store.Actor{UserID: u.ID}, "acme", ""); err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(true, nil)
	ctx := context.Background()
	if n := d.Pass(ctx); n != 1 {
		t.Fatalf("first pass %d attempts", n)
	}
	if n := d.Pass(ctx); n != 0 {
		t.Fatalf("retried before the backoff: %d", n)
	}
	for range 2 {
		e.clk.Add(5 * time.Second)
		if n := d.Pass(ctx); n != 1 {
			t.Fatalf("retry pass %d attempts", n)
		}
	}
	e.clk.Add(time.Hour)
	if n := d.Pass(ctx); n != 0 {
		t.Fatalf("delivered message sent again: %d", n)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.body) != 3 {
		t.Fatalf("%d requests", len(rcv.body))
	}
	var first store.Event
	for i, b := range rcv.body {
		var ev store.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = ev
		}
		if ev.ID != first.ID || ev.Type != store.EventPartnerJoined || !bytes.Equal(b, rcv.body[0]) {
			t.Errorf("attempt %d: %s", i+1, b)
		}
		if err := Verify(w.Secret, rcv.got[i].Get(SignatureHeader), b, e.clk.Now(), 0); err != nil {
			t.Errorf("attempt %d signature: %v", i+1, err)
		}
		if rcv.got[i].Get("Content-Type") != "application/json" {
			t.Errorf("content type %q", rcv.got[i].Get("Content-Type"))
		}
	}
	var data store.PartnerEvent
	if err := json.Unmarshal(first.Data, &data); err != nil || data.Program != "acme" || data.Email != "pat@p.test" || data.Status != "pending" {
		t.Errorf("data %s %v", first.Data, err)
	}
	log, err := e.st.ListDeliveries(e.admin, "acme", false, 0, 0)
	if err != nil || len(log) != 3 || log[0].Attempt != 3 || !log[0].OK || log[2].StatusCode != 500 || log[2].Error != "answered 500" {
		t.Fatalf("log %+v %v", log, err)
	}
	failed, _ := e.st.ListDeliveries(e.admin, "acme", true, 0, 0)
	if len(failed) != 2 {
		t.Fatalf("failed %+v", failed)
	}
}

func TestWebhookGivesUpAfter24Hours(t *testing.T) {
	e := newEnv(t, false)
	codes := make([]int, 1000)
	for i := range codes {
		codes[i] = 503
	}
	rcv := newReceiver(t, codes...)
	if _, err := e.st.AddWebhook(e.admin, "acme", rcv.srv.URL); err != nil {
		t.Fatal(err)
	}
	u, _ := e.st.CreateUser("Pat", "pat@p.test", "SHA256:pat", "ssh-ed25519 AAAA")
	if _, err := e.st.Join(store.Actor{UserID: u.ID}, "acme", ""); err != nil {
		t.Fatal(err)
	}
	start := e.clk.Now()
	d := e.dispatcher(true, nil)
	for e.clk.Now().Sub(start) < 26*time.Hour {
		d.Pass(context.Background())
		e.clk.Add(time.Minute)
	}
	if n, _ := e.st.PendingMessages(); n != 0 {
		t.Fatalf("%d messages still queued after 26 hours", n)
	}
	log, _ := e.st.ListDeliveries(e.admin, "acme", false, 0, 0)
	if len(log) < 15 || len(log) > 60 || !log[0].GaveUp || log[0].At.Sub(start) > 24*time.Hour || log[0].At.Sub(start) < 22*time.Hour {
		t.Fatalf("%d attempts, last %+v", len(log), log[0])
	}
	t.Logf("%d attempts, the last %s after the event", len(log), log[0].At.Sub(start))
	// Exponential: the gaps grow (up to the one-hour cap).
	gap1, gap2 := log[len(log)-2].At.Sub(log[len(log)-1].At), log[len(log)-11].At.Sub(log[len(log)-10].At)
	if gap2 < 8*gap1 || gap1 > time.Minute {
		t.Fatalf("gaps %s then %s", gap1, gap2)
	}
}

// Without --allow-private-targets a webhook to loopback is refused at dial
// time (no connection is made) and logged as failed.
func TestWebhookToLoopbackRefusedWithoutAllowPrivate(t *testing.T) {
	e := newEnv(t, false)
	rcv := newReceiver(t)
	if _, err := e.st.AddWebhook(e.admin, "acme", rcv.srv.URL); err != nil {
		t.Fatal(err)
	}
	u, _ := e.st.CreateUser("Pat", "pat@p.test", "SHA256:pat", "ssh-ed25519 AAAA")
	if _, err := e.st.Join(store.Actor{UserID: u.ID}, "acme", ""); err != nil {
		t.Fatal(err)
	}
	e.dispatcher(false, nil).Pass(context.Background())
	rcv.mu.Lock()
	n := len(rcv.body)
	rcv.mu.Unlock()
	log, _ := e.st.ListDeliveries(e.admin, "acme", true, 0, 0)
	if n != 0 || len(log) != 1 || !strings.Contains(log[0].Error, "loopback") {
		t.Fatalf("requests %d, log %+v", n, log)
	}
}

func TestMailerSchemes(t *testing.T) {
	for _, c := range []struct{ url, security, addr string }{
		{"smtp://u:p@mail.test", SecurityStartTLS, "mail.test:587"},
		{"smtps://mail.test", SecurityTLS, "mail.test:465"},
		{"smtp+insecure://127.0.0.1:2525", SecurityNone, "127.0.0.1:2525"},
	} {
		m, err := NewMailer(c.url, "Acme <noreply@acme.test>")
		if err != nil || m.Security() != c.security || m.Addr() != c.addr {
			t.Errorf("%s: %+v %v", c.url, m, err)
		}
	}
	for _, bad := range [][2]string{{"http://mail.test", "a@b.test"}, {"smtp://", "a@b.test"}, {"smtp://mail.test", ""},
		{"smtp://mail.test", "not an address"}, {"smtp://mail.test", "a@b.test\r\nBcc: x@evil.test"}} {
		if _, err := NewMailer(bad[0], bad[1]); err == nil {
			t.Errorf("NewMailer(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestSTARTTLSRequired(t *testing.T) {
	plain, err := mailtest.Start(mailtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	m, _ := NewMailer("smtp://"+plain.Addr, "noreply@acme.test")
	if err := m.Send(context.Background(), "pat@p.test", []byte("Subject: x\r\n\r\nhi\r\n")); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("smtp:// to a server without STARTTLS: %v", err)
	}
	if len(plain.Mails()) != 0 {
		t.Fatal("sent in plain text")
	}
	secure, err := mailtest.Start(mailtest.Options{StartTLS: true, User: "mailer", Pass: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer secure.Close()
	m, _ = NewMailer("smtp://mailer:s3cret@"+secure.Addr, "noreply@acme.test")
	m.TLSConfig = &tls.Config{RootCAs: secure.CertPool, ServerName: "localhost"}
	if err := m.Send(context.Background(), "pat@p.test", []byte("Subject: x\r\n\r\nhi\r\n")); err != nil {
		t.Fatal(err)
	}
	if ms := secure.Mails(); len(ms) != 1 || !ms[0].TLS || ms[0].User != "mailer" {
		t.Fatalf("mails %+v", ms)
	}
}

func TestMessageHeadersResistInjection(t *testing.T) {
	from, _ := mail.ParseAddress("Acme <noreply@acme.test>")
	msg := &Message{To: mail.Address{Name: "Eve\r\nBcc: x@evil.test", Address: "eve@p.test"},
		Subject: "[Acme Café] New partner application: Eve\r\nBcc: x@evil.test", Body: "line one\nline two\r\nBcc: y@evil.test\n"}
	raw := msg.Bytes(from, "evt_1.1", time.Unix(0, 0))
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "bcc") {
			t.Fatalf("injected header line %q in\n%s", line, head)
		}
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed.Header["Bcc"]) != 0 || len(parsed.Header["To"]) != 1 {
		t.Fatalf("headers %v", parsed.Header)
	}
	subj, err := new(mimeDecoder).DecodeHeader(parsed.Header.Get("Subject"))
	if err != nil || subj != "[Acme Café] New partner application: Eve Bcc: x@evil.test" {
		t.Fatalf("subject %q %v (raw %q)", subj, err, parsed.Header.Get("Subject"))
	}
	if !strings.Contains(parsed.Header.Get("Subject"), "=?utf-8?q?") {
		t.Fatalf("non-ASCII subject not RFC 2047 encoded: %q", parsed.Header.Get("Subject"))
	}
}

func TestMailNotificationsEndToEnd(t *testing.T) {
	srv, err := mailtest.Start(mailtest.Options{User: "mailer", Pass: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e := newEnv(t, true)
	m, err := NewMailer("smtp+insecure://mailer:pw@"+srv.Addr, "Acme Partners <noreply@acme.test>")
	if err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(true, m)
	pat, _ := e.st.CreateUser("Pat Ünal", "pat@p.test", "SHA256:pat", "ssh-ed25519 AAAA")
	p, err := e.st.Join(store.Actor{UserID: pat.ID}, "acme", "")
	if err != nil {
		t.Fatal(err)
	}
	d.Pass(context.Background())
	if _, err := e.st.SetPartnerStatus(e.admin, "acme", p.ID, store.PartnerApproved); err != nil {
		t.Fatal(err)
	}
	d.Pass(context.Background())
	ms := srv.Wait(2, 5*time.Second)
	if len(ms) != 2 {
		t.Fatalf("%d mails", len(ms))
	}
	for i, want := range []struct{ to, subject, body string }{
		{"admin@merchant.test", "[Acme Café] New partner application: Pat Ünal", "ssh -p 2222 affiliates.test partner approve acme 1"},
		{"pat@p.test", "[Acme Café] You are approved as a partner", "https://t.acme.test/r/" + p.Code},
	} {
		mm := ms[i]
		if len(mm.To) != 1 || mm.To[0] != want.to || mm.From != "noreply@acme.test" || mm.User != "mailer" {
			t.Errorf("mail %d envelope %+v", i, mm)
		}
		parsed, err := mail.ReadMessage(bytes.NewReader(mm.Data))
		if err != nil {
			t.Fatal(err)
		}
		subj, _ := new(mimeDecoder).DecodeHeader(parsed.Header.Get("Subject"))
		body, _ := io.ReadAll(qpReader(parsed.Body))
		if subj != want.subject || !strings.Contains(string(body), want.body) {
			t.Errorf("mail %d: subject %q body\n%s", i, subj, body)
		}
	}
}

type mimeDecoder = mime.WordDecoder

func qpReader(r io.Reader) io.Reader { return quotedprintable.NewReader(r) }

// Every mail kind reaches its recipient with the program's name in the
// subject and an ssh command in the body.
func TestEveryMailKind(t *testing.T) {
	srv, err := mailtest.Start(mailtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	e := newEnv(t, true)
	m, err := NewMailer("smtp+insecure://"+srv.Addr, "noreply@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(true, m)
	if _, err := e.st.SetProgram(e.admin, "acme", "hold-days", "0"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetProgram(e.admin, "acme", "min-payout", "1"); err != nil {
		t.Fatal(err)
	}
	pat, _ := e.st.CreateUser("Pat", "pat@p.test", "SHA256:pat", "ssh-ed25519 AAAA")
	pa := store.Actor{UserID: pat.ID}
	p, _ := e.st.Join(pa, "acme", "")
	if _, err := e.st.SetPartnerStatus(e.admin, "acme", p.ID, store.PartnerRejected); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetPartnerStatus(e.admin, "acme", p.ID, store.PartnerApproved); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetProfile(pa, "paypal", "pat-pay@p.test", ""); err != nil {
		t.Fatal(err)
	}
	// A ref attributes only after a click on its code.
	if _, err := e.st.RecordClick(context.Background(), store.ClickInput{Program: "acme", PartnerID: p.ID, Code: p.Code,
		IP: netip.MustParseAddr("192.0.2.1")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.st.RecordConversion("acme", store.ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "100.00",
		Currency: "USD", Kind: store.KindSale, Ref: p.Code}); err != nil {
		t.Fatal(err)
	}
	b, _, err := e.st.CreatePayoutBatch(e.admin, "acme")
	if err != nil || b == nil {
		t.Fatalf("batch %v %v", b, err)
	}
	if _, err := e.st.SetItemStatus(e.admin, b.ID, b.Items[0].ID, store.ItemSent, "PB1-I1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.SetItemStatus(e.admin, b.ID, b.Items[0].ID, store.ItemPaid, "", ""); err != nil {
		t.Fatal(err)
	}
	d.Pass(context.Background())
	ms := srv.Wait(6, 5*time.Second)
	want := []struct{ to, subject, cmd string }{
		{"admin@merchant.test", "[Acme Café] New partner application: Pat", "partner list acme --status pending"},
		{"pat@p.test", "[Acme Café] Your partner application was not approved", "ssh -p 2222 acme@affiliates.test"},
		{"pat@p.test", "[Acme Café] You are approved as a partner", "link list acme"},
		{"pat@p.test", "[Acme Café] Commission approved: 20.00 USD", "commission list acme --status approved"},
		{"pat@p.test", "[Acme Café] Payout sent: 20.00 USD", "payout list acme"},
		{"pat@p.test", "[Acme Café] Payout paid: 20.00 USD", "payout list acme"},
	}
	if len(ms) != len(want) {
		t.Fatalf("%d mails, want %d", len(ms), len(want))
	}
	got := map[string]string{}
	for _, mm := range ms {
		parsed, err := mail.ReadMessage(bytes.NewReader(mm.Data))
		if err != nil {
			t.Fatal(err)
		}
		subj, _ := new(mimeDecoder).DecodeHeader(parsed.Header.Get("Subject"))
		body, _ := io.ReadAll(qpReader(parsed.Body))
		got[mm.To[0]+" "+subj] = string(body)
	}
	for _, w := range want {
		body, ok := got[w.to+" "+w.subject]
		if !ok || !strings.Contains(body, w.cmd) || !strings.Contains(body, "profile set notifications off") {
			t.Errorf("no mail %q to %s with %q; got %v", w.subject, w.to, w.cmd, got)
		}
	}
}
