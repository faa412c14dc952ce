package payouts

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/store/sanitize"
)

// Export formats (SPEC 7: payout export BATCH --format …).
const (
	FormatPayPalCSV = "paypal-csv"
	FormatWiseCSV   = "wise-csv"
)

// Payout methods of an item (store.PayoutItem.Method).
const (
	MethodPayPal = "paypal"
	MethodWise   = "wise"
)

// Limits of the providers' upload formats.
const (
	// PayPalCSVMaxRows is the most rows PayPal's Payouts web upload takes in one file.
	PayPalCSVMaxRows = 5000
	// WiseCSVMaxRows is the most transfers Wise's batch payment takes in one file.
	WiseCSVMaxRows = 1000
	// PayPalNoteMax is the longest note PayPal keeps on a payout item.
	PayPalNoteMax = 400
	// WiseReferenceMax is the longest payment reference every Wise route
	// carries (USD over ACH keeps 10 characters; most others keep more).
	WiseReferenceMax = 10
)

// wiseCSVHeader is the header row of Wise's "send by email" batch template.
var wiseCSVHeader = []string{"name", "recipientEmail", "paymentReference", "receiverType",
	"amountCurrency", "amount", "sourceCurrency", "targetCurrency"}

// ErrNothingToExport means the batch has no unpaid item for the asked format.
var ErrNothingToExport = errors.New("nothing to export")

// File is one CSV file of an export, ready to be written or uploaded.
type File struct {
	Name string
	Data []byte
}

// Export writes the batch's unpaid items of the format's payout method as
// CSV files: "paypal-csv" takes the items paid by PayPal, "wise-csv" those
// paid by Wise, with the default note or reference. Items already sent, paid
// or failed are left out, so an export can never pay what the API is paying.
// It fails with ErrNothingToExport when no item fits.
func Export(b *store.PayoutBatch, format string) ([]File, error) {
	switch format {
	case FormatPayPalCSV:
		return ExportPayPalCSV(b, "")
	case FormatWiseCSV:
		return ExportWiseCSV(b, "")
	default:
		return nil, fmt.Errorf("export batch %d: unknown format %q (want %s or %s): %w",
			b.ID, format, FormatPayPalCSV, FormatWiseCSV, store.ErrInvalid)
	}
}

// DefaultNote is the PayPal item note an export or a send uses when none is given.
func DefaultNote(b *store.PayoutBatch) string {
	return fmt.Sprintf("Partner commission payout from %s (batch %d)", b.Program, b.ID)
}

// DefaultReference is the Wise payment reference used when none is given:
// short enough for every Wise route.
func DefaultReference(b *store.PayoutBatch) string {
	id := strconv.FormatUint(b.ID, 10)
	for _, ref := range []string{"Payout " + id, "Payout" + id, "P" + id} {
		if len(ref) <= WiseReferenceMax {
			return ref
		}
	}
	return id[len(id)-WiseReferenceMax:]
}

// ExportPayPalCSV writes PayPal Payouts web-upload files for the batch's
// unpaid PayPal items: no header; columns recipient email, amount,
// currency, customer id (the partner id), note, wallet PAYPAL. One currency
// per file and at most PayPalCSVMaxRows rows per file; files are named
// batch-ID-paypal-N.csv. An empty note means DefaultNote.
func ExportPayPalCSV(b *store.PayoutBatch, note string) ([]File, error) {
	if note == "" {
		note = DefaultNote(b)
	}
	note = truncateRunes(cleanText(note), PayPalNoteMax)
	items := exportable(b, MethodPayPal)
	if len(items) == 0 {
		return nil, fmt.Errorf("export batch %d as %s: no unpaid PayPal item: %w", b.ID, FormatPayPalCSV, ErrNothingToExport)
	}
	var rows []row
	for _, it := range items {
		cur := itemCurrency(b, it)
		amount, err := formatAmount(it, cur)
		if err != nil {
			return nil, fmt.Errorf("export batch %d: %w", b.ID, err)
		}
		if err := checkEmail(it); err != nil {
			return nil, fmt.Errorf("export batch %d: %w", b.ID, err)
		}
		rows = append(rows, row{currency: cur, fields: []string{
			it.Email, amount, cur, strconv.FormatUint(it.PartnerID, 10), note, "PAYPAL",
		}})
	}
	return writeFiles(b, "paypal", rows, PayPalCSVMaxRows, nil, false)
}

// ExportWiseCSV writes Wise batch-payment files ("send by email" template)
// for the batch's unpaid Wise items, with a header row, CRLF line ends, one
// source currency per file and at most WiseCSVMaxRows transfers per file;
// files are named batch-ID-wise-N.csv. Each partner is paid the item amount
// in the batch currency (amountCurrency "source"), converted to the target
// currency of their payout method. An empty reference means DefaultReference;
// a reference is at most WiseReferenceMax letters, digits, spaces or dashes.
func ExportWiseCSV(b *store.PayoutBatch, reference string) ([]File, error) {
	ref, err := wiseReference(b, reference)
	if err != nil {
		return nil, fmt.Errorf("export batch %d: %w", b.ID, err)
	}
	items := exportable(b, MethodWise)
	if len(items) == 0 {
		return nil, fmt.Errorf("export batch %d as %s: no unpaid Wise item: %w", b.ID, FormatWiseCSV, ErrNothingToExport)
	}
	var rows []row
	for _, it := range items {
		src := itemCurrency(b, it)
		amount, err := formatAmount(it, src)
		if err != nil {
			return nil, fmt.Errorf("export batch %d: %w", b.ID, err)
		}
		if err := checkEmail(it); err != nil {
			return nil, fmt.Errorf("export batch %d: %w", b.ID, err)
		}
		rows = append(rows, row{currency: src, fields: []string{
			recipientName(it), it.Email, ref, "PERSON", "source", amount, src, targetCurrency(b, it),
		}})
	}
	return writeFiles(b, "wise", rows, WiseCSVMaxRows, wiseCSVHeader, true)
}

