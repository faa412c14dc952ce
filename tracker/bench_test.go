package tracker

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkRedirect measures GET /r/{code} in process: code lookup, the
// click recorded durably through the store's group commit, and the 302.
// Each request comes from its own client address so the flood guard (on,
// at the default 120 a minute) does not cut in. 32 goroutines per CPU stand
// for many visitors at once, which is what group commit is for.
func BenchmarkRedirect(b *testing.B) {
	b.SetParallelism(32)
	benchRedirect(b, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
}

// BenchmarkRedirectBot is the same path for a crawler: nothing is written,
// so it measures the handler without the store's write path.
func BenchmarkRedirectBot(b *testing.B) {
	benchRedirect(b, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
}

func benchRedirect(b *testing.B, userAgent string) {
	e := newEnv(b, Config{ClickFloodLimit: 120})
	h := e.srv.Handler()
	target := "/r/" + e.partner.Code + "?sub=bench&to=%2Fpricing"
	var n atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.RemoteAddr = "10." + strconv.Itoa(int(i>>16&255)) + "." + strconv.Itoa(int(i>>8&255)) + "." +
				strconv.Itoa(int(i&255)) + ":1234"
			req.Header.Set("User-Agent", userAgent)
			rr := httptest.NewRecorder()
			h.ServeHTTP(rr, req)
			if rr.Code != http.StatusFound {
				b.Errorf("status %d", rr.Code)
				return
			}
		}
	})
}
