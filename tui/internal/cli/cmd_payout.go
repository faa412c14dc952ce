package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

func (e *cmdEnv) payoutCmd() *cobra.Command {
	c := &cobra.Command{Use: "payout", Short: "pay partners (merchant); partners: payout list shows your history"}
	create := &cobra.Command{
		Use:   "create SLUG",
		Short: "put every partner's approved balance above the minimum into a new batch",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			b, skipped, err := e.srv.Store.CreatePayoutBatch(e.id.Actor(), args[0])
			if err != nil {
				return about(err, "program %q", args[0])
			}
			if b == nil {
				return e.nobodyToPay(args[0], skipped)
			}
			if e.json {
				return e.printJSON(renderBatch(b, skipped))
			}
			e.printBatch(b)
			if len(skipped) > 0 {
				e.printf("\nNot in this batch:\n")
				e.printSkipped(skipped, b.Currency)
				e.printMinimumHint(b.Program, skipped, b.Currency)
			}
			e.printPayoutNext(b)
			return nil
		},
	}
	var pf pageFlags
	list := &cobra.Command{
		Use:   "list SLUG [--after BATCH]",
		Short: "list payout batches, newest first (partners: your own payouts; at most 1,000 a call)",
		Args:  nargs("SLUG"),
		RunE: func(c *cobra.Command, args []string) error {
			slug := args[0]
			if err := e.srv.Store.CanAdmin(e.id.Actor(), slug); err != nil {
				// Not a merchant of slug: a partner's own payout history.
				return e.partnerPayouts(slug)
			}
			bs, next, err := e.srv.Store.PayoutBatchesPage(e.id.Actor(), slug, pf.page())
			if err != nil {
				return about(err, "program %q", slug)
			}
			if e.json {
				out := make([]batchLineJSON, 0, len(bs))
				for _, b := range bs {
					out = append(out, batchLineJSON{Batch: b.ID, Status: b.Status, Total: store.FormatMoney(b.Total, b.Currency), Items: len(b.Items), Currency: b.Currency, Created: b.CreatedAt})
				}
				return printJSONList(e, out, next)
			}
			if len(bs) == 0 {
				e.printf("No payouts yet.\n")
				return nil
			}
			rows := make([][]string, 0, len(bs))
			for _, b := range bs {
				rows = append(rows, []string{strconv.FormatUint(b.ID, 10), b.CreatedAt.Format("2006-01-02"), b.Status, strconv.Itoa(len(b.Items)), money(b.Total, b.Currency)})
			}
			e.table([]string{"BATCH", "DATE", "STATUS", "ITEMS", "TOTAL"}, rows)
			e.printMore("payout list "+slug, next)
			return nil
		},
	}
	pf.register(list, store.MaxPage)
	c.AddCommand(create, list, e.payoutExportCmd(), e.payoutSendCmd(), e.payoutRefreshCmd(), e.payoutReconcileCmd(),
		e.payoutMarkPaidCmd())
	return c
}

// nobodyToPay reports a payout create that made no batch.
func (e *cmdEnv) nobodyToPay(slug string, skipped []store.Skipped) error {
	p, err := e.srv.Store.AdminProgram(e.id.Actor(), slug)
	if err != nil {
		return about(err, "program %q", slug)
	}
	empty := &store.PayoutBatch{Program: p.Slug, Currency: p.Currency}
	if e.json {
		j := renderBatch(empty, skipped)
		j.Batch, j.Status = nil, ""
		return e.printJSON(j)
	}
	e.printf("Nobody to pay in %s yet: no batch was created.\n", sanitize.Line(p.Slug))
	if len(skipped) > 0 {
		e.printf("\nLeft out:\n")
		e.printSkipped(skipped, p.Currency)
		e.printMinimumHint(p.Slug, skipped, p.Currency)
	}
	return nil
}

func (e *cmdEnv) printSkipped(skipped []store.Skipped, currency string) {
	rows := make([][]string, 0, len(skipped))
	for _, sk := range skipped {
		rows = append(rows, []string{strconv.FormatUint(sk.PartnerID, 10), sk.Name, money(sk.Balance, currency), sk.Reason})
	}
	e.table([]string{"PARTNER", "NAME", "BALANCE", "WHY"}, rows)
}

