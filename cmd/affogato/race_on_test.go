//go:build race

package main

// raceBuild says the tests run under the race detector (go test -race):
// the binary the end-to-end tests build is built with -race too, so that
// a race in the server is found by the tests that drive it.
const raceBuild = true
