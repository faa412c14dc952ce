package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
)

// batchMethods says which payout methods the batch's unpaid items use.
func batchMethods(b *store.PayoutBatch) (paypal, wise bool) {
	for _, it := range b.Items {
		if it.Status == store.ItemPaid || it.Status == store.ItemFailed {
			continue
		}
		paypal = paypal || it.Method == payouts.MethodPayPal
		wise = wise || it.Method == payouts.MethodWise
	}
	return paypal, wise
}

// printPayoutNext prints the exact commands that pay a new batch: the CSV
// exports of the methods it uses and mark-paid, or payout send when the
// program has the API credentials those methods need.
func (e *cmdEnv) printPayoutNext(b *store.PayoutBatch) {
	pp, wise := batchMethods(b)
	if !pp && !wise {
		return
	}
	id := strconv.FormatUint(b.ID, 10)
	ssh := e.srv.sshHint()
	e.printf("\nNext, pay batch %s by hand: save the file, upload it to ", id)
	switch {
	case pp && wise:
		e.printf("PayPal Payouts and Wise batch payments")
	case pp:
		e.printf("PayPal Payouts")
	default:
		e.printf("Wise batch payments")
	}
	e.printf(", and once paid record it:\n")
	if pp {
		e.printf("    %s payout export %s --format paypal-csv > batch-%s-paypal.csv\n", ssh, id, id)
	}
	if wise {
		e.printf("    %s payout export %s --format wise-csv > batch-%s-wise.csv\n", ssh, id, id)
	}
	e.printf("    %s payout mark-paid %s\n", ssh, id)
	prog, err := e.srv.Store.AdminProgram(e.id.Actor(), b.Program)
	if err != nil || e.srv.Payouts == nil {
		return
	}
	if missing := missingCredentials(prog, pp, wise); len(missing) > 0 {
		e.printf("(payout send pays through the %s API once the program's %s %s set.)\n",
			providerWords(pp, wise), strings.Join(missing, " and "), ifThen(len(missing) > 1, "are", "is"))
		return
	}
	e.printf("Or pay it through the %s API (%s):\n    %s payout send %s\n", providerWords(pp, wise), baseURLWords(prog, pp, wise), ssh, id)
}

func providerWords(pp, wise bool) string {
	switch {
	case pp && wise:
		return "PayPal and Wise"
	case wise:
		return "Wise"
	}
	return "PayPal"
}

// missingCredentials names the program settings a send of these methods
// still needs.
func missingCredentials(p *store.Program, pp, wise bool) []string {
	var out []string
	sec := p.Secrets
	if pp && sec.PayPalClientID == "" {
		out = append(out, "paypal-client-id")
	}
	if pp && sec.PayPalSecret == "" {
		out = append(out, "paypal-secret")
	}
	if wise && sec.WiseToken == "" {
		out = append(out, "wise-token")
	}
	if wise && sec.WiseProfile == "" {
		out = append(out, "wise-profile")
	}
	return out
}

// baseURLWords says where a send goes: sandbox or live, per provider.
func baseURLWords(p *store.Program, pp, wise bool) string {
	var parts []string
	if pp {
		// PayPal's default is its sandbox.
		parts = append(parts, providerURLWords("PayPal", p.Secrets.PayPalBaseURL, payouts.PayPalSandboxURL, payouts.PayPalSandboxURL, payouts.PayPalLiveURL))
	}
	if wise {
		// Wise's default is live.
		parts = append(parts, providerURLWords("Wise", p.Secrets.WiseBaseURL, payouts.WiseLiveURL, payouts.WiseSandboxURL, payouts.WiseLiveURL))
	}
	return strings.Join(parts, "; ")
}

// providerURLWords says where one provider's sends go: set is the
// program's base URL setting ("" is the provider's default, def).
func providerURLWords(name, set, def, sandbox, live string) string {
	u := strings.TrimRight(set, "/")
	if u == "" {
		u = def
	}
	switch u {
	case sandbox:
		return name + " sandbox " + sandbox + ": no real money moves"
	case live:
		return "live " + name + " " + live + ": real money"
	}
	return name + " at " + u
}