// partnerPayouts prints the actor's own payout history in a program.
func (e *cmdEnv) partnerPayouts(slug string) error {
	if _, err := e.srv.Store.Membership(e.id.Actor(), slug); err != nil {
		return about(err, "program %q", slug)
	}
	ps, err := e.srv.Store.PartnerPayouts(e.id.Actor(), slug)
	if err != nil {
		return about(err, "program %q", slug)
	}
	if e.json {
		out := make([]partnerPayoutJSON, 0, len(ps))
		for _, p := range ps {
			out = append(out, partnerPayoutJSON{Batch: p.BatchID, Program: p.Program, Status: p.Item.Status,
				Amount: store.FormatMoney(p.Item.Amount, p.Item.Currency), Currency: p.Item.Currency, Method: p.Item.Method, Date: p.Date})
		}
		return e.printJSON(out)
	}
	if len(ps) == 0 {
		e.printf("No payouts to you yet.\n")
		return nil
	}
	rows := make([][]string, 0, len(ps))
	for _, p := range ps {
		rows = append(rows, []string{p.Date.Format("2006-01-02"), strconv.FormatUint(p.BatchID, 10), money(p.Item.Amount, p.Item.Currency), p.Item.Method, p.Item.Status})
	}
	e.table([]string{"DATE", "BATCH", "AMOUNT", "METHOD", "STATUS"}, rows)
	return nil
}

func (e *cmdEnv) payoutExportCmd() *cobra.Command {
	var format string
	var part int
	c := &cobra.Command{
		Use:   "export BATCH --format paypal-csv|wise-csv [--part N]",
		Short: "write the batch as a CSV for PayPal Payouts or Wise batch payments to stdout",
		Long: "Writes the batch's CSV to stdout and marks the batch exported. When the provider's\n" +
			"file limit splits a batch, each file is one --part (stderr tells how many).",
		Args: nargs("BATCH"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseID(c, "BATCH", args[0])
			if err != nil {
				return err
			}
			if format != "paypal-csv" && format != "wise-csv" {
				return usageErr(c, "--format must be paypal-csv or wise-csv")
			}
			files, err := e.export(id, format)
			if err != nil {
				return err
			}
			if part < 1 || part > len(files) {
				return usageErr(c, fmt.Sprintf("--part must be from 1 to %d", len(files)))
			}
			f := files[part-1]
			if len(files) > 1 {
				fmt.Fprintf(e.errw, "file %d of %d (%s); get the others with --part N\n", part, len(files), f.Name)
			}
			if _, err := e.out.Write(f.Data); err != nil {
				return fmt.Errorf("write export: %w", err)
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "", "paypal-csv or wise-csv")
	c.Flags().IntVar(&part, "part", 1, "which file, when the export is split")
	return c
}

// export renders the batch's files and records the batch as exported,
// through the payouts service when there is one (it refuses batches being
// sent through an API).
func (e *cmdEnv) export(id uint64, format string) ([]payouts.File, error) {
	var files []payouts.File
	var err error
	if e.srv.Payouts != nil {
		files, _, err = e.srv.Payouts.Export(e.id.Actor(), id, format)
	} else {
		var b *store.PayoutBatch
		b, err = e.srv.Store.PayoutBatch(e.id.Actor(), id)
		if err == nil && b.Status != store.BatchCreated && b.Status != store.BatchExported {
			return nil, userErrf("batch %d is %s: only new or exported batches are exported", id, b.Status)
		}
		if err == nil {
			files, err = payouts.Export(b, format)
		}
		if err == nil && b.Status == store.BatchCreated {
			_, err = e.srv.Store.SetBatchStatus(e.id.Actor(), id, store.BatchExported, b.RemoteID, "")
		}
	}
	switch {
	case errors.Is(err, payouts.ErrNothingToExport):
		return nil, userErrf("batch %d has nothing left to pay by %s", id, strings.TrimSuffix(format, "-csv"))
	case errors.Is(err, payouts.ErrBusy):
		return nil, userErrf("batch %d is being worked on in another session; try again in a moment", id)
	case err != nil:
		return nil, about(err, "batch %d", id)
	case len(files) == 0:
		return nil, userErrf("batch %d has nothing to export", id)
	}
	return files, nil
}

func (e *cmdEnv) payoutSendCmd() *cobra.Command {
	return e.providerCmd("send BATCH", "pay the batch through the PayPal Payouts or Wise API (safe to run again)",
		"sending payouts is not configured on this server; export the batch instead", (*payouts.Service).Send, e.checkSendable)
}

func (e *cmdEnv) payoutRefreshCmd() *cobra.Command {
	return e.providerCmd("refresh BATCH", "ask PayPal / Wise how a sent batch is doing and record paid or failed items",
		"sending payouts is not configured on this server", (*payouts.Service).Refresh, nil)
}

func (e *cmdEnv) payoutReconcileCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "reconcile BATCH PAYPAL_PAYOUT_ID",
		Short: "link a batch PayPal accepted but whose answer was lost to its PayPal payout (the id from PayPal's activity page)",
		Args:  nargs("BATCH", "PAYPAL_PAYOUT_ID"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseID(c, "BATCH", args[0])
			if err != nil {
				return err
			}
			if e.srv.Payouts == nil {
				return userErrf("sending payouts is not configured on this server")
			}
			if _, err := e.srv.Store.PayoutBatch(e.id.Actor(), id); err != nil {
				return about(err, "batch %d", id)
			}
			b, err := e.srv.Payouts.ReconcilePayPal(c.Context(), e.id.Actor(), id, strings.TrimSpace(args[1]), e.progress)
			return e.batchResult(b, err, id)
		},
	}
}

