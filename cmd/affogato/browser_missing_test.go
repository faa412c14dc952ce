package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestChromiumMissingFailsLoudly: without Chromium the browser tests fail
// with a message that says how to install it; they never skip.
func TestChromiumMissingFailsLoudly(t *testing.T) {
	none := func(string) (string, error) { return "", exec.ErrNotFound }
	_, err := findChromium(func(string) string { return "" }, none)
	if err == nil || !strings.Contains(err.Error(), "apt-get install chromium") || !strings.Contains(err.Error(), "never skip") {
		t.Errorf("no Chromium anywhere: %v, want an error saying how to install it", err)
	}
	if p, err := findChromium(func(string) string { return "/opt/chrome" }, none); err != nil || p != "/opt/chrome" {
		t.Errorf("AFFOGATO_TEST_CHROMIUM=/opt/chrome: %q %v", p, err)
	}
	found := func(name string) (string, error) {
		if name == "chromium-browser" {
			return "/usr/bin/chromium-browser", nil
		}
		return "", errors.New("not found")
	}
	if p, err := findChromium(func(string) string { return "" }, found); err != nil || p != "/usr/bin/chromium-browser" {
		t.Errorf("chromium-browser on the PATH: %q %v", p, err)
	}
}
