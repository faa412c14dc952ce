package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// JSON shapes the tests read (SPEC 8); more fields may come.

type programOut struct {
	Slug       string `json:"slug"`
	Name       string `json:"name"`
	URL        string `json:"url"`
	Currency   string `json:"currency"`
	Commission string `json:"commission"`
	CookieDays int    `json:"cookie_days"`
	HoldDays   int    `json:"hold_days"`
	MinPayout  string `json:"min_payout"`
	APIKey     string `json:"api_key"`
}

type joinOut struct {
	Program   string `json:"program"`
	PartnerID uint64 `json:"partner_id"`
	Status    string `json:"status"`
	Code      string `json:"code"`
	Link      string `json:"link"`
}

type commissionOut struct {
	ID     uint64   `json:"id"`
	Amount string   `json:"amount"`
	Status string   `json:"status"`
	Flags  []string `json:"flags"`
}

type conversionOut struct {
	ID         uint64         `json:"id"`
	OrderID    string         `json:"order_id"`
	CustomerID string         `json:"customer_id"`
	Amount     string         `json:"amount"`
	Currency   string         `json:"currency"`
	Kind       string         `json:"kind"`
	Attributed bool           `json:"attributed"`
	PartnerID  *uint64        `json:"partner_id"`
	Commission *commissionOut `json:"commission"`
}

// statsOut is the SPEC part of stats --json (the daily series is left out:
// it moves at midnight).
type statsOut struct {
	Clicks       int64  `json:"clicks"`
	UniqueClicks int64  `json:"unique_clicks"`
	Conversions  int64  `json:"conversions"`
	Revenue      string `json:"revenue"`
	Commission   string `json:"commission"`
	Pending      string `json:"pending"`
	Approved     string `json:"approved"`
	InPayout     string `json:"in_payout"`
	Paid         string `json:"paid"`
	Clawback     string `json:"clawback"`
}

// scenario is what seedScenario leaves behind.
type scenario struct {
	slug         string
	apiKey       string
	partnerKey   string // private key path of the partner
	partnerID    uint64
	code         string
	link         string
	clickID      uint64
	conversion   conversionOut
	convBody     []byte // the 201 body
	commissionID uint64
}

