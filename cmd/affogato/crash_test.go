package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/affogato-sh/affogato/store"
)

// crashCycles is how many SIGKILL-and-restart cycles TestCrashRecovery
// runs: a few in make test, 50 in make test-long.
var crashCycles = flag.Int("crash-cycles", 5, "SIGKILL cycles of TestCrashRecovery")

// acked is what the server acknowledged with a 2xx (or a 302 for clicks)
// before it was killed: each of these must survive the crash.
type acked struct {
	mu       sync.Mutex
	orders   map[string]bool   // order ids answered 2xx
	refunds  map[string]string // refund id → order id, answered 2xx
	clicks   map[uint64]bool   // click ids seen in a 302's Location
	batches  map[uint64]bool   // payout batches payout create reported
	requests int               // requests sent, answered or not
}

func (a *acked) add(f func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f()
}

// TestCrashRecovery runs a mixed load (clicks, conversions, refunds, payout
// creation) against the real binary, kills it with SIGKILL at a random
// moment, restarts it on the same data dir and checks: every conversion and
// refund answered 2xx is present exactly once, every click id a visitor was
// redirected with exists, every reported payout batch exists, and
// `affogato check` passes.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	s := startServer(t, serverOpts{})
	partnerKey := newKey(t, "crash-partner")
	var prog programOut
	s.sshJSON(s.adminKey, &prog, "program", "create", "acme", "--name", "Acme", "--url", "https://acme.test",
		"--commission", "20%", "--hold-days", "0", "--min-payout", "10", "--auto-approve")
	var j joinOut
	s.sshJSON(partnerKey, &j, "join", "acme", "--name", "Pat", "--email", "pat@x.test")
	s.mustSSH(partnerKey, "profile", "set", "paypal", "pat-pp@x.test")
	followLink(t, j.Link, j.Code) // the conversions' ref attributes after a click on it

	ack := &acked{orders: map[string]bool{}, refunds: map[string]string{}, clicks: map[uint64]bool{}, batches: map[uint64]bool{}}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	seq := 0
	for cycle := 1; cycle <= *crashCycles; cycle++ {
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		client := &http.Client{Timeout: 5 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		// Clicks.
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					if id, ok := crashClick(ctx, client, j.Link); ok {
						ack.add(func() { ack.clicks[id] = true })
					}
					ack.add(func() { ack.requests++ })
				}
			}()
		}
		// Conversions, and refunds of acknowledged ones.
		for w := range 2 {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for n := 0; ctx.Err() == nil; n++ {
					order := fmt.Sprintf("c%d-w%d-%d", cycle, w, n)
					body := fmt.Sprintf(`{"order_id":%q,"customer_id":"cust-%s","amount":"100.00","currency":"USD","kind":"sale","ref":%q}`,
						order, order, j.Code)
					if crashPost(ctx, client, s.url("/api/v1/conversions"), prog.APIKey, body) {
						ack.add(func() { ack.orders[order] = true })
						if n%3 == 0 {
							rid := "r-" + order
							rbody := fmt.Sprintf(`{"refund_id":%q,"order_id":%q,"amount":"25.00"}`, rid, order)
							if crashPost(ctx, client, s.url("/api/v1/refunds"), prog.APIKey, rbody) {
								ack.add(func() { ack.refunds[rid] = order })
							}
						}
					}
					ack.add(func() { ack.requests++ })
				}
			}(w)
		}
		// Payout creation over SSH.
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if id, ok := crashPayout(ctx, s, s.adminKey); ok {
					ack.add(func() { ack.batches[id] = true })
				}
				time.Sleep(30 * time.Millisecond)
			}
		}()

		time.Sleep(time.Duration(300+rng.IntN(900)) * time.Millisecond)
		s.kill()
		cancel()
		wg.Wait()

		// Offline, on the data the killed process left: check, then the
		// acknowledged records.
		if out, errOut, code := runBinary(t, "check", "--data", s.dataDir); code != 0 {
			t.Fatalf("cycle %d: affogato check after SIGKILL: exit %d\n%s\n%s", cycle, code, out, errOut)
		}
		verifyCrash(t, cycle, s.dataDir, ack)
		if err := s.start(nil); err != nil {
			t.Fatalf("cycle %d: restart after SIGKILL: %v", cycle, err)
		}
		s.stopped = false
		seq++
	}
	// The server still works after the last restart.
	s.mustSSH(s.adminKey, "whoami")
	t.Logf("crash test: %d SIGKILL cycles; survived: %d conversions, %d refunds, %d clicks (from 302s), %d payout batches; %d requests sent",
		seq, len(ack.orders), len(ack.refunds), len(ack.clicks), len(ack.batches), ack.requests)
	if len(ack.orders) == 0 || len(ack.clicks) == 0 {
		t.Errorf("the load acknowledged too little to prove anything: %d conversions, %d clicks", len(ack.orders), len(ack.clicks))
	}
}

