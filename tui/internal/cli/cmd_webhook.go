package cli

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/payouts/outbound"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// webhookJSON is webhook add (with the secret, shown only there) and
// webhook list (without it).
type webhookJSON struct {
	ID        uint64    `json:"id"`
	URL       string    `json:"url"`
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// deliveryJSON is one row of webhook deliveries.
type deliveryJSON struct {
	Seq        uint64    `json:"seq"`
	Time       time.Time `json:"time"`
	Event      string    `json:"event"`
	EventID    string    `json:"event_id"`
	WebhookID  uint64    `json:"webhook_id"`
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"status_code,omitempty"`
	Error      string    `json:"error,omitempty"`
	OK         bool      `json:"ok"`
	GaveUp     bool      `json:"gave_up,omitempty"`
}

func (e *cmdEnv) webhookCmd() *cobra.Command {
	c := &cobra.Command{Use: "webhook", Short: "outgoing webhooks: signed POSTs of program events to your endpoints (merchant)"}
	add := &cobra.Command{
		Use:   "add SLUG URL",
		Short: "add an endpoint; its signing secret is shown once",
		Long: "Events: " + strings.Join(store.EventTypes, ", ") + ".\n" +
			"Each is a POST of JSON {\"id\",\"type\",\"created\",\"data\"} with the header\n" +
			"Affogato-Signature: t=UNIX,v1=HEX(HMAC-SHA256(secret, \"UNIX.body\")).\n" +
			"A 2xx answer ends the delivery; anything else is retried with backoff for 24 hours.",
		Args: nargs("SLUG", "URL"),
		RunE: func(c *cobra.Command, args []string) error {
			slug, raw := args[0], strings.TrimSpace(args[1])
			if err := e.srv.Store.CanAdmin(e.id.Actor(), slug); err != nil {
				return about(err, "program %q", slug)
			}
			if err := store.ValidWebhookURL(raw); err != nil {
				return about(err, "webhook URL")
			}
			guard := outbound.New(outbound.Options{})
			if e.srv.Payouts != nil && e.srv.Payouts.Guard() != nil {
				guard = e.srv.Payouts.Guard()
			}
			ctx, cancel := context.WithTimeout(c.Context(), 10*time.Second)
			defer cancel()
			if _, err := guard.CheckURL(ctx, raw, true); err != nil {
				return userErrf("webhook URL refused: %s", sanitize.Line(err.Error()))
			}
			w, err := e.srv.Store.AddWebhook(e.id.Actor(), slug, raw)
			if err != nil {
				return about(err, "program %q", slug)
			}
			if e.json {
				return e.printJSON(webhookJSON{ID: w.ID, URL: w.URL, Secret: w.Secret, CreatedAt: w.CreatedAt})
			}
			e.printf("Webhook %d added: %s\n", w.ID, sanitize.Line(w.URL))
			e.printf("Signing secret (shown once, keep it secret): %s\n", w.Secret)
			e.printf("Check each request's Affogato-Signature header with it; see the deliveries with:\n    %s webhook deliveries %s\n",
				e.srv.sshHint(), slug)
			return nil
		},
	}
	list := &cobra.Command{
		Use:   "list SLUG",
		Short: "list a program's endpoints (secrets are not shown again)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			ws, err := e.srv.Store.ListWebhooks(e.id.Actor(), args[0])
			if err != nil {
				return about(err, "program %q", args[0])
			}
			out := make([]webhookJSON, 0, len(ws))
			for _, w := range ws {
				out = append(out, webhookJSON{ID: w.ID, URL: w.URL, CreatedAt: w.CreatedAt})
			}
			if e.json {
				return e.printJSON(out)
			}
			if len(out) == 0 {
				e.printf("No webhooks. Add one: %s webhook add %s https://…\n", e.srv.sshHint(), args[0])
				return nil
			}
			rows := make([][]string, 0, len(out))
			for _, w := range out {
				rows = append(rows, []string{strconv.FormatUint(w.ID, 10), w.URL, w.CreatedAt.Format("2006-01-02 15:04")})
			}
			e.table([]string{"ID", "URL", "ADDED"}, rows)
			return nil
		},
	}
	remove := &cobra.Command{
		Use:   "remove SLUG ID",
		Short: "remove an endpoint (events queued for it are dropped)",
		Args:  nargs("SLUG", "ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseID(c, "ID", args[1])
			if err != nil {
				return err
			}
			if err := e.srv.Store.RemoveWebhook(e.id.Actor(), args[0], id); err != nil {
				return about(err, "webhook %d of %q", id, args[0])
			}
			if e.json {
				return e.printJSON(map[string]any{"removed": id})
			}
			e.printf("Webhook %d removed.\n", id)
			return nil
		},
	}
	c.AddCommand(add, list, remove, e.webhookDeliveriesCmd())
	return c
}

func (e *cmdEnv) webhookDeliveriesCmd() *cobra.Command {
	var failed bool
	var after uint64
	c := &cobra.Command{
		Use:   "deliveries SLUG [--failed] [--after SEQ]",
		Short: "the delivery log, newest first: time, event, status code or error, attempt",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			const page = 1000
			ds, err := e.srv.Store.ListDeliveries(e.id.Actor(), args[0], failed, after, page)
			if err != nil {
				return about(err, "program %q", args[0])
			}
			out := make([]deliveryJSON, 0, len(ds))
			for _, d := range ds {
				out = append(out, deliveryJSON{Seq: d.Seq, Time: d.At, Event: d.EventType, EventID: d.EventID,
					WebhookID: d.WebhookID, Attempt: d.Attempt, StatusCode: d.StatusCode, Error: d.Error, OK: d.OK, GaveUp: d.GaveUp})
			}
			if e.json {
				var next uint64
				if len(out) == page {
					next = out[len(out)-1].Seq
				}
				return printJSONList(e, out, next)
			}
			if len(out) == 0 {
				e.printf("No deliveries.\n")
				return nil
			}
			rows := make([][]string, 0, len(out))
			for _, d := range out {
				result := strconv.Itoa(d.StatusCode)
				if d.Error != "" {
					result = d.Error
				}
				if d.GaveUp {
					result += " (gave up)"
				}
				rows = append(rows, []string{d.Time.UTC().Format("2006-01-02 15:04:05"), d.Event, d.EventID,
					strconv.FormatUint(d.WebhookID, 10), strconv.Itoa(d.Attempt), sanitize.Shorten(result, 80)})
			}
			e.table([]string{"TIME (UTC)", "EVENT", "ID", "WEBHOOK", "ATTEMPT", "RESULT"}, rows)
			if len(out) == page {
				e.printf("\nMore: %s webhook deliveries %s --after %d\n", e.srv.sshHint(), args[0], out[len(out)-1].Seq)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&failed, "failed", false, "only attempts that did not succeed")
	c.Flags().Uint64Var(&after, "after", 0, "continue after this row (its seq)")
	return c
}

// onOff renders a switch.
func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// scheduleWords describes a program's payout schedule.
func scheduleWords(p *store.Program) string {
	switch p.Schedule() {
	case store.ScheduleWeekly:
		return "weekly (Mondays 00:00 UTC)"
	case store.ScheduleMonthly:
		return "monthly (the 1st, 00:00 UTC)"
	}
	return "off"
}
