// Package assets holds the static files the binary serves or shows, embedded
// with go:embed: the first-party tracking script t.js and the 404 page of the
// referral redirector.
package assets

import (
	"bytes"
	_ "embed" // go:embed
)

//go:embed t.js
var trackingScript []byte

//go:embed 404.html
var notFoundPage []byte

// TrackingScript returns t.js, the merchant-side script that keeps the
// referral (ref and aff_click from the landing URL) in a first-party cookie
// and exposes it as window.affogato. The caller owns the returned copy.
func TrackingScript() []byte { return bytes.Clone(trackingScript) }

// NotFoundPage returns the HTML page shown for an unknown referral code. The
// caller owns the returned copy.
func NotFoundPage() []byte { return bytes.Clone(notFoundPage) }
