package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"
)

// stallAfter is how long a key press may go without an answer before the
// server's goroutines are dumped (the session gives up at 10 s).
const stallAfter = 5 * time.Second

// stallDump writes the server's goroutine dump (net/http/pprof at url, a
// loopback address) to file, once: the first time a session waits
// stallAfter for the answer to a key, while it still waits. Some runs saw
// sessions get no answer for 10 s, all in the same seconds; the dump shows
// what the server was doing then.
type stallDump struct {
	url, file string
	once      sync.Once
	wg        sync.WaitGroup
}

// newStallDump checks that pprofURL is on loopback; an empty one or file
// makes a dump that does nothing.
func newStallDump(pprofURL, file string) (*stallDump, error) {
	if pprofURL == "" || file == "" {
		return &stallDump{}, nil
	}
	u, err := url.Parse(pprofURL)
	if err != nil {
		return nil, fmt.Errorf("-pprof %q: %w", pprofURL, err)
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("-pprof %q must be a loopback address", pprofURL)
	}
	return &stallDump{url: pprofURL, file: file}, nil
}

// take starts the dump, the first time only.
func (d *stallDump) take() {
	if d.url == "" {
		return
	}
	d.once.Do(func() {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			if err := d.fetch(); err != nil {
				log.Printf("stall dump: %v", err)
				return
			}
			log.Printf("a key went %s without an answer: the server's goroutines are in %s", stallAfter, d.file)
		}()
	})
}

func (d *stallDump) fetch() error {
	c := &http.Client{Timeout: 20 * time.Second}
	resp, err := c.Get(d.url + "/debug/pprof/goroutine?debug=2")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", d.url, resp.Status)
	}
	f, err := os.Create(d.file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// wait waits for a dump under way.
func (d *stallDump) wait() { d.wg.Wait() }
