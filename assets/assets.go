// Package assets holds the static files the binary serves or shows, embedded
// with go:embed: the first-party tracking script t.js, the 404 page of the
// referral redirector and the template of a program's public signup page.
package assets

import (
	"bytes"
	_ "embed" // go:embed
)

//go:embed t.js
var trackingScript []byte

//go:embed 404.html
var notFoundPage []byte

//go:embed signup.html
var signupPage string

// TrackingScript returns t.js, the merchant-side script that keeps the
// referral (ref and aff_click from the landing URL) in a first-party cookie
// and exposes it as window.affogato. The caller owns the returned copy.
func TrackingScript() []byte { return bytes.Clone(trackingScript) }

// NotFoundPage returns the HTML page shown for an unknown referral code. The
// caller owns the returned copy.
func NotFoundPage() []byte { return bytes.Clone(notFoundPage) }

// SignupPageTemplate returns the html/template text of a program's public
// signup page (PUBLIC_URL/p/SLUG). It defines a "style" template, the
// page's only style sheet, which the caller renders first so that its hash
// can go into the Content-Security-Policy.
func SignupPageTemplate() string { return signupPage }
