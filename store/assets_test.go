package store

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// pngBytes is a tiny PNG header followed by filler: enough for sniffing.
func pngBytes(n int) []byte {
	b := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, max(n-8, 0))...)
	return b[:n]
}

// countingReader counts what was read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestAssetsTextAndFile(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	e.program("other", ProgramInput{})
	p1, a1 := e.partner("acme")
	_, a2 := e.partner("other")

	txt, err := e.st.AddTextAsset(e.admin, "acme", "Tweet", "Try Acme: {link} (code {code})\r\nThanks")
	if err != nil {
		t.Fatal(err)
	}
	if txt.Body != "Try Acme: {link} (code {code})\nThanks" {
		t.Fatalf("body = %q", txt.Body)
	}
	if got := txt.Filled("https://t/r/"+p1.Code, p1.Code); got != "Try Acme: https://t/r/"+p1.Code+" (code "+p1.Code+")\nThanks" {
		t.Fatalf("filled = %q", got)
	}
	file, err := e.st.AddFileAsset(e.admin, "acme", "Banner", "../../b a\x1b.png", bytes.NewReader(pngBytes(1000)))
	if err != nil {
		t.Fatal(err)
	}
	if file.Filename != "b_a_.png" || file.ContentType != "image/png" || file.Size != 1000 || !file.InlineImage() || file.ETag == "" {
		t.Fatalf("file asset = %+v", file)
	}
	html, err := e.st.AddFileAsset(e.admin, "acme", "Page", "x.html", strings.NewReader("<!doctype html><script>alert(1)</script>"))
	if err != nil {
		t.Fatal(err)
	}
	if html.InlineImage() || !strings.HasPrefix(html.ContentType, "text/html") {
		t.Fatalf("html asset = %+v", html)
	}

	// The merchant and the approved partner see all three; the partner
	// gets their membership to fill in their link.
	l, err := e.st.ListAssets(e.admin, "acme", 0, 0)
	if err != nil || len(l.Assets) != 3 || l.Partner != nil {
		t.Fatalf("merchant list = %+v, %v", l, err)
	}
	l, err = e.st.ListAssets(a1, "acme", 0, 0)
	if err != nil || len(l.Assets) != 3 || l.Partner == nil || l.Partner.ID != p1.ID {
		t.Fatalf("partner list = %+v, %v", l, err)
	}
	// Paging.
	l, err = e.st.ListAssets(e.admin, "acme", 0, 2)
	if err != nil || len(l.Assets) != 2 || l.Next != l.Assets[1].ID {
		t.Fatalf("page 1 = %+v, %v", l, err)
	}
	l, err = e.st.ListAssets(e.admin, "acme", l.Next, 2)
	if err != nil || len(l.Assets) != 1 || l.Next != 0 || l.Assets[0].ID != html.ID {
		t.Fatalf("page 2 = %+v, %v", l, err)
	}
	// A partner of another program, a pending partner and a stranger get nothing.
	if _, err := e.st.ListAssets(a2, "acme", 0, 0); !errors.Is(err, ErrForbidden) {
		t.Fatalf("other program's partner: %v", err)
	}
	u, _ := e.st.CreateUser("Pen", "pen@x.test", "SHA256:pen", "ssh-ed25519 AAAApen")
	pen := Actor{UserID: u.ID}
	if _, err := e.st.Join(pen, "acme", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.ListAssets(pen, "acme", 0, 0); !errors.Is(err, ErrForbidden) {
		t.Fatalf("pending partner: %v", err)
	}
	// Partners cannot add or remove.
	if _, err := e.st.AddTextAsset(a1, "acme", "x", "y"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("partner add: %v", err)
	}
	cr := &countingReader{r: bytes.NewReader(pngBytes(100))}
	if _, err := e.st.AddFileAsset(a1, "acme", "x", "x.png", cr); !errors.Is(err, ErrForbidden) || cr.n != 0 {
		t.Fatalf("partner add file: %v (read %d bytes)", err, cr.n)
	}
	if err := e.st.RemoveAsset(a1, "acme", txt.ID); !errors.Is(err, ErrForbidden) {
		t.Fatalf("partner remove: %v", err)
	}
	if err := e.st.RemoveAsset(e.admin, "other", txt.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("remove through another program: %v", err)
	}

	// The public read needs the right program, id and file name.
	as, data, err := e.st.AssetFile("acme", file.ID, "b_a_.png")
	if err != nil || as.ID != file.ID || !bytes.Equal(data, pngBytes(1000)) {
		t.Fatalf("asset file: %v", err)
	}
	for _, c := range []struct {
		slug string
		id   uint64
		name string
	}{{"other", file.ID, "b_a_.png"}, {"acme", file.ID, "x.png"}, {"acme", txt.ID, ""}, {"acme", 999, "b_a_.png"}} {
		if _, _, err := e.st.AssetFile(c.slug, c.id, c.name); !errors.Is(err, ErrNotFound) {
			t.Errorf("AssetFile(%v) = %v, want not found", c, err)
		}
	}
	// Removed: gone from lists and from the public route, also after a restart.
	if err := e.st.RemoveAsset(e.admin, "acme", file.ID); err != nil {
		t.Fatal(err)
	}
	e.restart()
	if _, _, err := e.st.AssetFile("acme", file.ID, "b_a_.png"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removed asset: %v", err)
	}
	l, _ = e.st.ListAssets(e.admin, "acme", 0, 0)
	if len(l.Assets) != 2 {
		t.Fatalf("after remove: %d assets", len(l.Assets))
	}
}

