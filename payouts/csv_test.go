package payouts

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/affogato-sh/affogato/store"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func item(id uint64, method, name, email, amount, cur, target string) store.PayoutItem {
	return store.PayoutItem{ID: id, PartnerID: 100 + id, Name: name, Email: email, Method: method,
		Currency: cur, Target: target, Amount: dec(amount), Status: store.ItemPending}
}

func testBatch(id uint64, cur string, items ...store.PayoutItem) *store.PayoutBatch {
	return &store.PayoutBatch{ID: id, Program: "acme", Currency: cur, Status: store.BatchCreated, Items: items,
		CreatedAt: time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)}
}

// golden compares files with testdata/<name>-<file>.golden.
func golden(t *testing.T, name string, files []File) {
	t.Helper()
	for _, f := range files {
		path := filepath.Join("testdata", name+"-"+f.Name+".golden")
		if *update {
			if err := os.WriteFile(path, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./payouts -run TestExport -update)", err)
		}
		if !bytes.Equal(f.Data, want) {
			t.Errorf("%s differs from %s:\n got %q\nwant %q", f.Name, path, f.Data, want)
		}
	}
}

func names(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name)
	}
	return out
}

func TestExportSimple(t *testing.T) {
	b := testBatch(12, "USD",
		item(1, MethodPayPal, "Ann Lee", "ann@x.test", "125.50", "USD", ""),
		item(2, MethodWise, "Bob Stone", "bob@y.test", "60.00", "USD", "EUR"),
		item(3, MethodPayPal, "Cy Young", "cy@x.test", "50", "USD", ""),
		item(4, MethodWise, "Di Moor", "di@y.test", "75.25", "USD", ""),
	)
	// Settled or in-flight items are never exported again.
	paid := item(5, MethodPayPal, "Paid Already", "paid@x.test", "99.00", "USD", "")
	paid.Status = store.ItemPaid
	sent := item(6, MethodWise, "Sent Already", "sent@y.test", "99.00", "USD", "")
	sent.Status = store.ItemSent
	b.Items = append(b.Items, paid, sent)

	pp, err := Export(b, FormatPayPalCSV)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(pp); len(got) != 1 || got[0] != "batch-12-paypal-1.csv" {
		t.Fatalf("paypal files = %v", got)
	}
	wantPP := "ann@x.test,125.50,USD,101,Partner commission payout from acme (batch 12),PAYPAL\n" +
		"cy@x.test,50.00,USD,103,Partner commission payout from acme (batch 12),PAYPAL\n"
	if string(pp[0].Data) != wantPP {
		t.Errorf("paypal csv:\n%s\nwant\n%s", pp[0].Data, wantPP)
	}
	golden(t, "simple", pp)

	w, err := Export(b, FormatWiseCSV)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(w); len(got) != 1 || got[0] != "batch-12-wise-1.csv" {
		t.Fatalf("wise files = %v", got)
	}
	wantW := "name,recipientEmail,paymentReference,receiverType,amountCurrency,amount,sourceCurrency,targetCurrency\r\n" +
		"Bob Stone,bob@y.test,Payout 12,PERSON,source,60.00,USD,EUR\r\n" +
		"Di Moor,di@y.test,Payout 12,PERSON,source,75.25,USD,USD\r\n"
	if string(w[0].Data) != wantW {
		t.Errorf("wise csv:\n%q\nwant\n%q", w[0].Data, wantW)
	}
	golden(t, "simple", w)
}

func TestExportQuoting(t *testing.T) {
	b := testBatch(7, "EUR",
		item(1, MethodPayPal, `Doe, "JJ" Jane`, "jane@x.test", "10.00", "EUR", ""),
		item(2, MethodWise, `Doe, "JJ" Jane`, "jane@y.test", "20.00", "EUR", "GBP"),
		item(3, MethodWise, "=HYPERLINK(\"http://evil\")\nX", "eve@y.test", "30.00", "EUR", ""),
	)
	pp, err := ExportPayPalCSV(b, `Thanks, "partner"`)
	if err != nil {
		t.Fatal(err)
	}
	want := `jane@x.test,10.00,EUR,101,"Thanks, ""partner""",PAYPAL` + "\n"
	if string(pp[0].Data) != want {
		t.Errorf("paypal csv = %q, want %q", pp[0].Data, want)
	}
	golden(t, "quoting", pp)
	w, err := ExportWiseCSV(b, "Aff 7")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(w[0].Data), "\r\n")
	if lines[1] != `"Doe, ""JJ"" Jane",jane@y.test,Aff 7,PERSON,source,20.00,EUR,GBP` {
		t.Errorf("quoted wise row = %q", lines[1])
	}
	// A formula-looking name is defused and newlines are dropped.
	if lines[2] != `"HYPERLINK(""http://evil"") X",eve@y.test,Aff 7,PERSON,source,30.00,EUR,EUR` {
		t.Errorf("defused wise row = %q", lines[2])
	}
	golden(t, "quoting", w)
}

