package tracker

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/affogato-sh/affogato/store"
)

// promoAsset serves GET and HEAD /a/{slug}/{id}/{filename}: a program's
// file asset (SPEC 6.4) with its sniffed content type, nosniff, an ETag
// (If-None-Match answers 304), a day of public caching, and
// Content-Disposition: attachment for anything that is not a PNG, JPEG,
// GIF or WebP image. A removed or unknown asset is the 404 page.
func (s *Server) promoAsset(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		s.assetNotFound(w, r)
		return
	}
	as, data, err := s.st.AssetFile(r.PathValue("slug"), id, r.PathValue("filename"))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.assetNotFound(w, r)
			return
		}
		s.storeError(w, "asset", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", as.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("ETag", as.ETag)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	disposition := "attachment"
	if as.InlineImage() {
		disposition = "inline"
	}
	// The stored name is already [A-Za-z0-9._-] only: nothing to quote.
	h.Set("Content-Disposition", disposition+`; filename="`+as.Filename+`"`)
	http.ServeContent(w, r, "", as.CreatedAt, bytes.NewReader(data))
}

// assetNotFound answers 404 with the plain 404 page.
func (s *Server) assetNotFound(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		_, _ = w.Write(notFoundHTML)
	}
}

// notFoundHTML is the page for an unknown asset or program page.
var notFoundHTML = []byte("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>" +
	"<body><h1>Not found</h1><p>There is nothing at this address.</p></body></html>\n")
