package cli_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tui"
	"github.com/affogato-sh/affogato/tui/internal/sshtest"
)

// Lists page with --after; the last row of a page that has a next one
// carries "next"; --limit 0 no longer means "everything".
func TestListPaging(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	alice := sshtest.NewKey(t, "alice")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	ts.OK(admin, "program", "create", "shop", "--name", "Shop", "--url", "https://shop.example", "--auto-approve")
	var j joinOut
	ts.OKJSON(alice, &j, "join", "shop", "--name", "Alice", "--email", "alice@example.com")
	const n = 7
	for i := range n {
		if _, _, err := ts.St.RecordConversion("shop", store.ConversionInput{OrderID: fmt.Sprintf("o%d", i),
			CustomerID: fmt.Sprintf("c%d", i), Amount: "10.00", Currency: "USD", Kind: "sale", Ref: j.Code}); err != nil {
			t.Fatal(err)
		}
	}
	type row struct {
		ID   uint64  `json:"id"`
		Next *uint64 `json:"next"`
	}
	for _, list := range [][]string{{"conversion", "list", "shop"}, {"commission", "list", "shop"}} {
		seen := map[uint64]bool{}
		args := append(list, "--limit", "3", "--json")
		for pages := 0; ; pages++ {
			var rows []row
			out := ts.OK(admin, args...)
			if err := json.Unmarshal([]byte(out), &rows); err != nil {
				t.Fatalf("%v: %v\n%s", args, err, out)
			}
			for i, r := range rows {
				if seen[r.ID] {
					t.Fatalf("%v: id %d twice", list, r.ID)
				}
				seen[r.ID] = true
				if r.Next != nil && i != len(rows)-1 {
					t.Fatalf("%v: next on a row that is not the last", list)
				}
			}
			last := rows[len(rows)-1]
			if last.Next == nil {
				break
			}
			if *last.Next != last.ID || pages > n {
				t.Fatalf("%v: next %d on row %d", list, *last.Next, last.ID)
			}
			args = append(list, "--limit", "3", "--json", "--after", fmt.Sprint(*last.Next))
		}
		if len(seen) != n {
			t.Errorf("%v: %d rows seen, want %d", list, len(seen), n)
		}
		out := ts.OK(admin, append(list, "--limit", "3")...)
		if !strings.Contains(out, "More: ") || !strings.Contains(out, "--after ") {
			t.Errorf("%v: text output without the next-page hint:\n%s", list, out)
		}
		var all []row
		if err := json.Unmarshal([]byte(ts.OK(admin, append(list, "--limit", "0", "--json")...)), &all); err != nil || len(all) != n || all[n-1].Next != nil {
			t.Errorf("%v --limit 0: %d rows, %v", list, len(all), err)
		}
	}
	var ps []map[string]any
	ts.OKJSON(admin, &ps, "partner", "list", "shop", "--after", "0")
	if len(ps) != 1 {
		t.Errorf("partner list = %v", ps)
	}
}
