// Command bare is the yardstick of `make bench`: the smallest Go HTTP server
// that answers every request with a 302, the same response shape as
// affogato's redirector (Location, Cache-Control: no-store, no body) but
// without looking up a code or recording a click.
package main

import (
	"flag"
	"log"
	"net/http"
	"net/http/pprof"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	location := flag.String("location", "https://example.com/", "where every request is redirected")
	pprofAddr := flag.String("pprof-addr", "", "serve Go profiling (net/http/pprof) on this address (off by default)")
	flag.Parse()
	if *pprofAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		go func() { log.Println(http.ListenAndServe(*pprofAddr, mux)) }()
	}

	handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Location", *location)
		w.WriteHeader(http.StatusFound)
	})
	srv := &http.Server{
		Addr:              *addr,
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	log.Printf("bare 302 server on %s → %s", *addr, *location)
	log.Fatal(srv.ListenAndServe())
}
