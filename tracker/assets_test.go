package tracker

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestPromoAssetRoute(t *testing.T) {
	e := newEnv(t, Config{})
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 500)...)
	img, err := e.st.AddFileAsset(e.admin, "acme", "Banner", "banner 728.png", bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	page, err := e.st.AddFileAsset(e.admin, "acme", "Page", `evil"; x=.html`, strings.NewReader("<html><script>alert(1)</script></html>"))
	if err != nil {
		t.Fatal(err)
	}
	text, err := e.st.AddTextAsset(e.admin, "acme", "Post", "Buy {link}")
	if err != nil {
		t.Fatal(err)
	}

	rr := e.request(http.MethodGet, img.AssetPath(), "")
	if rr.Code != 200 || !bytes.Equal(rr.Body.Bytes(), png) {
		t.Fatalf("GET image: %d, %d bytes", rr.Code, rr.Body.Len())
	}
	h := rr.Header()
	for k, want := range map[string]string{
		"Content-Type": "image/png", "X-Content-Type-Options": "nosniff",
		"Cache-Control": "public, max-age=86400", "ETag": img.ETag,
		"Content-Disposition": `inline; filename="banner_728.png"`, "Content-Length": strconv.Itoa(len(png)),
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if rr := e.request(http.MethodGet, img.AssetPath(), "", "If-None-Match", img.ETag); rr.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", rr.Code)
	}
	if rr := e.request(http.MethodHead, img.AssetPath(), ""); rr.Code != 200 || rr.Body.Len() != 0 {
		t.Errorf("HEAD: %d, %d bytes", rr.Code, rr.Body.Len())
	}

	rr = e.request(http.MethodGet, page.AssetPath(), "")
	if rr.Code != 200 || !strings.HasPrefix(rr.Header().Get("Content-Type"), "text/html") ||
		rr.Header().Get("Content-Disposition") != `attachment; filename="evil___x_.html"` ||
		rr.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("GET html: %d %v", rr.Code, rr.Header())
	}

	for _, target := range []string{
		"/a/acme/" + strconv.FormatUint(text.ID, 10) + "/x", // a text asset has no file
		"/a/other/" + strconv.FormatUint(img.ID, 10) + "/banner_728.png",
		"/a/acme/" + strconv.FormatUint(img.ID, 10) + "/other.png",
		"/a/acme/abc/banner_728.png",
	} {
		if rr := e.request(http.MethodGet, target, ""); rr.Code != 404 {
			t.Errorf("GET %s = %d, want 404", target, rr.Code)
		}
	}
	if err := e.st.RemoveAsset(e.admin, "acme", img.ID); err != nil {
		t.Fatal(err)
	}
	if rr := e.request(http.MethodGet, img.AssetPath(), ""); rr.Code != 404 {
		t.Errorf("removed asset: %d", rr.Code)
	}
	if rr := e.request(http.MethodPost, page.AssetPath(), ""); rr.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rr.Code)
	}
}

func TestProgramSignupPage(t *testing.T) {
	e := newEnv(t, Config{SSHPublicAddr: "join.acme.test:2222"})
	e.set("acme", "accent", "#FF8800")
	e.set("acme", "welcome", `Hi <script>alert("x")</script> & welcome`)
	e.set("acme", "terms", "No spam.\nNo </div><img src=x onerror=alert(1)>")
	e.set("acme", "listed", "false")

	rr := e.request(http.MethodGet, "/p/acme", "")
	if rr.Code != 200 {
		t.Fatalf("GET /p/acme: %d", rr.Code)
	}
	body := rr.Body.String()
	for _, want := range []string{
		"<h1>Acme</h1>", "#ff8800",
		"Hi &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; welcome",
		"No &lt;/div&gt;&lt;img src=x onerror=alert(1)&gt;",
		"20% of each payment from the customers you refer, for as long as they pay.",
		"30 days from the click", "50.00 USD", "ssh-keygen -t ed25519",
		"ssh -p 2222 acme@join.acme.test",
		html.EscapeString(`ssh -p 2222 join.acme.test join acme --name "'Your Name'" --email you@example.com`),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(strings.ToLower(body), "<script") || strings.Contains(body, "<img") {
		t.Error("page carries markup from the program's texts")
	}
	csp := rr.Header().Get("Content-Security-Policy")
	if !strings.HasPrefix(csp, "default-src 'none'; style-src 'sha256-") || strings.Contains(csp, "script") ||
		strings.Contains(csp, "unsafe") {
		t.Errorf("CSP = %q", csp)
	}
	// The CSP hash is that of the page's one style element.
	m := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(csp, cspHash(m[1])) {
		t.Errorf("style hash not in the CSP")
	}
	if rr.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff")
	}
	if rr := e.request(http.MethodGet, "/p/nosuch", ""); rr.Code != 404 {
		t.Errorf("unknown program: %d", rr.Code)
	}

	// Without --ssh-public-addr: the public URL's host; a 256-colour accent.
	e2 := newEnv(t, Config{PublicURL: "https://track.example.com"})
	e2.set("acme", "accent", "208")
	body = e2.request(http.MethodGet, "/p/acme", "").Body.String()
	if !strings.Contains(body, "ssh acme@track.example.com") || !strings.Contains(body, "#ff8700") {
		t.Errorf("fallback page:\n%s", body)
	}
}

func TestAccentHex(t *testing.T) {
	for in, want := range map[string]string{"#AbCdEf": "#abcdef", "1": "#800000", "16": "#000000", "208": "#ff8700",
		"231": "#ffffff", "244": "#808080", "": defaultAccent, "300": defaultAccent, "#12345g": defaultAccent} {
		if got := AccentHex(in); got != want {
			t.Errorf("AccentHex(%q) = %q, want %q", in, got, want)
		}
	}
}

func cspHash(style string) string {
	sum := sha256.Sum256([]byte(style))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}
