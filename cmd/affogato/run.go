package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"runtime"
	"time"

	"github.com/affogato-sh/affogato/payouts"
	"github.com/affogato-sh/affogato/payouts/outbound"
	"github.com/affogato-sh/affogato/store"
	"github.com/affogato-sh/affogato/tracker"
	"github.com/affogato-sh/affogato/tui"
	"github.com/charmbracelet/log"
	"github.com/charmbracelet/ssh"
)

// run starts the SSH and HTTP servers on one store and serves until ctx
// ends; then it stops both before closing the store.
func run(ctx context.Context, cfg Config, logger *log.Logger) error {
	mail, err := mailer(cfg)
	if err != nil {
		return err
	}
	st, err := store.Open(cfg.DataDir, store.Options{ClickRetentionDays: cfg.ClickRetentionDays, Mail: mail != nil,
		ResidentFileLimit: residentFileLimit(cfg.ResidentFileLimitMB)})
	if err != nil {
		return err
	}
	defer st.Close()

	httpLn, err := listenHTTP(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	sshLn, err := net.Listen("tcp", cfg.SSHAddr)
	if err != nil {
		httpLn.Close()
		return fmt.Errorf("ssh listen %s: %w", cfg.SSHAddr, err)
	}

	sshPublic := sshPublicAddr(cfg, sshLn.Addr())
	trk := tracker.New(st, tracker.Config{PublicURL: cfg.PublicURL, ClickFloodLimit: cfg.ClickFloodLimit,
		APIRateLimit: cfg.APIRateLimit, Logger: logger.WithPrefix("http"), TrustedProxies: cfg.TrustedProxies,
		SSHPublicAddr: sshPublic})
	httpSrv := newHTTPServer(trk.Handler()) // httpserver.go

	guard := outbound.New(outbound.Options{AllowPrivate: cfg.AllowPrivateTargets, Timeout: 30 * time.Second})
	pay := payouts.NewService(st, guard, logger.WithPrefix("payouts"))
	sshSrv, err := tui.New(st, tui.Config{Addr: cfg.SSHAddr, DataDir: cfg.DataDir, PublicURL: cfg.PublicURL,
		AdminKeys: cfg.AdminKeys, OpenSignup: cfg.OpenSignup, IdleTimeout: cfg.IdleTimeout,
		MaxSessions: cfg.MaxSessions, Limits: cfg.SSHLimits, Logger: logger.WithPrefix("ssh"), Payouts: pay, SSHPublicAddr: sshPublic,
		MemoryPerScreen: memoryPerScreen})
	if err != nil {
		httpLn.Close()
		sshLn.Close()
		return err
	}

	errc := make(chan error, 2)
	go func() {
		if err := httpSrv.Serve(httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()
	go func() {
		if err := sshSrv.Serve(sshLn); err != nil && !errors.Is(err, ssh.ErrServerClosed) {
			errc <- fmt.Errorf("ssh: %w", err)
		}
	}()
	auto := startAutomation(cfg, st, pay, mail, sshPublic, logger)
	if cfg.PprofAddr != "" {
		go servePprof(cfg.PprofAddr, logger)
	}
	logger.Info("affogato started", "ssh", sshLn.Addr().String(), "http", httpLn.Addr().String(),
		"data", cfg.DataDir, "public_url", cfg.PublicURL, "admin_keys", len(cfg.AdminKeys))
	if len(cfg.AdminKeys) == 0 && !cfg.OpenSignup {
		logger.Warn("no --admin-key: nobody can create programs; connect once over ssh to get the line to restart with")
	}

	var runErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case runErr = <-errc:
		logger.Error("server failed", "err", runErr)
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sshSrv.Shutdown(shutCtx); err != nil {
		logger.Warn("ssh shutdown", "err", err)
	}
	if err := httpSrv.Shutdown(shutCtx); err != nil {
		logger.Warn("http shutdown", "err", err)
	}
	auto.Stop()
	return runErr
}

// mutexProfileRate is the share (1 in this many) of contended lock events
// the mutex profile records while --pprof-addr is set.
const mutexProfileRate = 100

// servePprof serves the Go profiler on its own listener (never on the
// public HTTP port).
func servePprof(addr string, logger *log.Logger) {
	defer func() {
		if p := recover(); p != nil {
			logger.Error("pprof panic", "panic", p)
		}
	}()
	// The mutex profile (/debug/pprof/mutex) samples contended locks only
	// when asked to; one in mutexProfileRate is enough to see them.
	runtime.SetMutexProfileFraction(mutexProfileRate)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	logger.Info("pprof listening", "addr", addr)
	if err := srv.ListenAndServe(); err != nil {
		logger.Warn("pprof", "err", err)
	}
}

// sshPublicAddr is the HOST:PORT every hint prints for ssh: --ssh-public-addr
// when set, else --public-url's host with the port SSH listens on.
func sshPublicAddr(cfg Config, listen net.Addr) string {
	if cfg.SSHPublicAddr != "" {
		return cfg.SSHPublicAddr
	}
	host := "localhost"
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	port := "22"
	if _, p, err := net.SplitHostPort(listen.String()); err == nil {
		port = p
	}
	return net.JoinHostPort(host, port)
}

// residentFileLimit turns --resident-file-limit (MB; 0 default, -1
// never) into store.Options.ResidentFileLimit (bytes; the same meanings).
func residentFileLimit(mb int) int64 {
	if mb < 0 {
		return -1
	}
	return int64(mb) << 20
}
