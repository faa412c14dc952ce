package tracker

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
)

// staticFile is an embedded file served with a strong ETag, and gzipped
// for clients that accept it (each encoding has its own ETag).
type staticFile struct {
	body, gz        []byte
	etag, gzipETag  string
	length, gzipLen string
}

func newStaticFile(body []byte) *staticFile {
	sum := sha256.Sum256(body)
	tag := hex.EncodeToString(sum[:12])
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // a valid level: no error
	_, _ = zw.Write(body)                                    // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	return &staticFile{body: body, gz: buf.Bytes(), etag: `"` + tag + `"`, gzipETag: `"` + tag + `-gzip"`,
		length: strconv.Itoa(len(body)), gzipLen: strconv.Itoa(buf.Len())}
}

// serve answers GET or HEAD with the file: 304 when If-None-Match names
// either of its ETags, the gzip encoding when Accept-Encoding allows it.
func (f *staticFile) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Vary", "Accept-Encoding")
	body, tag, length := f.body, f.etag, f.length
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, tag, length = f.gz, f.gzipETag, f.gzipLen
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", tag)
	if etagMatch(r.Header.Get("If-None-Match"), f.etag, f.gzipETag) {
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", length)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// acceptsGzip says whether an Accept-Encoding header allows gzip (a q of 0
// refuses it).
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			return true
		}
	}
	return false
}

// etagMatch says whether an If-None-Match header names one of tags (weak
// comparison, as RFC 9110 asks for If-None-Match; "*" matches any).
func etagMatch(header string, tags ...string) bool {
	for _, cand := range strings.Split(header, ",") {
		cand = strings.TrimPrefix(strings.TrimSpace(cand), "W/")
		if cand == "*" {
			return true
		}
		for _, t := range tags {
			if cand == t {
				return true
			}
		}
	}
	return false
}

// trackingScript serves t.js for merchants' sites: cacheable for an hour,
// then revalidated by its ETag.
func (s *Server) trackingScript(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Access-Control-Allow-Origin", "*")
	s.script.serve(w, r)
}

// healthz answers 200 while the process serves HTTP.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
