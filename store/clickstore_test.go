package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/affogato-sh/affogato/store/testclock"
)

func TestClickRecordIsCompactAndRoundTrips(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	in := ClickInput{Program: "acme", PartnerID: p.ID, Code: p.Code, Sub: "spring \"sale\" é", IP: mustAddr("203.0.113.7"), PaidAds: true}
	want, err := e.st.RecordClick(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	plain := e.click(p, "203.0.113.8")
	e.st.seeClicks() // the journal's applier stores them (journal.go)
	err = e.st.db.View(func(tx *bolt.Tx) error {
		for _, w := range []*Click{want, plain} {
			raw := tx.Bucket(bClicks).Get(u64(w.ID))
			if len(raw) != clickV1Len || raw[0] != clickV1 {
				t.Errorf("click %d stored as %d bytes, version %d; want %d bytes, version 1", w.ID, len(raw), first(raw), clickV1Len)
			}
			got, err := clickTx(tx, w.ID)
			if err != nil {
				return err
			}
			if got.ID != w.ID || got.Program != w.Program || got.PartnerID != w.PartnerID || got.Code != w.Code ||
				got.Sub != w.Sub || got.IPHash != w.IPHash || got.PaidAds != w.PaidAds || !got.At.Equal(w.At) ||
				got.RecentFromIP != w.RecentFromIP {
				t.Errorf("read back %+v, wrote %+v", *got, *w)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The interned names survive a restart (the cache starts empty) and
	// are not interned twice.
	e.restart()
	c := e.click(p, "203.0.113.9")
	e.st.seeClicks()
	err = e.st.db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bNames).Stats().KeyN; n != 3 {
			t.Errorf("%d interned names, want 3 (program, code, sub)", n)
		}
		got, err := clickTx(tx, c.ID)
		if err == nil && (got.Program != "acme" || got.Code != p.Code || got.Sub != "") {
			t.Errorf("after restart: %+v", *got)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A name interned in a transaction that rolls back is not remembered.
func TestNamesRolledBackAreForgotten(t *testing.T) {
	e := newEnv(t)
	n := newNames()
	n.begin()
	_ = e.st.db.Update(func(tx *bolt.Tx) error {
		if _, err := n.idTx(tx, nameSub, "lost"); err != nil {
			t.Fatal(err)
		}
		return fmt.Errorf("roll back")
	})
	n.begin()
	var id uint32
	err := e.st.db.Update(func(tx *bolt.Tx) error {
		var err error
		if id, err = n.idTx(tx, nameSub, "lost"); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n.committed()
	if n.ids["slost"] != id {
		t.Fatalf("cache %v, want slost → %d", n.ids, id)
	}
	err = e.st.db.View(func(tx *bolt.Tx) error {
		name, err := nameTx(tx, nameSub, id)
		if name != "lost" {
			t.Errorf("name %d = %q, %v", id, name, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

type legacyFacts struct {
	Now       time.Time `json:"now"`
	LastClick uint64    `json:"last_click"`
	Partners  []uint64  `json:"partners"`
	Admin     uint64    `json:"admin"`
	Stats30   Stats     `json:"stats30"`
}

// openLegacy copies testdata/legacy-v0.db (written by the JSON click
// encoding, see testdata/gen_legacy.go.txt) into a fresh env.
func openLegacy(t *testing.T) (*env, legacyFacts) {
	t.Helper()
	var facts legacyFacts
	raw, err := os.ReadFile("testdata/legacy-v0.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &facts); err != nil {
		t.Fatal(err)
	}
	gz, err := os.Open("testdata/legacy-v0.db.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer gz.Close()
	zr, err := gzip.NewReader(gz)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: t.TempDir(), clk: testclock.New(facts.Now)}
	out, err := os.Create(filepath.Join(e.dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	out.Close()
	e.open()
	e.admin = Actor{UserID: facts.Admin, Admin: true}
	e.n = 100
	t.Cleanup(func() {
		e.check()
		e.st.Close()
	})
	return e, facts
}

func statsLine(st *Stats) string {
	return fmt.Sprintf("clicks %d unique %d conv %d revenue %s commission %s balance %+v days %d",
		st.Clicks, st.UniqueClicks, st.Conversions, st.Revenue, st.Commission, st.Balance, len(st.Daily))
}

// A database written by the JSON click encoding keeps working: check,
// stats, attribution by an old click id, the IP window rebuilt from old
// clicks, new clicks beside old ones, backup, purge and compaction.
func TestLegacyJSONClicksDatabase(t *testing.T) {
	e, facts := openLegacy(t)
	e.check()
	st, err := e.st.Stats(e.admin, "acme", 30)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statsLine(st), statsLine(&facts.Stats30); got != want {
		t.Fatalf("stats on the old database:\n got %s\nwant %s", got, want)
	}
	var old *Click
	err = e.st.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bClicks).Get(u64(facts.LastClick))
		if len(raw) == 0 || raw[0] != '{' {
			t.Fatalf("the fixture's clicks are not JSON: %q", raw)
		}
		var err error
		old, err = clickTx(tx, facts.LastClick)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if old.PartnerID != facts.Partners[0] || old.Program != "acme" || old.Code == "" {
		t.Fatalf("old click %+v", *old)
	}
	// The IP window was rebuilt from the JSON clicks of the last hour: the
	// burst of 25 clicks from 203.0.113.9 flags the next one.
	p0, err := e.st.PartnerStats(e.admin, "acme", facts.Partners[0], 30)
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Add(time.Minute)
	burst, err := e.st.RecordClick(context.Background(), ClickInput{Program: "acme", PartnerID: facts.Partners[0], Code: old.Code, IP: mustAddr("203.0.113.9")})
	if err != nil {
		t.Fatal(err)
	}
	if burst.RecentFromIP <= ipBurstLimit {
		t.Fatalf("IP window after reopening an old database: %d recent clicks, want > %d", burst.RecentFromIP, ipBurstLimit)
	}
	// An old click id still attributes (and carries its fraud facts).
	r := e.convert("acme", ConversionInput{OrderID: "new-1", CustomerID: "new-1", Amount: "50.00", ClickID: fmt.Sprint(old.ID)})
	if !r.Conversion.Attributed || r.Conversion.PartnerID != facts.Partners[0] || r.Conversion.ClickID != old.ID {
		t.Fatalf("conversion by an old click: %+v", r.Conversion)
	}
	if !strings.Contains(strings.Join(r.Commission.Flags, ","), FlagClickFlood) {
		t.Errorf("flags %v, want %s from the old click's IP count", r.Commission.Flags, FlagClickFlood)
	}
	// New clicks are compact, beside the old ones; attribution by a new one.
	fresh := e.click(&Partner{ID: facts.Partners[1], Program: "acme", Code: mustCode(t, e, facts.Partners[1])}, "198.51.100.200")
	e.clk.Add(time.Minute)
	r2 := e.convert("acme", ConversionInput{OrderID: "new-2", CustomerID: "new-2", Amount: "50.00", ClickID: fmt.Sprint(fresh.ID)})
	if r2.Conversion.PartnerID != facts.Partners[1] {
		t.Fatalf("conversion by a new click: %+v", r2.Conversion)
	}
	e.restart()
	e.check()
	after, err := e.st.PartnerStats(e.admin, "acme", facts.Partners[0], 30)
	if err != nil {
		t.Fatal(err)
	}
	if after.Clicks != p0.Clicks+1 {
		t.Errorf("partner clicks %d → %d, want +1", p0.Clicks, after.Clicks)
	}
	// A backup of the mixed database checks clean.
	var buf bytes.Buffer
	if _, err := e.st.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(backup, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	bst, err := OpenFile(backup, Options{Now: e.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	if vs, err := bst.Check(); err != nil || len(vs) != 0 {
		t.Fatalf("backup check: %v %v", vs, err)
	}
	bst.Close()
}

func mustCode(t *testing.T, e *env, partnerID uint64) string {
	t.Helper()
	var code string
	err := e.st.db.View(func(tx *bolt.Tx) error {
		var p Partner
		if err := get(tx.Bucket(bPartners), u64(partnerID), &p); err != nil {
			return err
		}
		code = p.Code
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func clickCount(t *testing.T, st *Store) int {
	t.Helper()
	var n int
	if err := st.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bClicks).Stats().KeyN; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// Migration (old records beside new), purge and compaction leave every
// figure as it was and every invariant holding.
func TestPurgeAndCompactKeepEveryFigure(t *testing.T) {
	e, facts := openLegacy(t)
	// reopen with a 30-day retention (the program's cookie lifetime)
	e.st.Close()
	st, err := Open(e.dir, Options{Now: e.clk.Now, ClickRetentionDays: 30})
	if err != nil {
		t.Fatal(err)
	}
	e.st = st
	code := mustCode(t, e, facts.Partners[2])
	p2 := &Partner{ID: facts.Partners[2], Program: "acme", Code: code}
	e.clk.Add(10 * 24 * time.Hour)
	for i := range 40 {
		e.click(p2, fmt.Sprintf("192.0.2.%d", i))
		e.clk.Add(20 * time.Hour)
	}
	e.convert("acme", ConversionInput{OrderID: "late", CustomerID: "late", Amount: "20.00", Ref: code})
	figures := func() string {
		var b strings.Builder
		for _, days := range []int{7, 30, 90, 3660} {
			st, err := e.st.Stats(e.admin, "acme", days)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(statsLine(st) + "\n")
			for _, id := range facts.Partners {
				ps, err := e.st.PartnerStats(e.admin, "acme", id, days)
				if err != nil {
					t.Fatal(err)
				}
				b.WriteString(statsLine(ps) + "\n")
			}
		}
		return b.String()
	}
	before := figures()
	total := clickCount(t, e.st)
	res, err := e.st.PurgeClicks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	left := clickCount(t, e.st)
	// the fixture's 265 clicks are older than the 30-day retention; of the
	// 40 new ones (20 h apart over 33 days) the first 4 are too; the late
	// ref conversion's click (env.refClick) stays
	if res.Clicks != 265+4 || left != total-res.Clicks || left != 37 {
		t.Fatalf("purged %d of %d clicks, %d left", res.Clicks, total, left)
	}
	if res.UniqueKeys == 0 {
		t.Errorf("no unique-click index entry of past days purged")
	}
	if after := figures(); after != before {
		t.Fatalf("figures changed by the purge:\nbefore\n%s\nafter\n%s", before, after)
	}
	again, err := e.st.PurgeClicks(context.Background())
	if err != nil || again.Clicks != 0 {
		t.Fatalf("second purge: %+v %v", again, err)
	}
	e.check()
	// A click within the cookie lifetime still attributes after the purge.
	recent := e.click(p2, "192.0.2.200")
	e.clk.Add(time.Hour)
	r := e.convert("acme", ConversionInput{OrderID: "after-purge", CustomerID: "after-purge", Amount: "10.00", ClickID: fmt.Sprint(recent.ID)})
	if r.Conversion.ClickID != recent.ID {
		t.Fatalf("after purge: %+v", r.Conversion)
	}
	before = figures()
	e.st.Close()
	src := filepath.Join(e.dir, DBFile)
	dst := filepath.Join(t.TempDir(), "compact.db")
	var calls int
	cres, err := Compact(src, dst, func(written, total int64) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if len(cres.Violations) != 0 || cres.DstBytes <= 0 || cres.Saved() < 0 || calls == 0 {
		t.Fatalf("compact: %+v, %d progress calls", cres, calls)
	}
	if _, err := Compact(src, dst, nil); err == nil {
		t.Fatal("compact over an existing file succeeded")
	}
	// the server works on the compacted copy with the same figures
	if err := os.Rename(dst, src); err != nil {
		t.Fatal(err)
	}
	e.open()
	if after := figures(); after != before {
		t.Fatalf("figures changed by compaction:\nbefore\n%s\nafter\n%s", before, after)
	}
	e.click(p2, "192.0.2.201")
}

func TestClickRetentionRefusals(t *testing.T) {
	e := newEnv(t)
	e.program("long", ProgramInput{CookieDays: intp(90)})
	e.st.Close()
	if _, err := Open(e.dir, Options{Now: e.clk.Now, ClickRetentionDays: 60}); err == nil ||
		!strings.Contains(err.Error(), "cookie lifetime of program long") {
		t.Fatalf("open with a retention below a cookie lifetime: %v", err)
	}
	st, err := Open(e.dir, Options{Now: e.clk.Now, ClickRetentionDays: 100})
	if err != nil {
		t.Fatal(err)
	}
	e.st = st
	if _, _, err := e.st.CreateProgram(e.admin, ProgramInput{Slug: "longer", Name: "L", URL: "https://l.test", CookieDays: intp(101)}, false); err == nil ||
		!strings.Contains(err.Error(), "click retention of 100 days") {
		t.Fatalf("create with cookie-days above the retention: %v", err)
	}
	if _, err := e.st.SetProgram(e.admin, "long", "cookie-days", "120"); err == nil {
		t.Fatal("set cookie-days above the retention succeeded")
	}
	if p, err := e.st.SetProgram(e.admin, "long", "cookie-days", "100"); err != nil || p.CookieDays != 100 {
		t.Fatalf("set cookie-days at the retention: %v", err)
	}
}

// The click fast path of the day counters gives what decoding, adding and
// encoding gives, and steps aside for records it does not recognise.
func TestAddClicksJSONMatchesDecodeAddEncode(t *testing.T) {
	base := []Counters{{}, {Clicks: 7, UniqueClicks: 3}, {Clicks: 123456789, UniqueClicks: 99, Conversions: 2,
		Revenue: dec("10.50"), Commission: dec("2.10"), Status: Balance{Pending: dec("2.10"), Clawback: dec("1")}}}
	for _, c := range base {
		stored, _ := json.Marshal(&c)
		d := Counters{Clicks: 5, UniqueClicks: 2}
		got, ok := addClicksJSON(stored, &d)
		if !ok {
			t.Fatalf("fast path refused %s", stored)
		}
		want := c
		want.Add(d)
		wantJSON, _ := json.Marshal(&want)
		if !bytes.Equal(got, wantJSON) {
			t.Errorf("fast path:\n got %s\nwant %s", got, wantJSON)
		}
	}
	for _, s := range []string{"", `{"unique_clicks":1,"clicks":2}`, `{"clicks":-1,"unique_clicks":1}`, `{"clicks":1,"unique_clicks":1x`,
		`{"clicks":99999999999999999999,"unique_clicks":1}`} {
		if _, ok := addClicksJSON([]byte(s), &Counters{Clicks: 1}); ok {
			t.Errorf("fast path took %q", s)
		}
	}
}

// Click-only changes and full changes of the same record in one group add
// up as if each were applied alone.
func TestApplyDeltasMixesClickAndFullChanges(t *testing.T) {
	e := newEnv(t)
	err := e.st.db.Update(func(tx *bolt.Tx) error {
		if err := put(tx.Bucket(bDaily), []byte("Pz\x0020260101"), &Counters{Clicks: 10, UniqueClicks: 4, Conversions: 1, Revenue: dec("5")}); err != nil {
			return err
		}
		deltas := map[string]*Counters{}
		addClickDelta(deltas, "Pz\x0020260101", 2, 1)
		addDelta(deltas, "Pz\x0020260101", Counters{Conversions: 1, Revenue: dec("7.5"), Referred: 1})
		addClickDelta(deltas, "Pz\x0020260102", 3, 3)
		if err := applyDeltasTx(tx, deltas); err != nil {
			return err
		}
		for k, want := range map[string]Counters{
			"Pz\x0020260101": {Clicks: 12, UniqueClicks: 5, Conversions: 2, Revenue: dec("12.5"), Referred: 1},
			"Pz\x0020260102": {Clicks: 3, UniqueClicks: 3},
		} {
			got, err := readCountersTx(tx, k)
			if err != nil {
				return err
			}
			if got.Clicks != want.Clicks || got.UniqueClicks != want.UniqueClicks || got.Conversions != want.Conversions ||
				!got.Revenue.Equal(want.Revenue) || got.Referred != want.Referred {
				t.Errorf("%q = %+v, want %+v", k, got, want)
			}
		}
		if tx.Bucket(bDaily).Get([]byte(clickDeltaPrefix+"Pz\x0020260102")) != nil {
			t.Error("a click delta key was stored")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The fast path of a link's day record (clicks with their times) gives
// what decoding, adding and encoding gives.
func TestAddClickTimesJSONMatchesDecodeAddEncode(t *testing.T) {
	t0 := time.Date(2026, 3, 10, 12, 0, 0, 123456789, time.UTC)
	for _, c := range []Counters{
		{Clicks: 3, FirstClickAt: t0, LastClickAt: t0.Add(time.Hour)},
		{Clicks: 9, UniqueClicks: 2, Conversions: 1, Revenue: dec("9.90"), Referred: 1, FirstClickAt: t0, LastClickAt: t0.Add(time.Minute)},
	} {
		stored, _ := json.Marshal(&c)
		for _, d := range []Counters{
			{Clicks: 2, FirstClickAt: t0.Add(2 * time.Hour), LastClickAt: t0.Add(3 * time.Hour)},
			{Clicks: 1, FirstClickAt: t0.Add(-time.Second), LastClickAt: t0.Add(-time.Second)},
		} {
			got, ok := addClicksJSON(stored, &d)
			if !ok {
				t.Fatalf("fast path refused %s", stored)
			}
			want := c
			want.Add(d)
			wantJSON, _ := json.Marshal(&want)
			if !bytes.Equal(got, wantJSON) {
				t.Errorf("fast path:\n got %s\nwant %s", got, wantJSON)
			}
		}
	}
	noTimes, _ := json.Marshal(&Counters{Conversions: 1})
	if _, ok := addClicksJSON(noTimes, &Counters{Clicks: 1, FirstClickAt: t0, LastClickAt: t0}); ok {
		t.Error("fast path took a record without click times")
	}
}

// Under load the click counters wait in memory; Close writes them, and a
// store opened after a crash (clicks committed, counters not) counts the
// clicks above the last flush again from their records.
func TestClickCountersUnderLoadAndAfterACrash(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	p, _ := e.partner("acme")
	q, _ := e.partner("acme")
	var wg sync.WaitGroup
	for g := range 64 {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range 20 {
				pp := p
				if i%2 == 0 {
					pp = q
				}
				in := ClickInput{Program: "acme", PartnerID: pp.ID, Code: pp.Code, IP: mustAddr(fmt.Sprintf("198.51.100.%d", g)), Sub: fmt.Sprintf("s%d", i%3)}
				if _, err := e.st.RecordClick(context.Background(), in); err != nil {
					t.Error(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	figures := func() string {
		st, err := e.st.Stats(e.admin, "acme", 30)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString(statsLine(st) + fmt.Sprintf(" subs %+v", st.Subs))
		for _, pp := range []*Partner{p, q} {
			ps, err := e.st.PartnerStats(e.admin, "acme", pp.ID, 30)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString("\n" + statsLine(ps) + fmt.Sprintf(" subs %+v", ps.Subs))
		}
		return b.String()
	}
	e.check() // flushes
	want := figures()
	if !strings.Contains(want, "clicks 1280 unique 128") {
		t.Fatalf("after 1280 clicks from 64 addresses to 2 partners: %s", want)
	}
	e.restart()
	if got := figures(); got != want {
		t.Fatalf("after a clean restart:\n%s\nwant\n%s", got, want)
	}
	// A crash: the counters written stop at click 1000.
	e.st.Close()
	db, err := bolt.Open(filepath.Join(e.dir, DBFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		deltas := map[string]*Counters{}
		c := tx.Bucket(bClicks).Cursor()
		for k, v := c.Seek(u64(1001)); k != nil; k, v = c.Next() {
			cl, err := decodeClickTx(tx, btou(k), v)
			if err != nil {
				return err
			}
			var unique int64
			if v[1]&flagUnique != 0 {
				unique = 1
			}
			day := dayKey(cl.At)
			addDelta(deltas, programDayKey(cl.Program, day), Counters{Clicks: -1, UniqueClicks: -unique})
			addDelta(deltas, partnerDayKey(cl.PartnerID, day), Counters{Clicks: -1, UniqueClicks: -unique})
			addDelta(deltas, linkDayKey(cl.Code, day, cl.Sub), Counters{Clicks: -1})
			if cl.Sub != "" {
				addDelta(deltas, programSubKey(cl.Program, day, cl.Sub), Counters{Clicks: -1})
			}
		}
		if err := applyDeltasTx(tx, deltas); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(metaClicksCounted, u64(1000))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	e.open()
	if got := figures(); got != want {
		t.Fatalf("after the clicks above the mark were counted again:\n%s\nwant\n%s", got, want)
	}
}

// A conversion sees the clicks whose counts still wait in memory: its
// group applies them before it runs (a ref's lifetime reads its link's
// click days).
func TestConversionSeesClickCountsNotYetFlushed(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{CookieDays: intp(7)})
	p, _ := e.partner("acme")
	e.click(p, "203.0.113.1")
	e.st.seeClicks() // stored and counted: the writer is idle from here
	e.clk.Add(10 * 24 * time.Hour)
	// A click committed under load, its counts not flushed yet, as the
	// writer leaves them after a large group of clicks: set on the
	// writer's goroutine (its state is its own).
	now := e.clk.Now()
	inWriter(t, e.st, func(ws *writerState) {
		cc := ws.clicks
		addLinkClickDelta(cc.unflushed, "acme", p.Code, "", dayKey(now), now)
		cc.unflushProgs["acme"] = true
		cc.lastFlush = time.Now()
	})
	e.clk.Add(time.Minute)
	r := e.convert("acme", ConversionInput{OrderID: "o1", CustomerID: "c1", Amount: "10.00", Ref: p.Code})
	if !r.Conversion.Attributed || r.Conversion.PartnerID != p.ID {
		t.Fatalf("a ref clicked a minute ago (counts not flushed) did not attribute: %+v", r.Conversion)
	}
}
