package payouts

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/store"
)

func TestNeutralizeCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"ann@x.test":              "ann@x.test",
		"=1+1":                    "'=1+1",
		"+1@x.test":               "'+1@x.test",
		"-2@x.test":               "'-2@x.test",
		"@SUM(A1)":                "'@SUM(A1)",
		"\t=cmd":                  "'\t=cmd",
		"\r=cmd":                  "'\r=cmd",
		"＝1":                      "'＝1",
		"10.00":                   "10.00",
		"Partner payout (=50)":    "Partner payout (=50)",
		"=HYPERLINK(\"http://\")": "'=HYPERLINK(\"http://\")",
	} {
		if got := NeutralizeCell(in); got != want {
			t.Errorf("NeutralizeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// A payout address stored before addresses were validated, starting with a
// formula character, reaches every export neutralised.
func TestExportNeutralizesFormulaCells(t *testing.T) {
	for _, email := range []string{"=1+cmd@x.test", "+x@x.test", "-x@x.test"} {
		b := testBatch(9, "USD",
			item(1, MethodPayPal, "Eve", email, "10.00", "USD", ""),
			item(2, MethodWise, "Eve", email, "10.00", "USD", ""))
		for _, export := range []func(*store.PayoutBatch) ([]File, error){
			func(b *store.PayoutBatch) ([]File, error) { return ExportPayPalCSV(b, "") },
			func(b *store.PayoutBatch) ([]File, error) { return ExportWiseCSV(b, "") },
		} {
			files, err := export(b)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(strings.NewReader(string(files[0].Data))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range recs {
				for _, cell := range rec {
					if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
						t.Errorf("%s: cell %q starts a formula", files[0].Name, cell)
					}
				}
			}
		}
	}
}

func FuzzNeutralizeCell(f *testing.F) {
	for _, s := range []string{"", "=1", "+1", "-1", "@a", "\t=1", "\r=1", "＝1", "ann@x.test", "'=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := NeutralizeCell(s)
		if got != "" && strings.ContainsRune("=+-@\t\r\n", rune(got[0])) {
			t.Fatalf("NeutralizeCell(%q) = %q starts a formula", s, got)
		}
		if got != s && got != "'"+s {
			t.Fatalf("NeutralizeCell(%q) = %q changed more than a prefix", s, got)
		}
		if NeutralizeCell(got) != got {
			t.Fatalf("NeutralizeCell not idempotent on %q", s)
		}
	})
}
