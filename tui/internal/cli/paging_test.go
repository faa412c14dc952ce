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
	clickRef(t, ts.St, j.Code)
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

// Lists in memory (links, coupons, programs) page by name.
func TestNamePaging(t *testing.T) {
	admin := sshtest.NewKey(t, "admin")
	alice := sshtest.NewKey(t, "alice")
	ts := sshtest.Start(t, func(c *tui.Config) { c.AdminKeys = []string{admin.Pub} })
	for _, slug := range []string{"p-c", "p-a", "p-b"} {
		ts.OK(admin, "program", "create", slug, "--name", "P", "--url", "https://p.example", "--auto-approve")
	}
	ts.OK(alice, "join", "p-a", "--name", "Alice", "--email", "alice@example.com")
	for _, code := range []string{"code-3", "code-1", "code-2"} {
		ts.OK(alice, "link", "create", "p-a", code)
		ts.OK(admin, "coupon", "add", "p-a", code, "alice@example.com")
	}
	type row struct {
		Slug string  `json:"slug"`
		Code string  `json:"code"`
		Next *string `json:"next"`
	}
	walk := func(k sshtest.Key, args []string, key func(row) string) []string {
		t.Helper()
		var got []string
		after := ""
		for range 10 {
			a := append(append([]string{}, args...), "--limit", "2", "--json")
			if after != "" {
				a = append(a, "--after", after)
			}
			var rows []row
			if err := json.Unmarshal([]byte(ts.OK(k, a...)), &rows); err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				got = append(got, key(r))
			}
			if len(rows) == 0 || rows[len(rows)-1].Next == nil {
				return got
			}
			after = *rows[len(rows)-1].Next
		}
		t.Fatalf("%v: no end", args)
		return nil
	}
	slugs := walk(admin, []string{"program", "list"}, func(r row) string { return r.Slug })
	if strings.Join(slugs, ",") != "p-a,p-b,p-c" {
		t.Errorf("program list pages = %v", slugs)
	}
	links := walk(alice, []string{"link", "list", "p-a"}, func(r row) string { return r.Code })
	coupons := walk(admin, []string{"coupon", "list", "p-a"}, func(r row) string { return r.Code })
	if len(links) != 4 || strings.Join(coupons, ",") != "CODE-1,CODE-2,CODE-3" {
		t.Errorf("links %v, coupons %v", links, coupons)
	}
}