func verifyCrash(t *testing.T, cycle int, dataDir string, ack *acked) {
	t.Helper()
	st, err := store.Open(dataDir, store.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("cycle %d: open the data dir after SIGKILL: %v", cycle, err)
	}
	defer st.Close()
	au, err := st.AuditProgram("acme")
	if err != nil {
		t.Fatalf("cycle %d: %v", cycle, err)
	}
	ack.mu.Lock()
	defer ack.mu.Unlock()
	for order := range ack.orders {
		if n := au.Orders[order]; n != 1 {
			t.Errorf("cycle %d: conversion %s answered 2xx is present %d times", cycle, order, n)
		}
	}
	for order, n := range au.Orders {
		if n != 1 {
			t.Errorf("cycle %d: order %s has %d conversion records", cycle, order, n)
		}
	}
	refunded := map[string]int{}
	for rid, order := range ack.refunds {
		r, ok := au.Refunds[rid]
		if !ok || r.OrderID != order {
			t.Errorf("cycle %d: refund %s answered 2xx is missing (%+v)", cycle, rid, r)
		}
	}
	for _, r := range au.Refunds {
		refunded[r.OrderID]++
	}
	for order, c := range au.Convs {
		if sum := decimal.NewFromInt(int64(25 * refunded[order])); !c.Refunded.Equal(sum) {
			t.Errorf("cycle %d: conversion %s refunded %s, its refunds add up to %s", cycle, order, c.Refunded, sum)
		}
	}
	for id := range ack.clicks {
		ok, err := st.ClickExists(id)
		if err != nil || !ok {
			t.Errorf("cycle %d: click %d was in a 302 but is missing (%v)", cycle, id, err)
		}
	}
	for id := range ack.batches {
		if _, err := st.PayoutBatch(store.Actor{Admin: true}, id); err != nil {
			t.Errorf("cycle %d: payout batch %d was reported but is missing: %v", cycle, id, err)
		}
	}
}

// crashClick follows a referral link once and returns the click id of a 302.
func crashClick(ctx context.Context, c *http.Client, link string) (uint64, bool) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (crash test)")
	resp, err := c.Do(req)
	if err != nil {
		return 0, false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return 0, false
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return 0, false
	}
	id, err := strconv.ParseUint(loc.Query().Get("aff_click"), 10, 64)
	return id, err == nil && id != 0
}

// crashPost posts JSON and reports a 2xx answer read in full.
func crashPost(ctx context.Context, c *http.Client, u, apiKey, body string) bool {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apiKey)
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err != nil {
		return false
	}
	return resp.StatusCode >= 200 && resp.StatusCode <= 299
}

// crashPayout runs payout create over SSH; a batch id printed with exit 0
// is an acknowledgement.
func crashPayout(ctx context.Context, s *server, key string) (uint64, bool) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	args := append(sshBaseArgs(key, s.sshPort), "127.0.0.1", "payout", "create", "acme", "--json")
	out, err := execOutput(cctx, "ssh", args...)
	if err != nil {
		return 0, false
	}
	var po struct {
		Batch *uint64 `json:"batch"`
	}
	if json.Unmarshal(out, &po) != nil || po.Batch == nil {
		return 0, false
	}
	return *po.Batch, true
}

// execOutput runs a program and returns its stdout; a non-zero exit is an
// error.
func execOutput(ctx context.Context, name string, args ...string) ([]byte, error) {
	return exec.CommandContext(ctx, name, args...).Output()
}
