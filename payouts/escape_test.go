package payouts

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/affogato-sh/affogato/store/sanitize/sanitizetest"
)

// Every escape-sequence class of the one table, in the partner name, the
// payout address and the note, never reaches an exported CSV.
func TestCSVCarriesNoEscapes(t *testing.T) {
	for _, c := range sanitizetest.Classes {
		evil := "x" + c.S + "y"
		b := testBatch(5, "USD",
			item(1, MethodPayPal, "Eve"+evil, "eve"+evil+"@x.test", "10.00", "USD", ""),
			item(2, MethodWise, "Eve"+evil, "eve"+evil+"@x.test", "10.00", "USD", "EUR"))
		pp, err := ExportPayPalCSV(b, "Note"+evil)
		if err == nil {
			for _, f := range pp {
				if d := sanitizetest.Dirty(f.Data); d != "" {
					t.Errorf("%s: PayPal CSV %q: %s", c.Name, f.Data, d)
				}
			}
		}
		w, err := ExportWiseCSV(b, "")
		if err == nil {
			for _, f := range w {
				if d := sanitizetest.Dirty(f.Data); d != "" {
					t.Errorf("%s: Wise CSV %q: %s", c.Name, f.Data, d)
				}
			}
		}
	}
}

// Every class in a provider's error fields (PayPal and Wise) is gone from
// the error text the batch records and screens show.
func TestProviderErrorsCarryNoEscapes(t *testing.T) {
	for _, c := range sanitizetest.Classes {
		evil := "x" + c.S + "y"
		pp, _ := json.Marshal(map[string]any{"name": "ERR" + evil, "message": "msg" + evil, "debug_id": "d" + evil,
			"details": []map[string]string{{"field": "f" + evil, "issue": "i" + evil, "description": "d" + evil}}})
		wise, _ := json.Marshal(map[string]any{"errors": []map[string]string{{"code": "c" + evil, "message": "m" + evil, "path": "p" + evil}}})
		for _, body := range [][]byte{pp, wise} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
				w.Write(body)
			}))
			p, err := NewPayPalClient(srv.URL, "id", "secret", loopbackGuard(0).Client())
			if err != nil {
				t.Fatal(err)
			}
			_, perr := p.CreatePayout(context.Background(), ppRequest("b-1", 1))
			wc, err := NewWiseClient(srv.URL, "tok", "12", loopbackGuard(0).Client())
			if err != nil {
				t.Fatal(err)
			}
			_, werr := wc.Transfer(context.Background(), 1)
			srv.Close()
			for _, e := range []error{perr, werr} {
				if e == nil {
					t.Fatalf("%s: no error", c.Name)
				}
				if d := sanitizetest.Dirty([]byte(e.Error())); d != "" {
					t.Errorf("%s: error %q: %s", c.Name, e, d)
				}
			}
		}
	}
}
