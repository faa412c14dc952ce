package notify

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// SSHHint returns the ssh command users reach a server at HOST:PORT with,
// optionally as a program's user: "ssh -p 23234 acme@host"
// (store.SSHCommand, as the dashboard and the commands print it).
func SSHHint(hostport string) func(user string) string {
	return func(user string) string { return store.SSHCommand(hostport, user) }
}

// compose writes the mail for an outbox message: plain text, the program's
// name in the subject, the exact ssh command to look at it in the body.
func compose(m store.OutboxMessage, u *store.User, prog *store.Program, ssh func(string) string, publicURL string) (*Message, error) {
	if ssh == nil {
		ssh = SSHHint("localhost:23234")
	}
	name := sanitize.Line(prog.Name)
	slug := prog.Slug
	msg := &Message{To: mail.Address{Name: sanitize.Line(u.Name), Address: u.Email}}
	hello := "Hello " + sanitize.Line(u.Name) + ",\n\n"
	sign := "\n-- \naffogato, for " + name + "\nTo stop these emails: " + ssh("") + " profile set notifications off\n"
	switch m.Event.Type {
	case store.MailPartnerApplied:
		var p store.PartnerEvent
		if err := json.Unmarshal(m.Event.Data, &p); err != nil {
			return nil, fmt.Errorf("decode %s: %w", m.Event.Type, err)
		}
		who := sanitize.Line(p.Name)
		msg.Subject = fmt.Sprintf("[%s] New partner application: %s", name, who)
		msg.Body = hello + fmt.Sprintf("%s <%s> applied to join %s and waits for your review.\n\n"+
			"See who is waiting:\n    %s partner list %s --status pending\n"+
			"Approve or reject:\n    %s partner approve %s %d\n    %s partner reject %s %d\n",
			who, sanitize.Line(p.Email), name, ssh(""), slug, ssh(""), slug, p.PartnerID, ssh(""), slug, p.PartnerID) + sign
	case store.MailPartnerApproved:
		var p store.PartnerEvent
		if err := json.Unmarshal(m.Event.Data, &p); err != nil {
			return nil, fmt.Errorf("decode %s: %w", m.Event.Type, err)
		}
		msg.Subject = fmt.Sprintf("[%s] You are approved as a partner", name)
		msg.Body = hello + fmt.Sprintf("Your application to %s was approved.\n\nYour referral link:\n    %s/r/%s\n\n"+
			"Open your partner dashboard:\n    %s\nYour links:\n    %s link list %s\n",
			name, strings.TrimRight(publicURL, "/"), sanitize.Line(p.Code), ssh(slug), ssh(""), slug) + sign
	case store.MailPartnerRejected:
		msg.Subject = fmt.Sprintf("[%s] Your partner application was not approved", name)
		msg.Body = hello + fmt.Sprintf("Your application to %s was not approved.\n\nSee the program:\n    %s\n", name, ssh(slug)) + sign
	case store.MailCommissionApproved:
		var c store.CommissionEvent
		if err := json.Unmarshal(m.Event.Data, &c); err != nil {
			return nil, fmt.Errorf("decode %s: %w", m.Event.Type, err)
		}
		msg.Subject = fmt.Sprintf("[%s] Commission approved: %s %s", name, c.Amount, c.Currency)
		msg.Body = hello + fmt.Sprintf("Your commission %d of %s %s in %s is approved and counts toward your next payout.\n\n"+
			"See your commissions:\n    %s commission list %s --status approved\n",
			c.ID, c.Amount, c.Currency, name, ssh(""), slug) + sign
	case store.MailPayoutSent, store.MailPayoutPaid:
		var p store.PayoutItemMail
		if err := json.Unmarshal(m.Event.Data, &p); err != nil {
			return nil, fmt.Errorf("decode %s: %w", m.Event.Type, err)
		}
		verb, what := "sent", "is on its way"
		if m.Event.Type == store.MailPayoutPaid {
			verb, what = "paid", "was paid"
		}
		method := "PayPal"
		if p.Method == "wise" {
			method = "Wise"
		}
		msg.Subject = fmt.Sprintf("[%s] Payout %s: %s %s", name, verb, p.Amount, p.Currency)
		msg.Body = hello + fmt.Sprintf("Your payout of %s %s from %s %s (%s, to %s).\n\n"+
			"See your payouts:\n    %s payout list %s\n",
			p.Amount, p.Currency, name, what, method, sanitize.Line(p.Email), ssh(""), slug) + sign
	default:
		return nil, fmt.Errorf("no mail for %q", m.Event.Type)
	}
	return msg, nil
}