func TestExportJPY(t *testing.T) {
	b := testBatch(3, "JPY",
		item(1, MethodPayPal, "Taro", "taro@x.test", "15000", "JPY", ""),
		item(2, MethodWise, "Hanako", "hanako@y.test", "7500", "JPY", "USD"),
	)
	pp, err := Export(b, FormatPayPalCSV)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(pp[0].Data), "taro@x.test,15000,JPY,101,") {
		t.Errorf("JPY paypal row = %q", pp[0].Data)
	}
	golden(t, "jpy", pp)
	w, err := Export(b, FormatWiseCSV)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(w[0].Data), "\r\nHanako,hanako@y.test,Payout 3,PERSON,source,7500,JPY,USD\r\n") {
		t.Errorf("JPY wise csv = %q", w[0].Data)
	}
	golden(t, "jpy", w)

	// An amount the currency cannot carry is refused, never rounded.
	bad := testBatch(4, "JPY", item(1, MethodPayPal, "Taro", "taro@x.test", "10.5", "JPY", ""))
	if _, err := Export(bad, FormatPayPalCSV); err == nil || !strings.Contains(err.Error(), "more decimals") {
		t.Errorf("JPY 10.5 err = %v", err)
	}
}

func TestExportSplitsFiles(t *testing.T) {
	var items []store.PayoutItem
	for i := uint64(1); i <= PayPalCSVMaxRows+1; i++ {
		items = append(items, item(i, MethodPayPal, fmt.Sprintf("P%d", i), fmt.Sprintf("p%d@x.test", i), "51.00", "USD", ""))
	}
	for i := uint64(PayPalCSVMaxRows + 2); i <= PayPalCSVMaxRows+2+WiseCSVMaxRows; i++ {
		items = append(items, item(i, MethodWise, fmt.Sprintf("W%d", i), fmt.Sprintf("w%d@y.test", i), "52.00", "USD", "EUR"))
	}
	b := testBatch(99, "USD", items...)

	pp, err := Export(b, FormatPayPalCSV)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(pp); strings.Join(got, " ") != "batch-99-paypal-1.csv batch-99-paypal-2.csv" {
		t.Fatalf("paypal files = %v", got)
	}
	first := strings.Split(strings.TrimSuffix(string(pp[0].Data), "\n"), "\n")
	if len(first) != PayPalCSVMaxRows {
		t.Errorf("first paypal file has %d rows", len(first))
	}
	note := "Partner commission payout from acme (batch 99)"
	if first[0] != "p1@x.test,51.00,USD,101,"+note+",PAYPAL" ||
		first[len(first)-1] != "p5000@x.test,51.00,USD,5100,"+note+",PAYPAL" {
		t.Errorf("first file first/last = %q / %q", first[0], first[len(first)-1])
	}
	if string(pp[1].Data) != "p5001@x.test,51.00,USD,5101,"+note+",PAYPAL\n" {
		t.Errorf("second paypal file = %q", pp[1].Data)
	}

	w, err := Export(b, FormatWiseCSV)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(w); strings.Join(got, " ") != "batch-99-wise-1.csv batch-99-wise-2.csv" {
		t.Fatalf("wise files = %v", got)
	}
	wl := strings.Split(strings.TrimSuffix(string(w[0].Data), "\r\n"), "\r\n")
	if len(wl) != 1+WiseCSVMaxRows || !strings.HasPrefix(wl[0], "name,recipientEmail,") {
		t.Errorf("first wise file: %d lines, header %q", len(wl), wl[0])
	}
	if wl[1] != "W5002,w5002@y.test,Payout 99,PERSON,source,52.00,USD,EUR" ||
		wl[len(wl)-1] != "W6001,w6001@y.test,Payout 99,PERSON,source,52.00,USD,EUR" {
		t.Errorf("first wise file first/last = %q / %q", wl[1], wl[len(wl)-1])
	}
	golden(t, "split", w[1:])
}