// seedScenario runs SPEC's main path and checks each step: the admin creates
// program acme (20%, hold 0, plus createArgs), a partner joins and is
// approved, a visitor follows the referral link, the merchant's server
// reports a 49.90 sale for that click, and the admin approves the flagged
// commission (9.98).
func seedScenario(t *testing.T, s *server, createArgs ...string) *scenario {
	t.Helper()
	sc := &scenario{slug: "acme", partnerKey: newKey(t, "pat")}

	var prog programOut
	s.sshJSON(s.adminKey, &prog, append([]string{"program", "create", "acme", "--name", "Acme",
		"--url", "https://acme.test", "--commission", "20%", "--hold-days", "0"}, createArgs...)...)
	if prog.Slug != "acme" || prog.Name != "Acme" || prog.URL != "https://acme.test" || prog.Currency != "USD" ||
		prog.Commission != "20%" || prog.HoldDays != 0 || prog.CookieDays != 30 {
		t.Fatalf("program create --json = %+v", prog)
	}
	if !strings.HasPrefix(prog.APIKey, "aff_") || len(prog.APIKey) < 20 {
		t.Fatalf("program create --json api_key = %q, want a fresh key", prog.APIKey)
	}
	sc.apiKey = prog.APIKey

	var j joinOut
	s.sshJSON(sc.partnerKey, &j, "join", "acme", "--name", "Pat", "--email", "pat@x.test")
	if j.Program != "acme" || j.PartnerID == 0 || j.Status != "pending" || j.Code == "" {
		t.Fatalf("join --json = %+v, want program acme, a partner id, status pending and a code", j)
	}
	if want := s.publicURL + "/r/" + j.Code; j.Link != want {
		t.Fatalf("join link = %q, want %q", j.Link, want)
	}
	sc.partnerID, sc.code, sc.link = j.PartnerID, j.Code, j.Link

	out := s.mustSSH(s.adminKey, "partner", "approve", "acme", strconv.FormatUint(j.PartnerID, 10))
	if !strings.Contains(out, "approved") {
		t.Fatalf("partner approve said %q, want it to say approved", out)
	}

	sc.clickID = followLink(t, sc.link, sc.code)

	body := fmt.Sprintf(`{"order_id":"o1","customer_id":"c1","amount":"49.90","currency":"USD","kind":"sale","click_id":"%d"}`, sc.clickID)
	status, resp := s.postJSON("/api/v1/conversions", sc.apiKey, body)
	if status != http.StatusCreated {
		t.Fatalf("POST /api/v1/conversions = %d %s, want 201", status, resp)
	}
	sc.convBody = resp
	if err := json.Unmarshal(resp, &sc.conversion); err != nil {
		t.Fatalf("conversion body %s: %v", resp, err)
	}
	cv := sc.conversion
	if cv.ID == 0 || cv.OrderID != "o1" || cv.CustomerID != "c1" || cv.Amount != "49.90" || cv.Currency != "USD" ||
		cv.Kind != "sale" || !cv.Attributed || cv.PartnerID == nil || *cv.PartnerID != sc.partnerID {
		t.Fatalf("conversion = %s, want o1/c1 49.90 USD sale attributed to partner %d", resp, sc.partnerID)
	}
	if cv.Commission == nil || cv.Commission.ID == 0 || cv.Commission.Amount != "9.98" {
		t.Fatalf("conversion commission = %s, want amount \"9.98\"", resp)
	}
	// SPEC 4, fraud review: a conversion less than 10 s after its click is
	// flagged and stays pending until the merchant decides.
	if cv.Commission.Status != "pending" || !contains(cv.Commission.Flags, "fast_conversion") {
		t.Fatalf("commission = %+v, want pending with flag fast_conversion", *cv.Commission)
	}
	sc.commissionID = cv.Commission.ID

	// The same order with the same content: 200 and the same body.
	status, again := s.postJSON("/api/v1/conversions", sc.apiKey, body)
	if status != http.StatusOK || !bytes.Equal(again, resp) {
		t.Fatalf("the same conversion again = %d %s\nwant 200 %s", status, again, resp)
	}

	// Approving a flagged commission takes an explicit override (issue 10).
	if _, errOut, code := s.ssh(s.adminKey, "commission", "approve", "acme", strconv.FormatUint(sc.commissionID, 10)); code != 1 ||
		!strings.Contains(errOut, "fast_conversion") || !strings.Contains(errOut, "--override-flags") {
		t.Fatalf("approving a flagged commission without --override-flags = exit %d %s, want a refusal naming the flag", code, errOut)
	}
	var approved commissionOut
	s.sshJSON(s.adminKey, &approved, "commission", "approve", "acme", strconv.FormatUint(sc.commissionID, 10), "--override-flags")
	if approved.ID != sc.commissionID || approved.Status != "approved" || approved.Amount != "9.98" {
		t.Fatalf("commission approve --json = %+v, want %d approved 9.98", approved, sc.commissionID)
	}
	return sc
}

// followLink GETs a referral link like a browser's first request would and
// checks SPEC 4's redirect; it returns the click id.
func followLink(t *testing.T, link, code string) uint64 {
	t.Helper()
	resp, err := noRedirect().Get(link)
	if err != nil {
		t.Fatalf("GET %s: %v", link, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("GET %s = %d, want 302", link, resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location %q: %v", resp.Header.Get("Location"), err)
	}
	if loc.Scheme != "https" || loc.Host != "acme.test" || (loc.Path != "/" && loc.Path != "") {
		t.Fatalf("Location = %s, want https://acme.test/?…", loc)
	}
	q := loc.Query()
	if q.Get("ref") != code {
		t.Fatalf("Location %s: ref = %q, want %q", loc, q.Get("ref"), code)
	}
	clickID, err := strconv.ParseUint(q.Get("aff_click"), 10, 64)
	if err != nil || clickID == 0 {
		t.Fatalf("Location %s: aff_click = %q, want a click id", loc, q.Get("aff_click"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "aff_ref" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatalf("no aff_ref cookie in %q", resp.Header.Values("Set-Cookie"))
	}
	if want := fmt.Sprintf("%s.%d", code, clickID); cookie.Value != want || cookie.Path != "/" ||
		cookie.SameSite != http.SameSiteLaxMode || cookie.MaxAge != 30*86400 {
		t.Fatalf("aff_ref cookie = %q, want value %q, Path=/, SameSite=Lax, Max-Age=2592000", resp.Header.Values("Set-Cookie"), want)
	}
	return clickID
}

// stats reads stats SLUG --json as key sees it.
func (s *server) stats(key, slug string) statsOut {
	s.t.Helper()
	var st statsOut
	s.sshJSON(key, &st, "stats", slug)
	return st
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
