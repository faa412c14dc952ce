package tracker

import (
	"net/http"
	"strings"
	"testing"
)

// The outbox depth is a metric: a conversion with a webhook endpoint queues
// conversion.created and commission.created.
func TestOutboxMetric(t *testing.T) {
	e := newEnv(t, Config{})
	gauge := func() string {
		rr := e.request(http.MethodGet, "/metrics", "")
		for _, l := range strings.Split(rr.Body.String(), "\n") {
			if strings.HasPrefix(l, "affogato_outbox_pending ") {
				return l
			}
		}
		return "missing"
	}
	if g := gauge(); g != "affogato_outbox_pending 0" {
		t.Fatalf("before: %s", g)
	}
	if _, err := e.st.AddWebhook(e.admin, "acme", "https://hooks.acme.test/in"); err != nil {
		t.Fatal(err)
	}
	e.click(e.partner.Code)
	if rr := e.api("/api/v1/conversions", `{"order_id":"w1","customer_id":"c","amount":"5.00","ref":"`+e.partner.Code+`"}`); rr.Code != http.StatusCreated {
		t.Fatalf("conversion: %d %s", rr.Code, rr.Body)
	}
	if g := gauge(); g != "affogato_outbox_pending 2" {
		t.Fatalf("after: %s", g)
	}
}