func TestAssetLimits(t *testing.T) {
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	// One byte over 5 MiB: refused with a clear message, nothing stored, and
	// no more than the limit plus one byte read.
	cr := &countingReader{r: io.MultiReader(bytes.NewReader(pngBytes(MaxAssetFile+1)), strings.NewReader(strings.Repeat("x", 1<<20)))}
	_, err := e.st.AddFileAsset(e.admin, "acme", "Big", "big.png", cr)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "5 MiB") {
		t.Fatalf("over 5 MiB: %v", err)
	}
	if cr.n > MaxAssetFile+1+32<<10 {
		t.Fatalf("read %d bytes for a refused file", cr.n)
	}
	if l, _ := e.st.ListAssets(e.admin, "acme", 0, 0); len(l.Assets) != 0 {
		t.Fatalf("a refused file left %d assets", len(l.Assets))
	}
	// Exactly 5 MiB is fine.
	if _, err := e.st.AddFileAsset(e.admin, "acme", "Max", "max.png", bytes.NewReader(pngBytes(MaxAssetFile))); err != nil {
		t.Fatal(err)
	}
	// Text: 16 KiB at most, no escape sequences.
	if _, err := e.st.AddTextAsset(e.admin, "acme", "T", strings.Repeat("a", MaxAssetText+1)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("long text: %v", err)
	}
	if _, err := e.st.AddTextAsset(e.admin, "acme", "T", "hi \x1b]0;pwned\x07"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("escape in text: %v", err)
	}
	for _, bad := range []string{"", "...", "/"} {
		if _, err := e.st.AddFileAsset(e.admin, "acme", "T", bad, strings.NewReader("x")); !errors.Is(err, ErrInvalid) {
			t.Errorf("file name %q: %v", bad, err)
		}
	}
	if _, err := e.st.AddFileAsset(e.admin, "acme", " ", "a.txt", strings.NewReader("x")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty title: %v", err)
	}
	if _, err := e.st.AddFileAsset(e.admin, "acme", "T", "a.txt", strings.NewReader("")); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty file: %v", err)
	}
}

func TestAssetProgramQuota(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test writes 100 MiB of file assets to fill a program's quota")
	}
	e := newEnv(t)
	e.program("acme", ProgramInput{})
	for i := range MaxProgramAssets / MaxAssetFile {
		if _, err := e.st.AddFileAsset(e.admin, "acme", "F", "f.png", bytes.NewReader(pngBytes(MaxAssetFile))); err != nil {
			t.Fatalf("file %d: %v", i, err)
		}
	}
	_, err := e.st.AddFileAsset(e.admin, "acme", "F", "f.png", strings.NewReader("x"))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "100 MiB") {
		t.Fatalf("over the program quota: %v", err)
	}
}

func TestCommissionInWords(t *testing.T) {
	e := newEnv(t)
	one := 1
	p := e.program("acme", ProgramInput{Commission: "20%; 10:25%; 25:30%", RecurringMonths: "12", RenewalRate: "10%", CookieDays: &one, HoldDays: intp(0)})
	want := "20% of each payment from your first 9 paying customers, 25% from your 10th customer on, 30% from your 25th customer on, on their payments in the first 12 months. Renewals earn 10%."
	if got := p.CommissionInWords(); got != want {
		t.Errorf("tiered:\n got %q\nwant %q", got, want)
	}
	if got := p.PayoutTermsInWords(); got != "Referrals count for 1 day after the click. Commissions are approved right away and paid once you are owed at least 50.00 USD." {
		t.Errorf("payout terms: %q", got)
	}
	q := e.program("jpy", ProgramInput{Currency: "JPY", Commission: "500", RecurringMonths: "0"})
	if got := q.CommissionInWords(); got != "500 JPY per payment from the customers you refer, on their first payment only." {
		t.Errorf("fixed: %q", got)
	}
}

func TestByteSize(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"}, {12595, "12.3 KiB"},
		{1<<20 - 1, "1024.0 KiB"}, {1 << 20, "1.0 MiB"}, {5*1<<20 + 1, "5.0 MiB"}, {4718592, "4.5 MiB"},
	} {
		if got := ByteSize(c.n); got != c.want {
			t.Errorf("ByteSize(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