// providerCmd is a payout command that talks to the batch's providers
// through the payouts service, reporting each item on stderr.
func (e *cmdEnv) providerCmd(use, short, unconfigured string,
	do func(*payouts.Service, context.Context, store.Actor, uint64, payouts.Progress) (*store.PayoutBatch, error),
	check func(*store.PayoutBatch) error) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  nargs("BATCH"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseID(c, "BATCH", args[0])
			if err != nil {
				return err
			}
			if e.srv.Payouts == nil {
				return userErrf("%s", unconfigured)
			}
			// Check access (and what the command needs) before any provider call.
			b, err := e.srv.Store.PayoutBatch(e.id.Actor(), id)
			if err != nil {
				return about(err, "batch %d", id)
			}
			if check != nil {
				if err := check(b); err != nil {
					return err
				}
			}
			b, err = do(e.srv.Payouts, c.Context(), e.id.Actor(), id, e.progress)
			return e.batchResult(b, err, id)
		},
	}
}

// progress reports payout work on stderr, one line per item.
func (e *cmdEnv) progress(done, total int, item store.PayoutItem, msg string) {
	if msg == "" {
		msg = item.Status
	}
	fmt.Fprintf(e.errw, "[%d/%d] %s %s: %s\n", done, total, sanitize.Line(item.Email), money(item.Amount, item.Currency), sanitize.Line(msg))
}

// batchResult prints a batch the payouts service returned (it may return
// one along with an error) and maps the error.
func (e *cmdEnv) batchResult(b *store.PayoutBatch, err error, id uint64) error {
	if errors.Is(err, payouts.ErrBusy) {
		return userErrf("batch %d is being worked on in another session; try again in a moment", id)
	}
	if b != nil {
		if e.json {
			if jerr := e.printJSON(renderBatch(b, nil)); jerr != nil {
				return jerr
			}
		} else {
			e.printBatch(b)
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrForbidden),
		errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrInvalid):
		return about(err, "batch %d", id)
	}
	// A provider's refusal or an outage: the merchant needs its words.
	return userErrf("batch %d: %s", id, sanitize.Line(trimBatchPrefix(err.Error())))
}

func (e *cmdEnv) payoutMarkPaidCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "mark-paid BATCH",
		Short: "record an exported batch as paid by hand",
		Args:  nargs("BATCH"),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := parseID(c, "BATCH", args[0])
			if err != nil {
				return err
			}
			b, err := e.srv.Store.MarkBatchPaid(e.id.Actor(), id)
			if err != nil {
				return about(err, "batch %d", id)
			}
			if e.json {
				return e.printJSON(renderBatch(b, nil))
			}
			e.printBatch(b)
			return nil
		},
	}
}

// printBatch prints a batch and its items for people.
func (e *cmdEnv) printBatch(b *store.PayoutBatch) {
	e.printf("Batch %d of %s: %s, %d items, total %s\n", b.ID, sanitize.Line(b.Program), b.Status, len(b.Items), money(b.Total, b.Currency))
	if b.Error != "" {
		e.printf("Error: %s\n", sanitize.Line(b.Error))
	}
	if len(b.Items) == 0 {
		return
	}
	rows := make([][]string, 0, len(b.Items))
	for _, it := range b.Items {
		rows = append(rows, []string{strconv.FormatUint(it.PartnerID, 10), it.Name, it.Email, it.Method, money(it.Amount, it.Currency), it.Status, it.Error})
	}
	e.printf("\n")
	e.table([]string{"PARTNER", "NAME", "PAY TO", "METHOD", "AMOUNT", "STATUS", "ERROR"}, rows)
}