// row is one CSV record and the currency its file is grouped by.
type row struct {
	currency string
	fields   []string
}

// writeFiles groups rows by currency (the batch currency first, then
// alphabetically, each group in item order) and splits each group into files
// of at most maxRows rows.
func writeFiles(b *store.PayoutBatch, kind string, rows []row, maxRows int, header []string, crlf bool) ([]File, error) {
	groups := map[string][]row{}
	var order []string
	for _, r := range rows {
		if _, ok := groups[r.currency]; !ok {
			order = append(order, r.currency)
		}
		groups[r.currency] = append(groups[r.currency], r)
	}
	sort.SliceStable(order, func(i, j int) bool {
		if (order[i] == b.Currency) != (order[j] == b.Currency) {
			return order[i] == b.Currency
		}
		return order[i] < order[j]
	})
	var files []File
	for _, cur := range order {
		g := groups[cur]
		for start := 0; start < len(g); start += maxRows {
			end := min(start+maxRows, len(g))
			var buf bytes.Buffer
			w := csv.NewWriter(&buf)
			w.UseCRLF = crlf
			if header != nil {
				if err := w.Write(header); err != nil {
					return nil, fmt.Errorf("write %s csv: %w", kind, err)
				}
			}
			for _, r := range g[start:end] {
				if err := w.Write(neutralizeRow(r.fields)); err != nil {
					return nil, fmt.Errorf("write %s csv: %w", kind, err)
				}
			}
			w.Flush()
			if err := w.Error(); err != nil {
				return nil, fmt.Errorf("write %s csv: %w", kind, err)
			}
			files = append(files, File{
				Name: fmt.Sprintf("batch-%d-%s-%d.csv", b.ID, kind, len(files)+1),
				Data: buf.Bytes(),
			})
		}
	}
	return files, nil
}

// exportable returns the batch's items of one payout method that nothing has
// paid or sent yet.
func exportable(b *store.PayoutBatch, method string) []store.PayoutItem {
	var out []store.PayoutItem
	for _, it := range b.Items {
		if it.Method == method && (it.Status == store.ItemPending || it.Status == "") {
			out = append(out, it)
		}
	}
	return out
}

// itemCurrency is the currency an item is paid from: its own, else the batch's.
func itemCurrency(b *store.PayoutBatch, it store.PayoutItem) string {
	if it.Currency != "" {
		return it.Currency
	}
	return b.Currency
}

// targetCurrency is the currency a Wise partner receives.
func targetCurrency(b *store.PayoutBatch, it store.PayoutItem) string {
	if it.Target != "" {
		return it.Target
	}
	return itemCurrency(b, it)
}

// formatAmount renders a positive amount with exactly the currency's
// decimals, refusing amounts the currency cannot carry (no silent rounding).
func formatAmount(it store.PayoutItem, currency string) (string, error) {
	if !store.ValidCurrency(currency) {
		return "", fmt.Errorf("item %d (partner %d): unknown currency %q", it.ID, it.PartnerID, currency)
	}
	if !it.Amount.IsPositive() {
		return "", fmt.Errorf("item %d (partner %d): amount %s is not positive", it.ID, it.PartnerID, it.Amount)
	}
	if !it.Amount.Equal(store.RoundMoney(it.Amount, currency)) {
		return "", fmt.Errorf("item %d (partner %d): amount %s has more decimals than %s allows",
			it.ID, it.PartnerID, it.Amount, currency)
	}
	return store.FormatMoney(it.Amount, currency), nil
}

// checkEmail makes sure the item has a plausible payout email.
func checkEmail(it store.PayoutItem) error {
	e := it.Email
	bad := e == "" || len(e) > 254 || strings.Count(e, "@") != 1 ||
		strings.HasPrefix(e, "@") || strings.HasSuffix(e, "@") ||
		strings.IndexFunc(e, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0
	if bad {
		return fmt.Errorf("item %d (partner %d): payout email %q is not an email address", it.ID, it.PartnerID, e)
	}
	// Hidden characters would pay an address other than the one shown.
	if err := store.CheckEmailText("payout email", e); err != nil {
		return fmt.Errorf("item %d (partner %d): %w; the partner must set it again (profile set)", it.ID, it.PartnerID, err)
	}
	return nil
}

// recipientName is the partner's name made safe for a spreadsheet, or
// their email when they gave no name.
func recipientName(it store.PayoutItem) string {
	name := strings.TrimLeft(cleanText(it.Name), "=+-@ ")
	if name == "" {
		return it.Email
	}
	return name
}

// wiseReference validates (or defaults) a Wise payment reference.
func wiseReference(b *store.PayoutBatch, ref string) (string, error) {
	if ref == "" {
		return DefaultReference(b), nil
	}
	if utf8.RuneCountInString(ref) > WiseReferenceMax {
		return "", fmt.Errorf("payment reference %q is longer than %d characters: %w", ref, WiseReferenceMax, store.ErrInvalid)
	}
	for _, r := range ref {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || r == '-')) {
			return "", fmt.Errorf("payment reference %q may hold only letters, digits, spaces and dashes: %w", ref, store.ErrInvalid)
		}
	}
	return ref, nil
}

// cleanText makes text typed by a user safe (store/sanitize) and trims it.
func cleanText(s string) string {
	return strings.TrimSpace(sanitize.Line(s))
}

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
