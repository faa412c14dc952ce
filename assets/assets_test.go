package assets

import (
	"bytes"
	"testing"
)

func TestTrackingScript(t *testing.T) {
	js := TrackingScript()
	for _, want := range []string{`NAME = "affogato_ref"`, "window", "affogato", "referral", "aff_click", "aff_exp", "aff_first",
		"via", "/api/v1/visits", "Max-Age", "pushState", "replaceState", "popstate", `param("sub")`} {
		if !bytes.Contains(js, []byte(want)) {
			t.Errorf("t.js lacks %q", want)
		}
	}
	// The tracker's HttpOnly cookie is aff_ref: a first-party cookie of the
	// same name would be shadowed by it when shop and tracker share a host.
	if bytes.Contains(js, []byte(`NAME = "aff_ref"`)) {
		t.Error("t.js writes its cookie under the tracker's cookie name aff_ref")
	}
	js[0] = 'X'
	if TrackingScript()[0] == 'X' {
		t.Error("TrackingScript returned the embedded slice, not a copy")
	}
}

func TestNotFoundPage(t *testing.T) {
	page := NotFoundPage()
	if !bytes.HasPrefix(page, []byte("<!doctype html>")) || !bytes.Contains(page, []byte("not exist")) {
		t.Errorf("404 page looks wrong: %.80s", page)
	}
}

func TestSignupPageTemplate(t *testing.T) {
	page := SignupPageTemplate()
	for _, want := range []string{`{{define "style"}}`, "ssh-keygen", "{{.JoinSSH}}", "<!doctype html>"} {
		if !bytes.Contains([]byte(page), []byte(want)) {
			t.Errorf("signup page template lacks %q", want)
		}
	}
	if bytes.Contains([]byte(page), []byte("<script")) {
		t.Error("signup page template has a script")
	}
}
