package main

import (
	"encoding/csv"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// wantStats is the stats both the merchant and the partner see after
// seedScenario: one click, one approved 49.90 sale earning 9.98.
var wantStats = statsOut{Clicks: 1, UniqueClicks: 1, Conversions: 1, Revenue: "49.90", Commission: "9.98",
	Pending: "0.00", Approved: "9.98", InPayout: "0.00", Paid: "0.00", Clawback: "0.00"}

// TestScenario is the main path of SPEC: program, partner, click,
// conversion, review, stats; then idempotency of the conversion API and the
// ledger check, which refuses to run beside the server and passes after it.
func TestScenario(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	sc := seedScenario(t, s)

	if got := s.stats(s.adminKey, "acme"); got != wantStats {
		t.Errorf("merchant stats acme --json = %+v\nwant %+v", got, wantStats)
	}
	if got := s.stats(sc.partnerKey, "acme"); got != wantStats {
		t.Errorf("partner stats acme --json = %+v\nwant %+v", got, wantStats)
	}

	// The same order again: 200 and the same conversion (its commission has
	// moved on to approved since the 201).
	body := `{"order_id":"o1","customer_id":"c1","amount":"49.90","currency":"USD","kind":"sale","click_id":"` +
		strconv.FormatUint(sc.clickID, 10) + `"}`
	status, resp := s.postJSON("/api/v1/conversions", sc.apiKey, body)
	if status != http.StatusOK {
		t.Fatalf("repeated conversion = %d %s, want 200", status, resp)
	}
	var again conversionOut
	if err := json.Unmarshal(resp, &again); err != nil {
		t.Fatalf("repeated conversion body %s: %v", resp, err)
	}
	if again.ID != sc.conversion.ID || again.Amount != "49.90" || again.Commission == nil ||
		again.Commission.ID != sc.commissionID || again.Commission.Amount != "9.98" {
		t.Errorf("repeated conversion = %s, want conversion %d with commission %d of 9.98", resp, sc.conversion.ID, sc.commissionID)
	}

	// The same order with other content: 409 with the JSON error body.
	other := strings.Replace(body, `"49.90"`, `"59.90"`, 1)
	status, resp = s.postJSON("/api/v1/conversions", sc.apiKey, other)
	if status != http.StatusConflict {
		t.Fatalf("conflicting conversion = %d %s, want 409", status, resp)
	}
	var eb struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(resp, &eb); err != nil || eb.Error.Code == "" || eb.Error.Message == "" {
		t.Errorf("409 body = %s, want {\"error\":{\"code\",\"message\"}}", resp)
	}
	// Nothing of it was written.
	if got := s.stats(s.adminKey, "acme"); got != wantStats {
		t.Errorf("stats after the 409 = %+v\nwant %+v", got, wantStats)
	}

	// A wrong API key: 401.
	if status, resp := s.postJSON("/api/v1/conversions", "aff_wrong", body); status != http.StatusUnauthorized {
		t.Errorf("conversion with a wrong key = %d %s, want 401", status, resp)
	}

	// The conversion and commission lists agree, for both sides.
	for who, key := range map[string]string{"merchant": s.adminKey, "partner": sc.partnerKey} {
		var convs []conversionOut
		s.sshJSON(key, &convs, "conversion", "list", "acme")
		if len(convs) != 1 || convs[0].ID != sc.conversion.ID || convs[0].Commission == nil || convs[0].Commission.Status != "approved" {
			t.Errorf("%s conversion list --json = %+v, want conversion %d with an approved commission", who, convs, sc.conversion.ID)
		}
		var comms []struct {
			ID           uint64 `json:"id"`
			PartnerID    uint64 `json:"partner_id"`
			ConversionID uint64 `json:"conversion_id"`
			Amount       string `json:"amount"`
			Status       string `json:"status"`
		}
		s.sshJSON(key, &comms, "commission", "list", "acme")
		if len(comms) != 1 || comms[0].ID != sc.commissionID || comms[0].PartnerID != sc.partnerID ||
			comms[0].ConversionID != sc.conversion.ID || comms[0].Amount != "9.98" || comms[0].Status != "approved" {
			t.Errorf("%s commission list --json = %+v", who, comms)
		}
	}
	// A partner administers nothing.
	if _, errOut, code := s.ssh(sc.partnerKey, "partner", "list", "acme"); code == 0 || strings.TrimSpace(errOut) == "" {
		t.Errorf("partner list by the partner: exit %d, stderr %q; want a refusal", code, errOut)
	}

	// While the server runs, the database is locked: check and a second
	// server say so instead of hanging.
	_, errOut, code := runBinary(t, "check", "--data", s.dataDir)
	if code == 0 || !strings.Contains(errOut, "in use by another affogato process") {
		t.Errorf("check beside the running server: exit %d, stderr %q; want a clear lock error", code, errOut)
	}
	_, errOut, code = runBinary(t, "--data", s.dataDir, "--ssh", "127.0.0.1:0", "--http", "127.0.0.1:0")
	if code == 0 || !strings.Contains(errOut, "in use by another affogato process") {
		t.Errorf("a second server on the same data: exit %d, stderr %q; want a clear lock error", code, errOut)
	}

	s.stop()
	out, errOut, code := runBinary(t, "check", "--data", s.dataDir)
	if code != 0 || !strings.Contains(out, "ok") {
		t.Errorf("check --data after the scenario: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

// TestRestart restarts the server on the same data dir: same host key, same
// data, and the order index still knows o1.
func TestRestart(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	sc := seedScenario(t, s)

	hostKey := s.hostKey()
	pub, err := os.ReadFile(filepath.Join(s.dataDir, "ssh_host_ed25519.pub"))
	if err != nil {
		t.Fatalf("host key's public half under the data dir: %v", err)
	}
	if f := strings.Fields(string(pub)); len(f) < 2 || f[0]+" "+f[1] != hostKey {
		t.Errorf("ssh_host_ed25519.pub = %q, want the key the server shows (%s)", pub, hostKey)
	}
	show := s.mustSSH(s.adminKey, "program", "show", "acme", "--json")
	merchant, partner := s.stats(s.adminKey, "acme"), s.stats(sc.partnerKey, "acme")
	who := s.mustSSH(sc.partnerKey, "whoami", "--json")

	s.restart()

	if got := s.hostKey(); got != hostKey {
		t.Errorf("host key after restart = %s, want %s", got, hostKey)
	}
	if got := s.mustSSH(s.adminKey, "program", "show", "acme", "--json"); got != show {
		t.Errorf("program show after restart:\n%s\nwant\n%s", got, show)
	}
	if got := s.stats(s.adminKey, "acme"); got != merchant || got != wantStats {
		t.Errorf("merchant stats after restart = %+v, want %+v", got, merchant)
	}
	if got := s.stats(sc.partnerKey, "acme"); got != partner || got != wantStats {
		t.Errorf("partner stats after restart = %+v, want %+v", got, partner)
	}
	if got := s.mustSSH(sc.partnerKey, "whoami", "--json"); got != who {
		t.Errorf("partner whoami after restart:\n%s\nwant\n%s", got, who)
	}
	body := `{"order_id":"o1","customer_id":"c1","amount":"49.90","currency":"USD","kind":"sale","click_id":"` +
		strconv.FormatUint(sc.clickID, 10) + `"}`
	if status, resp := s.postJSON("/api/v1/conversions", sc.apiKey, body); status != http.StatusOK {
		t.Errorf("o1 again after restart = %d %s, want 200", status, resp)
	}
	// Click ids keep growing across restarts.
	if id := followLink(t, sc.link, sc.code); id <= sc.clickID {
		t.Errorf("click id after restart = %d, want more than %d", id, sc.clickID)
	}
}

// hostKey is the server's ed25519 host key ("ssh-ed25519 AAAA…") as
// ssh-keyscan sees it.
func (s *server) hostKey() string {
	s.t.Helper()
	out, err := runCmd(10*time.Second, "ssh-keyscan", "-T", "5", "-t", "ed25519", "-p", strconv.Itoa(s.sshPort), "127.0.0.1")
	if err != nil {
		s.t.Fatalf("ssh-keyscan: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && !strings.HasPrefix(line, "#") && f[1] == "ssh-ed25519" {
			return f[1] + " " + f[2]
		}
	}
	s.t.Fatalf("ssh-keyscan found no ed25519 key:\n%s", out)
	return ""
}

// TestBackup takes a backup over SSH, checks it offline and serves it from a
// second server with the same answers.
func TestBackup(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	sc := seedScenario(t, s)

	if out, errOut, code := s.sshRaw(sc.partnerKey, "backup"); code == 0 || len(out) != 0 || !strings.Contains(errOut, "not allowed") {
		t.Errorf("backup by a partner: exit %d, %d bytes, stderr %q; want a refusal", code, len(out), errOut)
	}
	snap, errOut, code := s.sshRaw(s.adminKey, "backup")
	if code != 0 || len(snap) == 0 {
		t.Fatalf("backup: exit %d, %d bytes, stderr %q", code, len(snap), errOut)
	}
	dir := filepath.Join(t.TempDir(), "restored")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "affogato.db"), snap, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runBinary(t, "check", "--data", dir)
	if code != 0 || !strings.Contains(out, "ok") {
		t.Fatalf("check --data on the backup: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}

	show := s.mustSSH(s.adminKey, "program", "show", "acme", "--json")
	r := startServer(t, serverOpts{dataDir: dir, adminKey: s.adminKey})
	if got := r.stats(r.adminKey, "acme"); got != wantStats {
		t.Errorf("merchant stats from the backup = %+v\nwant %+v", got, wantStats)
	}
	if got := r.stats(sc.partnerKey, "acme"); got != wantStats {
		t.Errorf("partner stats from the backup = %+v\nwant %+v", got, wantStats)
	}
	if got := r.mustSSH(r.adminKey, "program", "show", "acme", "--json"); got != show {
		t.Errorf("program show from the backup:\n%s\nwant\n%s", got, show)
	}
	// The API key survived (it is stored hashed) and o1 is known.
	body := `{"order_id":"o1","customer_id":"c1","amount":"49.90","currency":"USD","kind":"sale","click_id":"` +
		strconv.FormatUint(sc.clickID, 10) + `"}`
	if status, resp := r.postJSON("/api/v1/conversions", sc.apiKey, body); status != http.StatusOK {
		t.Errorf("o1 on the restored server = %d %s, want 200", status, resp)
	}
}

// TestPayout pays the scenario's commission through a PayPal CSV batch.
func TestPayout(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	sc := seedScenario(t, s, "--min-payout", "5")

	var who struct {
		Payout *struct{ Kind, Email string } `json:"payout"`
	}
	s.sshJSON(sc.partnerKey, &who, "profile", "set", "paypal", "pat@pay.test")
	if who.Payout == nil || who.Payout.Kind != "paypal" || who.Payout.Email != "pat@pay.test" {
		t.Fatalf("profile set paypal --json payout = %+v", who.Payout)
	}

	type item struct {
		PartnerID uint64 `json:"partner_id"`
		Email     string `json:"email"`
		Amount    string `json:"amount"`
		Currency  string `json:"currency"`
	}
	var batch struct {
		Batch   uint64 `json:"batch"`
		Program string `json:"program"`
		Items   []item `json:"items"`
		Total   string `json:"total"`
	}
	s.sshJSON(s.adminKey, &batch, "payout", "create", "acme")
	want := []item{{PartnerID: sc.partnerID, Email: "pat@pay.test", Amount: "9.98", Currency: "USD"}}
	if batch.Batch == 0 || batch.Program != "acme" || batch.Total != "9.98" || !reflect.DeepEqual(batch.Items, want) {
		t.Fatalf("payout create --json = %+v, want one item %+v, total 9.98", batch, want)
	}
	if got := s.stats(sc.partnerKey, "acme"); got.Approved != "0.00" || got.InPayout != "9.98" {
		t.Errorf("partner stats with the batch open: approved %q, in_payout %q; want 0.00 and 9.98", got.Approved, got.InPayout)
	}
	id := strconv.FormatUint(batch.Batch, 10)

	out := s.mustSSH(s.adminKey, "payout", "export", id, "--format", "paypal-csv")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("payout export is not CSV: %v\n%s", err, out)
	}
	var found bool
	for _, r := range recs {
		if len(r) == 6 && r[0] == "pat@pay.test" && r[1] == "9.98" && r[2] == "USD" &&
			r[3] == strconv.FormatUint(sc.partnerID, 10) && r[5] == "PAYPAL" {
			found = true
		}
	}
	if !found {
		t.Fatalf("payout export --format paypal-csv has no line pat@pay.test,9.98,USD,%d,…,PAYPAL:\n%s", sc.partnerID, out)
	}

	s.mustSSH(s.adminKey, "payout", "mark-paid", id)
	got := s.stats(sc.partnerKey, "acme")
	if got.Paid != "9.98" || got.Approved != "0.00" || got.InPayout != "0.00" || got.Pending != "0.00" || got.Commission != "9.98" {
		t.Errorf("partner stats after mark-paid = %+v, want paid 9.98, approved/in_payout/pending 0.00", got)
	}
	var history []struct {
		Batch  uint64 `json:"batch"`
		Amount string `json:"amount"`
		Status string `json:"status"`
	}
	s.sshJSON(sc.partnerKey, &history, "payout", "list", "acme")
	if len(history) != 1 || history[0].Batch != batch.Batch || history[0].Amount != "9.98" {
		t.Errorf("partner payout list --json = %+v, want batch %d of 9.98", history, batch.Batch)
	}

	// Nothing is left to pay: a new batch pays nobody.
	var empty struct {
		Items []item `json:"items"`
		Total string `json:"total"`
	}
	if out, errOut, code := s.ssh(s.adminKey, "payout", "create", "acme", "--json"); code == 0 {
		if err := json.Unmarshal([]byte(out), &empty); err != nil || len(empty.Items) != 0 {
			t.Errorf("second payout create = %s (%v), want no items", out, err)
		}
	} else if strings.TrimSpace(errOut) == "" {
		t.Errorf("second payout create failed without a message")
	}

	s.stop()
	if out, errOut, code := runBinary(t, "check", "--data", s.dataDir); code != 0 || !strings.Contains(out, "ok") {
		t.Errorf("check --data after the payout: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

// TestUnknownKey: a key nobody knows may ask who it is, and nothing more
// than the public commands.
func TestUnknownKey(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	s.mustSSH(s.adminKey, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test")
	stranger := newKey(t, "stranger")

	out := s.mustSSH(stranger, "whoami")
	if !strings.Contains(out, "not known") {
		t.Errorf("whoami for an unknown key = %q, want it to say the key is not known", out)
	}
	var who struct {
		Known       bool   `json:"known"`
		Fingerprint string `json:"fingerprint"`
	}
	s.sshJSON(stranger, &who, "whoami")
	if who.Known || !strings.HasPrefix(who.Fingerprint, "SHA256:") {
		t.Errorf("whoami --json = %+v, want known false and the key's fingerprint", who)
	}

	for _, args := range [][]string{
		{"program", "create", "mine", "--name", "Mine", "--url", "https://mine.test"},
		{"stats", "acme"},
		{"partner", "list", "acme"},
		{"backup"},
	} {
		out, errOut, code := s.ssh(stranger, args...)
		if code == 0 || strings.TrimSpace(errOut) == "" || out != "" {
			t.Errorf("%s by an unknown key: exit %d, stdout %q, stderr %q; want a refusal on stderr", strings.Join(args, " "), code, out, errOut)
		}
	}
	// The refused create made no program.
	var progs []programOut
	s.sshJSON(s.adminKey, &progs, "program", "list")
	if len(progs) != 1 || progs[0].Slug != "acme" {
		t.Errorf("programs after the refused create = %+v, want acme alone", progs)
	}
}

// TestPasswordRefused: keys are the only login.
func TestPasswordRefused(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})

	args := append(sshBaseArgs(s.adminKey, s.sshPort),
		"-o", "PreferredAuthentications=password,keyboard-interactive", "-o", "PubkeyAuthentication=no",
		"127.0.0.1", "whoami")
	out, err := runCmd(20*time.Second, "ssh", args...)
	if err == nil {
		t.Fatalf("ssh without a key succeeded:\n%s", out)
	}
	if !strings.Contains(string(out), "Permission denied (publickey)") {
		t.Errorf("ssh without a key said %q, want Permission denied (publickey): the server offers keys only", out)
	}

	// A client that really sends a password (OpenSSH will not, in batch mode).
	for name, auth := range map[string]gossh.AuthMethod{
		"password": gossh.Password("hunter2"),
		"keyboard-interactive": gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return []string{"hunter2"}, nil
		}),
	} {
		cfg := &gossh.ClientConfig{User: "admin", Auth: []gossh.AuthMethod{auth},
			HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second}
		c, err := gossh.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.sshPort)), cfg)
		if err == nil {
			c.Close()
			t.Errorf("%s login was accepted", name)
		} else if !strings.Contains(err.Error(), "unable to authenticate") {
			t.Errorf("%s login: %v, want an authentication failure", name, err)
		}
	}
}

// TestEnvConfig starts the server from AFFOGATO_* variables alone: the
// admin key, addresses, data dir and public URL all take effect.
func TestEnvConfig(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{useEnv: true})
	s.mustSSH(s.adminKey, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test",
		"--commission", "20%; 10:25%", "--hold-days", "0")
	var prog programOut
	s.sshJSON(s.adminKey, &prog, "program", "show", "acme")
	if prog.Commission != "20%; 10:25%" {
		t.Errorf("program show commission = %q, want the tiered plan \"20%%; 10:25%%\"", prog.Commission)
	}
	var j joinOut
	s.sshJSON(newKey(t, "pat"), &j, "join", "acme", "--name", "Pat O'Neil", "--email", "pat@x.test")
	if want := s.publicURL + "/r/" + j.Code; j.Link != want || !strings.HasPrefix(j.Link, "http://localhost:") {
		t.Errorf("join link = %q, want %q (AFFOGATO_PUBLIC_URL, trailing slash trimmed)", j.Link, want)
	}
	var partners []struct{ Name string }
	s.sshJSON(s.adminKey, &partners, "partner", "list", "acme")
	if len(partners) != 1 || partners[0].Name != "Pat O'Neil" {
		t.Errorf("partner list = %+v, want Pat O'Neil (quoted through ssh intact)", partners)
	}
}