func TestExportGroupsCurrencies(t *testing.T) {
	b := testBatch(5, "USD",
		item(1, MethodPayPal, "A", "a@x.test", "60.00", "EUR", ""),
		item(2, MethodPayPal, "B", "b@x.test", "70.00", "USD", ""),
		item(3, MethodPayPal, "C", "c@x.test", "80.00", "CAD", ""),
	)
	files, err := Export(b, FormatPayPalCSV)
	if err != nil {
		t.Fatal(err)
	}
	var firsts []string
	for _, f := range files {
		firsts = append(firsts, strings.Split(string(f.Data), ",")[2])
	}
	if strings.Join(firsts, " ") != "USD CAD EUR" || len(files) != 3 {
		t.Errorf("currency files = %v (%v)", firsts, names(files))
	}
}

func TestExportErrors(t *testing.T) {
	onlyWise := testBatch(1, "USD", item(1, MethodWise, "A", "a@y.test", "60.00", "USD", ""))
	if _, err := Export(onlyWise, FormatPayPalCSV); !errors.Is(err, ErrNothingToExport) {
		t.Errorf("no paypal items: err = %v", err)
	}
	if _, err := Export(onlyWise, "xlsx"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("unknown format: err = %v", err)
	}
	if _, err := ExportWiseCSV(onlyWise, "much too long a reference"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("long reference: err = %v", err)
	}
	if _, err := ExportWiseCSV(onlyWise, "a;b"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad reference: err = %v", err)
	}
	badEmail := testBatch(1, "USD", item(1, MethodPayPal, "A", "not an email", "60.00", "USD", ""))
	if _, err := Export(badEmail, FormatPayPalCSV); err == nil {
		t.Error("bad email exported")
	}
	zero := testBatch(1, "USD", item(1, MethodPayPal, "A", "a@x.test", "0", "USD", ""))
	if _, err := Export(zero, FormatPayPalCSV); err == nil {
		t.Error("zero amount exported")
	}
	long := testBatch(1, "USD", item(1, MethodPayPal, "A", "a@x.test", "60.00", "USD", ""))
	files, err := ExportPayPalCSV(long, strings.Repeat("é", 500))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(files[0].Data), "é"); n != PayPalNoteMax {
		t.Errorf("note kept %d characters, want %d", n, PayPalNoteMax)
	}
}

func TestDefaultReference(t *testing.T) {
	for id, want := range map[uint64]string{12: "Payout 12", 999: "Payout 999", 1234: "Payout1234",
		123456: "P123456", 12345678901: "2345678901"} {
		got := DefaultReference(&store.PayoutBatch{ID: id})
		if got != want || len(got) > WiseReferenceMax {
			t.Errorf("DefaultReference(%d) = %q, want %q", id, got, want)
		}
	}
}

func TestIDs(t *testing.T) {
	b := testBatch(12, "USD")
	if got := SenderBatchID(b); got != "affogato-acme-12-20250301T093000Z" {
		t.Errorf("SenderBatchID = %q", got)
	}
	if got := SenderItemID(12, 3); got != "12-3" {
		t.Errorf("SenderItemID = %q", got)
	}
	u1, u2 := WiseTransactionID(b, 1), WiseTransactionID(b, 1)
	if u1 != u2 || u1 == WiseTransactionID(b, 2) {
		t.Errorf("WiseTransactionID not stable per item: %s %s %s", u1, u2, WiseTransactionID(b, 2))
	}
	other := testBatch(12, "USD")
	other.CreatedAt = other.CreatedAt.Add(time.Nanosecond)
	if WiseTransactionID(other, 1) == u1 {
		t.Error("batches created at other times share a transaction id")
	}
	if len(u1) != 36 || u1[14] != '5' || !strings.ContainsRune("89ab", rune(u1[19])) {
		t.Errorf("%s is not a version 5 UUID", u1)
	}
	// RFC 9562 appendix A test vector: v5 of "www.example.com" in the DNS namespace.
	if got := uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"); got != "2ed6657d-e927-568b-95e1-2665a8aea6a2" {
		t.Errorf("uuidV5 test vector = %s", got)
	}
}
