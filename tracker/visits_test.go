package tracker

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/assets"
	"github.com/affogato-sh/affogato/store"
)

const browserUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"

func (e *env) visit(body string, hdr ...string) (*visitOut, int) {
	e.t.Helper()
	rr := e.request(http.MethodPost, "/api/v1/visits", body, append([]string{"User-Agent", browserUA,
		"Origin", "https://www.acme.test", "Content-Type", "text/plain"}, hdr...)...)
	if got := rr.Header().Get("Access-Control-Allow-Origin"); got != "*" {
		e.t.Errorf("visits: Access-Control-Allow-Origin = %q, want *", got)
	}
	if got := rr.Header().Get("Access-Control-Allow-Credentials"); got != "" {
		e.t.Errorf("visits: Access-Control-Allow-Credentials = %q, want none (no cookies cross origins)", got)
	}
	if len(rr.Result().Cookies()) != 0 {
		e.t.Errorf("visits set a cookie: %v", rr.Result().Cookies())
	}
	if rr.Code >= 300 {
		return nil, rr.Code
	}
	var out visitOut
	m := jsonBody(e.t, rr)
	for _, k := range []string{"click_id", "ref", "expires", "attribution"} {
		if _, ok := m[k]; !ok {
			e.t.Errorf("visits answer %s lacks %q", rr.Body, k)
		}
	}
	if s, ok := m["click_id"].(string); ok {
		out.ClickID = &s
	}
	if s, ok := m["ref"].(string); ok {
		out.Ref = &s
	}
	if s, ok := m["expires"].(string); ok {
		out.Expires = &s
	}
	out.Attribution, _ = m["attribution"].(string)
	return &out, rr.Code
}

func TestVisitsRecordADirectLinkAsAClick(t *testing.T) {
	e := newEnv(t, Config{ClickFloodLimit: 2})
	e.set("acme", "cookie-days", "7")
	code := e.partner.Code

	v, status := e.visit(`{"code":"` + code + `","paid_ads":true}`)
	if status != http.StatusCreated || v.ClickID == nil || v.Ref == nil || *v.Ref != code || v.Expires == nil || v.Attribution != "last-click" {
		t.Fatalf("visit = %d %+v, want 201 with a click id, ref %s, expiry, last-click", status, v, code)
	}
	exp, err := time.Parse(time.RFC3339, *v.Expires)
	if want := e.clock.Now().Add(7 * 24 * time.Hour); err != nil || exp.Sub(want).Abs() > time.Second {
		t.Errorf("expires = %s, want %s (cookie lifetime 7 days)", *v.Expires, want)
	}
	// The click attributes a conversion by its id and carried paid_ads.
	e.clock.Add(time.Minute)
	rr := e.api("/api/v1/conversions", `{"order_id":"v1","customer_id":"c","amount":"10.00","click_id":"`+*v.ClickID+`"}`)
	if rr.Code != http.StatusCreated || jsonBody(t, rr)["attributed"] != true {
		t.Fatalf("conversion by the visit's click = %d %s", rr.Code, rr.Body)
	}
	id, _ := strconv.ParseUint(*v.ClickID, 10, 64)
	if conv := e.conversion("acme", "v1"); conv.Conversion.ClickID != id {
		t.Errorf("conversion click = %d, want %d", conv.Conversion.ClickID, id)
	}

	// Unknown codes and junk change nothing and put no error in a console.
	before := e.metric("affogato_clicks_recorded_total")
	for _, body := range []string{`{"code":"producthunt"}`, `{"code":"no such code!"}`, `{}`} {
		v, status := e.visit(body)
		if status != http.StatusOK || v.ClickID != nil || v.Ref != nil || v.Expires != nil {
			t.Errorf("visit %s = %d %+v, want 200 with nulls", body, status, v)
		}
	}
	// A bot is not counted, but keeps the (untracked) referral.
	v, status = e.visit(`{"code":"`+code+`"}`, "User-Agent", "Googlebot/2.1 (+http://www.google.com/bot.html)")
	if status != http.StatusOK || v.ClickID != nil || v.Ref == nil || *v.Ref != code {
		t.Errorf("bot visit = %d %+v, want 200 with ref and no click", status, v)
	}
	// The flood limit applies per IP: 2 a minute.
	for i := 0; i < 2; i++ {
		if _, status := e.visit(`{"code":"` + code + `"}`); status != http.StatusCreated {
			t.Errorf("visit %d in the minute = %d, want 201", i+1, status)
		}
	}
	if v, status := e.visit(`{"code":"` + code + `"}`); status != http.StatusOK || v.ClickID != nil {
		t.Errorf("visit over the flood limit = %d %+v, want 200 without a click", status, v)
	}
	if got := e.metric("affogato_clicks_recorded_total"); got != before+2 {
		t.Errorf("clicks recorded = +%v, want +2", got-before)
	}
	if rr := e.request(http.MethodPost, "/api/v1/visits", `not json`); rr.Code != http.StatusBadRequest {
		t.Errorf("malformed visit = %d, want 400", rr.Code)
	}
	rr = e.request(http.MethodOptions, "/api/v1/visits", "", "Origin", "http://shop.test", "Access-Control-Request-Method", "POST")
	if rr.Code != http.StatusNoContent || rr.Header().Get("Access-Control-Allow-Origin") != "*" ||
		rr.Header().Get("Access-Control-Allow-Methods") == "" || rr.Header().Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight = %d %v", rr.Code, rr.Header())
	}

	// A partner not approved: no referral at all.
	if _, err := e.st.SetPartnerStatus(e.admin, "acme", e.partner.ID, store.PartnerSuspended); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(2 * time.Minute)
	if v, status := e.visit(`{"code":"` + code + `"}`); status != http.StatusOK || v.ClickID != nil || v.Ref != nil {
		t.Errorf("visit for a suspended partner = %d %+v, want 200 with nulls", status, v)
	}
}

