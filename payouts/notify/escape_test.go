package notify

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"testing"
	"time"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize/sanitizetest"
)

// Every escape-sequence class of the one table, in every text an email
// carries (recipient name, program name, partner name, email and code,
// amounts and currency, payout address), is gone from the email as a mail
// client decodes it: headers and body.
func TestEmailsCarryNoEscapes(t *testing.T) {
	from := &mail.Address{Name: "affogato", Address: "noreply@aff.test"}
	for _, c := range sanitizetest.Classes {
		evil := "x" + c.S + "y"
		u := &store.User{ID: 1, Name: "Ann" + evil, Email: "ann@x.test"}
		prog := &store.Program{Slug: "shop", Name: "Shop" + evil}
		data := map[string]any{
			store.MailPartnerApplied:     store.PartnerEvent{Program: "shop", PartnerID: 2, Name: "Eve" + evil, Email: "eve" + evil + "@x.test", Code: "c" + evil},
			store.MailPartnerApproved:    store.PartnerEvent{Program: "shop", PartnerID: 2, Name: "Eve" + evil, Code: "c" + evil},
			store.MailPartnerRejected:    store.PartnerEvent{Program: "shop", PartnerID: 2},
			store.MailCommissionApproved: store.CommissionEvent{Program: "shop", ID: 3, Amount: "1" + evil, Currency: "USD" + evil},
			store.MailPayoutSent:         store.PayoutItemMail{Program: "shop", Batch: 4, Amount: "5" + evil, Currency: "EUR" + evil, Method: "paypal", Email: "p" + evil + "@x.test"},
			store.MailPayoutPaid:         store.PayoutItemMail{Program: "shop", Batch: 4, Amount: "5", Currency: "EUR", Method: "wise", Email: "p" + evil + "@x.test"},
		}
		for typ, d := range data {
			raw, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			m := store.OutboxMessage{ID: 9, Kind: store.DeliverEmail, Program: "shop", UserID: 1,
				Event: store.Event{ID: "evt", Type: typ, Data: raw}}
			msg, err := compose(m, u, prog, SSHHint("aff.test:23234"), "https://aff.test")
			if err != nil {
				t.Fatalf("%s %s: %v", c.Name, typ, err)
			}
			out := msg.Bytes(from, "id1", time.Unix(0, 0))
			if d := sanitizetest.Dirty(out); d != "" {
				t.Errorf("%s %s: raw message: %s", c.Name, typ, d)
			}
			parsed, err := mail.ReadMessage(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", c.Name, typ, err, out)
			}
			var dec mime.WordDecoder
			for _, h := range []string{"Subject", "To", "From"} {
				v, err := dec.DecodeHeader(parsed.Header.Get(h))
				if err != nil {
					t.Fatalf("%s %s: header %s: %v", c.Name, typ, h, err)
				}
				if d := sanitizetest.Dirty([]byte(v)); d != "" {
					t.Errorf("%s %s: header %s %q: %s", c.Name, typ, h, v, d)
				}
			}
			body, err := io.ReadAll(quotedprintable.NewReader(parsed.Body))
			if err != nil {
				t.Fatalf("%s %s: body: %v", c.Name, typ, err)
			}
			if d := sanitizetest.Dirty(body); d != "" {
				t.Errorf("%s %s: body %q: %s", c.Name, typ, body, d)
			}
		}
	}
}
