// Command sshload is the SSH part of `make bench` (bench/scale.sh): many
// concurrent dashboard sessions (golang.org/x/crypto/ssh clients with a
// PTY) that open the dashboard and switch screens, while the redirector
// takes clicks. It reports the time to the first frame (from dialling,
// handshake included, and from the shell request), the time from a key
// press to the first byte of the new screen, the bytes each screen switch
// sends, and, given the server's pid, its RSS per open session. Traffic
// goes to loopback only.
//
// The user and key choose the console: a partner's key with the program
// slug as user opens the partner portal (tabs 1-6), the admin's key the
// merchant console (tabs 1-7: -keys 2,3,4,5,6,7,1). With -ready, the first
// frame is the output up to the first occurrence of that text (a screen
// that draws a placeholder first is not counted as drawn).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

type result struct {
	err         error
	dialToFirst time.Duration
	shellFirst  time.Duration
	tcp         time.Duration // TCP connect
	handshake   time.Duration // SSH handshake and authentication
	open        time.Duration // session channel and PTY
	switches    []time.Duration
	switchBytes []int
	keys        []string // the key of each switch
}

func main() {
	addr := flag.String("addr", "127.0.0.1:23234", "SSH address (loopback)")
	keyFile := flag.String("key", "", "private key file")
	user := flag.String("user", "", "SSH user name (a program slug opens its partner portal)")
	sessions := flag.Int("sessions", 200, "concurrent sessions")
	keys := flag.String("keys", "2,3,4,5,6,1", "key presses, comma-separated, each a screen switch")
	rounds := flag.Int("rounds", 3, "times each session goes through -keys")
	quiet := flag.Duration("quiet", 150*time.Millisecond, "a screen is complete after this long without output")
	pid := flag.Int("pid", 0, "server pid, for RSS per session")
	dump := flag.String("dump", "", "write the first session's output to this file (debugging)")
	ready := flag.String("ready", "", "the first frame is complete when the output holds this text (default: its first byte)")
	idle := flag.Duration("idle", 2*time.Second, "with -pid: how long every session stays open without a key press before the switches, to measure the server's CPU for open screens")
	pprofURL := flag.String("pprof", "", "the server's pprof base URL (loopback), for -stall-dump")
	stallFile := flag.String("stall-dump", "", "with -pprof: write the server's goroutines here when a key first goes 5 s without an answer")
	flag.Parse()
	stall, err := newStallDump(*pprofURL, *stallFile)
	if err != nil {
		log.Fatalf("sshload: %v", err)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("sshload: -addr %q must be a loopback address", *addr)
	}
	pem, err := os.ReadFile(*keyFile)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		log.Fatal(err)
	}
	cfg := &ssh.ClientConfig{User: *user, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 30 * time.Second}
	presses := strings.Split(*keys, ",")

	// The server's CPU without these sessions (under a click load, the
	// redirector's and the click applier's): what the sessions add is
	// measured against it.
	cpuBase0, tBase0 := cpuMS(*pid), time.Now()
	if *pid > 0 {
		time.Sleep(*idle)
	}
	cpuBase1, tBase1 := cpuMS(*pid), time.Now()
	rss0, anon0 := rssKB(*pid, "VmRSS:"), rssKB(*pid, "RssAnon:")
	cpu0, t0 := cpuMS(*pid), time.Now()
	var wait, done sync.WaitGroup
	wait.Add(*sessions)
	done.Add(*sessions)
	start := make(chan struct{})
	results := make([]result, *sessions)
	for i := range *sessions {
		go func(i int) {
			defer done.Done()
			var w io.Writer
			if i == 0 && *dump != "" {
				f, err := os.Create(*dump)
				if err == nil {
					defer f.Close()
					w = f
				}
			}
			results[i] = session(*addr, cfg, presses, *rounds, *quiet, []byte(*ready), &wait, start, w, stall)
		}(i)
	}
	wait.Wait()
	cpuOpened, tOpened := cpuMS(*pid), time.Now()
	time.Sleep(500 * time.Millisecond)
	rssOpen, anonOpen := rssKB(*pid, "VmRSS:"), rssKB(*pid, "RssAnon:")
	cpuIdle0, tIdle0 := cpuMS(*pid), time.Now()
	if *pid > 0 {
		time.Sleep(*idle)
	}
	cpuIdle1, tIdle1 := cpuMS(*pid), time.Now()
	close(start)
	done.Wait()
	stall.wait()
	cpuDone, tDone := cpuMS(*pid), time.Now()

	var first, shellFirst, sw, tcp, hs, open []time.Duration
	var bytes []int
	byKey := map[string][]time.Duration{}
	failed := 0
	why := map[string]int{} // failures by message
	for _, r := range results {
		if r.err != nil {
			failed++
			why[r.err.Error()]++
			continue
		}
		first = append(first, r.dialToFirst)
		tcp = append(tcp, r.tcp)
		hs = append(hs, r.handshake)
		open = append(open, r.open)
		shellFirst = append(shellFirst, r.shellFirst)
		sw = append(sw, r.switches...)
		for j, k := range r.keys {
			byKey[k] = append(byKey[k], r.switches[j])
		}
		bytes = append(bytes, r.switchBytes...)
	}
	fmt.Printf("sessions %d (failed %d), %d screen switches each\n", *sessions, failed, len(presses)**rounds)
	msgs := slices.Sorted(maps.Keys(why))
	for _, m := range msgs {
		fmt.Printf("  failed: %d × %s\n", why[m], m)
	}
	fmt.Printf("first frame from dial: p50 %s p99 %s max %s\n", pct(first, 50), pct(first, 99), pct(first, 100))
	fmt.Printf("first frame from shell request: p50 %s p99 %s\n", pct(shellFirst, 50), pct(shellFirst, 99))
	fmt.Printf("  split: TCP connect p50 %s p99 %s; SSH handshake+auth p50 %s p99 %s; session+PTY p50 %s p99 %s\n",
		pct(tcp, 50), pct(tcp, 99), pct(hs, 50), pct(hs, 99), pct(open, 50), pct(open, 99))
	fmt.Printf("key press to first byte of the next screen: p50 %s p99 %s\n", pct(sw, 50), pct(sw, 99))
	for _, k := range presses {
		fmt.Printf("  key %s: p50 %s p99 %s\n", k, pct(byKey[k], 50), pct(byKey[k], 99))
	}
	total := 0
	for _, b := range bytes {
		total += b
	}
	if len(bytes) > 0 {
		fmt.Printf("bytes per screen switch: mean %d, p99 %d\n", total/len(bytes), pctInt(bytes, 99))
	}
	if *pid > 0 && cpu0 >= 0 {
		// CPU time is steadier than latency on a shared machine: it is
		// what the server spent, however long it waited for a core.
		perSec := func(ms int, d time.Duration) float64 { return float64(ms) / d.Seconds() }
		base := perSec(cpuBase1-cpuBase0, tBase1.Sub(tBase0))
		n := float64(max(1, *sessions-failed))
		fmt.Printf("server CPU: opening the sessions %d ms in %s (%.1f ms per session); %d screens open without a key press %.0f ms/s; switching screens %.0f ms/s\n",
			cpuOpened-cpu0, tOpened.Sub(t0).Round(time.Millisecond), float64(cpuOpened-cpu0)/n,
			*sessions-failed, perSec(cpuIdle1-cpuIdle0, tIdle1.Sub(tIdle0)), perSec(cpuDone-cpuIdle1, tDone.Sub(tIdle1)))
		// The same less the server's CPU before the sessions (at that
		// rate over the same time): what the sessions themselves cost.
		// The base load does not stay the same (the redirector gets less
		// CPU while the sessions take it), so this is a rough split.
		fmt.Printf("  less the %.0f ms/s before the sessions: opening %.1f ms per session; the open screens %.0f ms/s\n",
			base, (float64(cpuOpened-cpu0)-base*tOpened.Sub(t0).Seconds())/n,
			perSec(cpuIdle1-cpuIdle0, tIdle1.Sub(tIdle0))-base)
	}
	if *pid > 0 && rss0 > 0 {
		fmt.Printf("server RSS: %.1f MB before, %.1f MB with %d sessions open: %.0f KB per session\n",
			float64(rss0)/1024, float64(rssOpen)/1024, *sessions-failed, float64(rssOpen-rss0)/float64(max(1, *sessions-failed)))
	}
	if *pid > 0 && anon0 > 0 {
		// RSS moves with the database's file pages too (mapped by bbolt,
		// read or reclaimed as the kernel likes); anonymous memory is the
		// sessions' own.
		fmt.Printf("server anonymous RSS: %.1f MB before, %.1f MB with %d sessions open: %.0f KB per session\n",
			float64(anon0)/1024, float64(anonOpen)/1024, *sessions-failed, float64(anonOpen-anon0)/float64(max(1, *sessions-failed)))
	}
}

