package tracker

import (
	"net/http"
	"strings"
	"testing"
)

func TestUnknownFieldsRefusedByName(t *testing.T) {
	e := newEnv(t, Config{})
	rr := e.api("/api/v1/conversions",
		`{"order_id":"o1","customer_id":"c1","amount":"10.00","clickId":"5","click-id":"5"}`)
	if rr.Code != http.StatusUnprocessableEntity || errorCode(t, rr) != codeInvalid {
		t.Fatalf("misspelt click id: %d %s, want 422", rr.Code, rr.Body)
	}
	for _, want := range []string{`unknown fields \"click-id\", \"clickId\"`, "click_id"} {
		if !strings.Contains(rr.Body.String(), want) {
			t.Errorf("answer %s lacks %s", rr.Body, want)
		}
	}
	if n := e.conversionCount("acme"); n != 0 {
		t.Fatalf("%d conversions written by a refused request", n)
	}
	// The order id is still free.
	if rr := e.api("/api/v1/conversions", `{"order_id":"o1","customer_id":"c1","amount":"10.00"}`); rr.Code != http.StatusCreated {
		t.Fatalf("after the refusal: %d %s", rr.Code, rr.Body)
	}
	rr = e.api("/api/v1/refunds", `{"refund_id":"r1","order_id":"o1","amount":"1.00","reason":"x"}`)
	if rr.Code != http.StatusUnprocessableEntity || !strings.Contains(rr.Body.String(), `unknown field \"reason\"`) {
		t.Fatalf("refund with an unknown field: %d %s, want 422 naming it", rr.Code, rr.Body)
	}
	if rr := e.api("/api/v1/refunds", `{"refund_id":"r1","order_id":"o1","amount":"1.00"}`); rr.Code != http.StatusCreated {
		t.Fatalf("refund after the refusal: %d %s", rr.Code, rr.Body)
	}
}

func TestUnknownClickIDWarns(t *testing.T) {
	e := newEnv(t, Config{})
	body := `{"order_id":"o1","customer_id":"c1","amount":"10.00","click_id":"424242"}`
	first := e.api("/api/v1/conversions", body)
	if first.Code != http.StatusCreated {
		t.Fatalf("unknown click: %d %s, want 201", first.Code, first.Body)
	}
	m := jsonBody(t, first)
	w, _ := m["warnings"].([]any)
	if len(w) != 1 || w[0] != "unknown click_id" || m["attributed"] != false {
		t.Fatalf("answer %s: want attributed false and warnings [\"unknown click_id\"]", first.Body)
	}
	again := e.api("/api/v1/conversions", body)
	if again.Code != http.StatusOK || again.Body.String() != first.Body.String() {
		t.Fatalf("repeat: %d %s, want 200 with the same body (warnings included)", again.Code, again.Body)
	}

	click := e.click(e.partner.Code)
	ok := e.api("/api/v1/conversions", `{"order_id":"o2","customer_id":"c2","amount":"10.00","click_id":"`+click+`"}`)
	if ok.Code != http.StatusCreated || !strings.Contains(ok.Body.String(), `"warnings":[]`) {
		t.Fatalf("known click: %d %s, want 201 with \"warnings\":[]", ok.Code, ok.Body)
	}
	ref := e.api("/api/v1/conversions", `{"order_id":"o3","customer_id":"c3","amount":"10.00","ref":"nosuchcode"}`)
	if ref.Code != http.StatusCreated || !strings.Contains(ref.Body.String(), `"warnings":["unknown ref"]`) {
		t.Fatalf("unknown ref: %d %s", ref.Code, ref.Body)
	}
}
