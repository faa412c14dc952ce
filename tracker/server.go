package tracker

import (
	"html/template"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/charmbracelet/log"

	"github.com/affogato-sh/affogato/assets"
	"github.com/affogato-sh/affogato/store"
)

// Config tunes a Server. The caller sets the defaults (ClickFloodLimit 120,
// APIRateLimit 200); zero turns a limit off.
type Config struct {
	PublicURL       string           // base of referral links, e.g. http://localhost:8080
	ClickFloodLimit int              // clicks per IP per minute recorded; 0 = off
	APIRateLimit    int              // API requests per second per API key; 0 = off
	Logger          *log.Logger      // nil = discard
	Now             func() time.Time // nil = time.Now; Stripe tolerance and rate windows
	// TrustedProxies are the reverse proxies in front of the tracker. Only
	// for a request from one of them is X-Forwarded-For read: the visitor
	// is the rightmost address there that is not a trusted proxy.
	TrustedProxies []netip.Prefix
	// SSHPublicAddr is HOST:PORT that users' ssh reaches (--ssh-public-addr,
	// or the public URL's host and the SSH listen port); the signup page's
	// join commands print it. Empty: the public URL's host, port 22.
	SSHPublicAddr string
	// RequestTimeout bounds reading a request's body and writing its
	// answer (deadlines.go); 0 = DefaultRequestTimeout.
	RequestTimeout time.Duration
}

// Server serves the tracker's HTTP endpoints over one store.
type Server struct {
	st           *store.Store
	cfg          Config
	log          *log.Logger
	now          func() time.Time
	metrics      *metrics
	flood        *floodGuard
	limits       *apiLimiter
	script       *staticFile
	notFound     []byte
	secureCookie bool
	signupTmpl   *template.Template
	dests        destCache       // split destinations (redirectfast.go)
	hdr          redirectHeaders // the redirect's fixed header values
	sshHost      string
	sshPort      string
	handler      http.Handler
	// requestTimeout is Config.RequestTimeout or its default.
	requestTimeout time.Duration
}

// New builds a Server over st. It starts no goroutines and holds nothing that
// needs closing.
func New(st *store.Store, cfg Config) *Server {
	s := &Server{
		st:       st,
		cfg:      cfg,
		log:      cfg.Logger,
		now:      cfg.Now,
		metrics:  newMetrics(),
		flood:    newFloodGuard(cfg.ClickFloodLimit),
		limits:   newAPILimiter(cfg.APIRateLimit),
		script:   newStaticFile(assets.TrackingScript()),
		notFound: assets.NotFoundPage(),

		signupTmpl: parseSignupTemplate(),
		hdr:        newRedirectHeaders(),
	}
	s.metrics.registerOutbox(st)
	s.sshHost, s.sshPort = sshPublicAddr(cfg)
	if s.log == nil {
		s.log = log.New(io.Discard)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.requestTimeout = cfg.RequestTimeout
	if s.requestTimeout <= 0 {
		s.requestTimeout = DefaultRequestTimeout
	}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Scheme == "https" {
		s.secureCookie = true
	}
	s.handler = s.routes()
	return s
}

// Handler returns the HTTP handler serving every tracker endpoint.
func (s *Server) Handler() http.Handler { return s.handler }

// routes wires each endpoint behind its method check, the panic guard and
// the request metrics.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.route(mux, http.MethodGet, "/r/{code}", "redirect", s.redirect) // GET patterns match HEAD too
	s.route(mux, http.MethodGet, "/t.js", "script", s.trackingScript)
	s.route(mux, http.MethodPost, "/api/v1/visits", "visits", s.visits)
	mux.Handle("OPTIONS /api/v1/visits", s.instrument("visits", http.HandlerFunc(s.visitsPreflight)))
	s.route(mux, http.MethodPost, "/api/v1/conversions", "conversions", s.conversions)
	s.route(mux, http.MethodPost, "/api/v1/refunds", "refunds", s.refunds)
	s.route(mux, http.MethodPost, "/webhooks/stripe/{slug}", "stripe", s.stripeWebhook)
	s.route(mux, http.MethodGet, "/healthz", "healthz", s.healthz)
	s.route(mux, http.MethodGet, "/a/{slug}/{id}/{filename}", "asset", s.promoAsset)
	s.route(mux, http.MethodGet, "/p/{slug}", "program_page", s.programPage)
	mux.Handle("GET /metrics", s.instrument("metrics", s.metrics.handler()))
	mux.Handle("/metrics", s.instrument("metrics", http.HandlerFunc(methodNotAllowed(http.MethodGet))))
	mux.Handle("/", s.instrument("other", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, codeNotFound, "no such endpoint: "+r.URL.Path)
	})))
	return mux
}

// route registers h for method+pattern and a JSON 405 for every other method
// on the same path.
func (s *Server) route(mux *http.ServeMux, method, pattern, name string, h http.HandlerFunc) {
	mux.Handle(method+" "+pattern, s.instrument(name, h))
	mux.Handle(pattern, s.instrument(name, http.HandlerFunc(methodNotAllowed(method))))
}

func methodNotAllowed(method string) http.HandlerFunc {
	allow := method
	if method == http.MethodGet {
		allow = "GET, HEAD"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, codeMethodNotAllowed, r.Method+" is not allowed here; use "+allow)
	}
}

// instrument sets the request's deadlines (deadlines.go), recovers panics
// into a JSON 500 and counts the request by route and status code with its
// latency.
func (s *Server) instrument(route string, h http.Handler) http.Handler {
	rm := s.metrics.route(route)
	redirect := route == "redirect"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.setDeadlines(w, r, start, redirect)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.metrics.errors.WithLabelValues("panic").Inc()
				s.log.Error("panic in HTTP handler", "route", route, "path", r.URL.Path, "panic", v)
				if !rec.wrote {
					writeError(rec, http.StatusInternalServerError, codeInternal, "internal error")
				}
			}
			rm.observe(rec.status(), time.Since(start))
		}()
		h.ServeHTTP(rec, r)
	})
}

// statusRecorder remembers the status code written through it.
type statusRecorder struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.code, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.code, r.wrote = http.StatusOK, true
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) status() int {
	if !r.wrote {
		return http.StatusOK
	}
	return r.code
}