// session opens one dashboard session, waits for its first frame, then
// (after every session is open) presses the keys, each after the previous
// screen went quiet.
func session(addr string, cfg *ssh.ClientConfig, presses []string, rounds int, quiet time.Duration, marker []byte, ready *sync.WaitGroup, start chan struct{}, dump io.Writer, stall *stallDump) (res result) {
	signalled := false
	defer func() {
		if !signalled {
			ready.Done()
			<-start
		}
	}()
	t0 := time.Now()
	conn, err := net.DialTimeout("tcp", addr, cfg.Timeout)
	if err != nil {
		res.err = fmt.Errorf("dial: %w", err)
		return res
	}
	res.tcp = time.Since(t0)
	_ = conn.SetDeadline(time.Now().Add(cfg.Timeout))
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if err != nil {
		conn.Close()
		res.err = fmt.Errorf("handshake: %w", err)
		return res
	}
	_ = conn.SetDeadline(time.Time{})
	res.handshake = time.Since(t0) - res.tcp
	client := ssh.NewClient(c, chans, reqs)
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		res.err = fmt.Errorf("session: %w", err)
		return res
	}
	defer sess.Close()
	if err := sess.RequestPty("xterm-256color", 24, 80, ssh.TerminalModes{ssh.ECHO: 0}); err != nil {
		res.err = fmt.Errorf("pty: %w", err)
		return res
	}
	in, err := sess.StdinPipe()
	if err != nil {
		res.err = err
		return res
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		res.err = err
		return res
	}
	reads := make(chan int, 256)
	drawn := make(chan struct{}) // closed when the output holds marker
	go func() {
		buf := make([]byte, 32<<10)
		var seen []byte // the output until marker shows
		pending := len(marker) > 0
		for {
			n, err := out.Read(buf)
			if n > 0 && dump != nil {
				_, _ = dump.Write(buf[:n])
			}
			if n > 0 && pending {
				seen = append(seen, buf[:n]...)
				if bytes.Contains(seen, marker) {
					close(drawn)
					pending, seen = false, nil
				}
			}
			if n > 0 {
				reads <- n
			}
			if err != nil {
				close(reads)
				return
			}
		}
	}()
	t1 := time.Now()
	res.open = t1.Sub(t0) - res.tcp - res.handshake
	if err := sess.Shell(); err != nil {
		res.err = fmt.Errorf("shell: %w", err)
		return res
	}
	if _, ok := <-reads; !ok {
		res.err = fmt.Errorf("no first frame")
		return res
	}
	if len(marker) > 0 {
		select {
		case <-drawn:
		case <-time.After(30 * time.Second):
			res.err = fmt.Errorf("no %q in the first 30 s", marker)
			return res
		}
	}
	res.dialToFirst, res.shellFirst = time.Since(t0), time.Since(t1)
	drain(reads, quiet)
	signalled = true
	ready.Done()
	<-start
	for range rounds {
		for _, k := range presses {
			pressed := time.Now()
			if _, err := io.WriteString(in, k); err != nil {
				res.err = fmt.Errorf("key %q: %w", k, err)
				return res
			}
			slow := time.After(stallAfter)
			giveUp := time.After(10 * time.Second)
			for answered := false; !answered; {
				select {
				case n, ok := <-reads:
					if !ok {
						res.err = fmt.Errorf("closed after key %q", k)
						return res
					}
					res.switches = append(res.switches, time.Since(pressed))
					res.keys = append(res.keys, k)
					res.switchBytes = append(res.switchBytes, n+drain(reads, quiet))
					answered = true
				case <-slow: // still waiting: what is the server doing?
					stall.take()
					slow = nil
				case <-giveUp:
					res.err = fmt.Errorf("no answer to key %q in 10s", k)
					return res
				}
			}
		}
	}
	_, _ = io.WriteString(in, "q")
	return res
}

// drain reads until nothing came for quiet and returns the bytes read.
func drain(reads chan int, quiet time.Duration) int {
	total := 0
	for {
		select {
		case n, ok := <-reads:
			if !ok {
				return total
			}
			total += n
		case <-time.After(quiet):
			return total
		}
	}
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p+99)/100-1)
	return s[max(0, i)].Round(100 * time.Microsecond)
}

func pctInt(v []int, p int) int {
	s := slices.Clone(v)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p+99)/100-1)
	return s[max(0, i)]
}

// cpuMS is pid's user and system CPU time in ms (-1 when unknown; clock
// ticks of 10 ms, Linux's USER_HZ).
func cpuMS(pid int) int {
	if pid <= 0 {
		return -1
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// The fields after the command name (which may hold spaces).
	i := bytes.LastIndexByte(data, ')')
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return -1
	}
	var utime, stime int
	fmt.Sscan(f[11], &utime)
	fmt.Sscan(f[12], &stime)
	return (utime + stime) * 10
}

// rssKB reads a field of pid's /proc status in KB, such as "VmRSS:" (0
// when unknown).
func rssKB(pid int, field string) int {
	if pid <= 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			var kb int
			fmt.Sscan(f[1], &kb)
			return kb
		}
	}
	return 0
}