func TestRedirectTeachesTheLifetime(t *testing.T) {
	e := newEnv(t, Config{})
	e.set("acme", "cookie-days", "7")
	rr := e.request(http.MethodGet, "/r/"+e.partner.Code, "", "User-Agent", browserUA)
	loc, _ := url.Parse(rr.Header().Get("Location"))
	exp, err := strconv.ParseInt(loc.Query().Get("aff_exp"), 10, 64)
	if want := e.clock.Now().Add(7 * 24 * time.Hour).Unix(); err != nil || exp < want-1 || exp > want+1 {
		t.Errorf("Location %s: aff_exp = %q, want %d", loc, loc.Query().Get("aff_exp"), want)
	}
	if loc.Query().Has("aff_first") {
		t.Errorf("Location %s of a last-click program has aff_first", loc)
	}
	var maxAge int
	for _, c := range rr.Result().Cookies() {
		if c.Name == "aff_ref" {
			maxAge = c.MaxAge
		}
	}
	if maxAge != 7*86400 {
		t.Errorf("aff_ref Max-Age = %d, want %d", maxAge, 7*86400)
	}
	e.set("acme", "attribution", "first-click")
	rr = e.request(http.MethodGet, "/r/"+e.partner.Code, "", "User-Agent", browserUA)
	loc, _ = url.Parse(rr.Header().Get("Location"))
	if loc.Query().Get("aff_first") != "1" {
		t.Errorf("Location %s of a first-click program lacks aff_first=1", loc)
	}
}

func TestConversionTimeAhead(t *testing.T) {
	e := newEnv(t, Config{})
	for _, at := range []string{"2099-01-01T00:00:00Z", e.clock.Now().Add(6 * time.Minute).Format(time.RFC3339)} {
		rr := e.api("/api/v1/conversions", `{"order_id":"f","customer_id":"c","amount":"10.00","occurred_at":"`+at+`"}`)
		if rr.Code != http.StatusUnprocessableEntity || errorCode(t, rr) == "" {
			t.Errorf("occurred_at %s = %d %s, want 422", at, rr.Code, rr.Body)
		}
	}
	if n := e.conversionCount("acme"); n != 0 {
		t.Errorf("%d conversions stored, want 0", n)
	}
}

func TestScriptETagAndGzip(t *testing.T) {
	e := newEnv(t, Config{})
	plain := e.request(http.MethodGet, "/t.js", "")
	if plain.Code != http.StatusOK || !bytes.Equal(plain.Body.Bytes(), assets.TrackingScript()) || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("GET /t.js = %d, encoding %q", plain.Code, plain.Header().Get("Content-Encoding"))
	}
	tag := plain.Header().Get("ETag")
	if len(tag) < 10 || tag[0] != '"' {
		t.Fatalf("ETag = %q, want a strong tag", tag)
	}
	gz := e.request(http.MethodGet, "/t.js", "", "Accept-Encoding", "gzip, deflate, br")
	if gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("Vary") != "Accept-Encoding" || gz.Header().Get("ETag") == tag {
		t.Fatalf("gzip /t.js headers = %v", gz.Header())
	}
	gzLen := gz.Body.Len()
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(body, assets.TrackingScript()) {
		t.Fatalf("gunzipped t.js differs (%v)", err)
	}
	if gzLen >= plain.Body.Len() || strconv.Itoa(gzLen) != gz.Header().Get("Content-Length") {
		t.Errorf("gzip body %d bytes (Content-Length %s), plain %d", gzLen, gz.Header().Get("Content-Length"), plain.Body.Len())
	}
	if rr := e.request(http.MethodGet, "/t.js", "", "Accept-Encoding", "gzip;q=0"); rr.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got Content-Encoding %q", rr.Header().Get("Content-Encoding"))
	}
	for _, inm := range []string{tag, gz.Header().Get("ETag"), `"x", W/` + tag} {
		rr := e.request(http.MethodGet, "/t.js", "", "If-None-Match", inm)
		if rr.Code != http.StatusNotModified || rr.Body.Len() != 0 || rr.Header().Get("ETag") == "" {
			t.Errorf("If-None-Match %s = %d (%d bytes), want 304 with no body", inm, rr.Code, rr.Body.Len())
		}
	}
	if rr := e.request(http.MethodGet, "/t.js", "", "If-None-Match", `"other"`); rr.Code != http.StatusOK {
		t.Errorf("If-None-Match another tag = %d, want 200", rr.Code)
	}
}