// checkSendable refuses, before any provider call, a send that cannot
// work: a batch exported to be paid by hand, or missing credentials. Each
// refusal ends with the commands that fix it.
func (e *cmdEnv) checkSendable(b *store.PayoutBatch) error {
	id := strconv.FormatUint(b.ID, 10)
	ssh := e.srv.sshHint()
	if b.Status == store.BatchExported {
		return userErrf("batch %s was exported (payout export) to be paid by hand, so it is not sent through an API.\n"+
			"Once you have paid it, record that:\n    %s payout mark-paid %s", id, ssh, id)
	}
	if b.Status != store.BatchCreated && b.Status != store.BatchSending && b.Status != store.BatchSent {
		return nil // the service says what the status allows
	}
	prog, err := e.srv.Store.AdminProgram(e.id.Actor(), b.Program)
	if err != nil {
		return about(err, "program %q", b.Program)
	}
	pp, wise := batchMethods(b)
	missing := missingCredentials(prog, pp, wise)
	if len(missing) == 0 {
		return nil
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "batch %s pays by %s, and program %s lacks %s. Set them:\n", id, providerWords(pp, wise), prog.Slug, strings.Join(missing, " and "))
	for _, k := range missing {
		fmt.Fprintf(&msg, "    %s program set %s %s %s\n", ssh, prog.Slug, k, credentialPlaceholder[k])
	}
	if pp {
		if u := strings.TrimRight(prog.Secrets.PayPalBaseURL, "/"); u == "" || u == payouts.PayPalSandboxURL {
			fmt.Fprintf(&msg, "paypal-base-url is not set, so PayPal payouts go to the sandbox (%s): no real money moves. For live payouts also run:\n"+
				"    %s program set %s paypal-base-url %s\n", payouts.PayPalSandboxURL, ssh, prog.Slug, payouts.PayPalLiveURL)
		} else {
			fmt.Fprintf(&msg, "paypal-base-url is %s.\n", u)
		}
	}
	if wise {
		if u := strings.TrimRight(prog.Secrets.WiseBaseURL, "/"); u == "" || u == payouts.WiseLiveURL {
			fmt.Fprintf(&msg, "wise-base-url is not set, so Wise transfers go to live Wise (%s): real money. To test first, run:\n"+
				"    %s program set %s wise-base-url %s\n", payouts.WiseLiveURL, ssh, prog.Slug, payouts.WiseSandboxURL)
		} else {
			fmt.Fprintf(&msg, "wise-base-url is %s.\n", u)
		}
	}
	fmt.Fprintf(&msg, "Then send the batch:\n    %s payout send %s", ssh, id)
	return userErrf("%s", msg.String())
}

// credentialPlaceholder is what a credential hint shows for the value.
var credentialPlaceholder = map[string]string{
	"paypal-client-id": "YOUR_PAYPAL_CLIENT_ID",
	"paypal-secret":    "YOUR_PAYPAL_SECRET",
	"wise-token":       "YOUR_WISE_API_TOKEN",
	"wise-profile":     "YOUR_WISE_PROFILE_ID",
}

// printMinimumHint tells how to pay partners left out for being below the
// minimum payout: the setting that lowers it to the smallest such balance.
func (e *cmdEnv) printMinimumHint(slug string, skipped []store.Skipped, currency string) {
	var least *decimal.Decimal
	for i, sk := range skipped {
		if strings.HasPrefix(sk.Reason, "below the minimum payout") && (least == nil || sk.Balance.LessThan(*least)) {
			least = &skipped[i].Balance
		}
	}
	if least == nil {
		return
	}
	e.printf("To pay balances below the minimum too, lower it (then run payout create again):\n    %s program set %s min-payout %s\n",
		e.srv.sshHint(), slug, store.FormatMoney(*least, currency))
}

// batchPrefix matches the "send batch 3: " a payouts error starts with.
var batchPrefix = regexp.MustCompile(`^(?:(?:send|refresh|reconcile|export) batch \d+: )+`)

// trimBatchPrefix drops the payouts service's own "send batch N: " prefixes
// so a message names the batch once.
func trimBatchPrefix(msg string) string { return batchPrefix.ReplaceAllString(msg, "") }
