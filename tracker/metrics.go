package tracker

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Reasons a click was redirected but not recorded.
const (
	skipBot        = "bot"
	skipHead       = "head"
	skipFlood      = "flood"
	skipUnapproved = "unapproved"
	skipError      = "error"
)

// metrics is one Server's Prometheus registry and collectors (never the
// global default registry, so several servers can live in one process).
type metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	clicks        prometheus.Counter
	clicksSkipped *prometheus.CounterVec
	conversions   *prometheus.CounterVec
	refunds       *prometheus.CounterVec
	stripeEvents  *prometheus.CounterVec
	rateLimited   prometheus.Counter
	errors        *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "affogato_http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "affogato_http_request_duration_seconds",
			Help:    "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		clicks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "affogato_clicks_recorded_total",
			Help: "Referral clicks recorded.",
		}),
		clicksSkipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "affogato_clicks_not_recorded_total",
			Help: "Referral visits redirected but not recorded, by reason (bot, head, flood, unapproved, error).",
		}, []string{"reason"}),
		conversions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "affogato_conversions_total",
			Help: "Conversions accepted, by source (api, stripe) and result (created, repeat).",
		}, []string{"source", "result"}),
		refunds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "affogato_refunds_total",
			Help: "Refunds accepted, by source (api, stripe) and result (created, repeat).",
		}, []string{"source", "result"}),
		stripeEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "affogato_stripe_events_total",
			Help: "Verified Stripe events by result (processed, duplicate, ignored, rejected).",
		}, []string{"result"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "affogato_api_rate_limited_total",
			Help: "API requests refused with 429 by the per-key rate limit.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "affogato_errors_total",
			Help: "Errors by kind (store, click, panic, stripe_conflict, stripe_rejected).",
		}, []string{"kind"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.clicks, m.clicksSkipped, m.conversions,
		m.refunds, m.stripeEvents, m.rateLimited, m.errors,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Export every known series from the start, at zero.
	for _, reason := range []string{skipBot, skipHead, skipFlood, skipUnapproved, skipError, skipSite} {
		m.clicksSkipped.WithLabelValues(reason)
	}
	for _, source := range []string{"api", "stripe"} {
		for _, res := range []string{"created", "repeat"} {
			m.conversions.WithLabelValues(source, res)
			m.refunds.WithLabelValues(source, res)
		}
	}
	for _, res := range []string{"processed", "duplicate", "ignored", "rejected"} {
		m.stripeEvents.WithLabelValues(res)
	}
	for _, kind := range []string{"store", "click", "panic", "stripe_conflict", "stripe_rejected"} {
		m.errors.WithLabelValues(kind)
	}
	return m
}

// routeMetrics are one route's request series, resolved once: the
// latency histogram, and the request counter of each status code as it is
// first answered (so that /metrics lists only codes that occurred).
type routeMetrics struct {
	m       *metrics
	route   string
	latency prometheus.Observer
	codes   [600]atomic.Pointer[prometheus.Counter]
}

// route returns the series of route.
func (m *metrics) route(route string) *routeMetrics {
	return &routeMetrics{m: m, route: route, latency: m.latency.WithLabelValues(route)}
}

// observe counts one request answered with code after d.
func (rm *routeMetrics) observe(code int, d time.Duration) {
	rm.counter(code).Inc()
	rm.latency.Observe(d.Seconds())
}

func (rm *routeMetrics) counter(code int) prometheus.Counter {
	if code < 0 || code >= len(rm.codes) {
		return rm.m.requests.WithLabelValues(rm.route, strconv.Itoa(code))
	}
	if c := rm.codes[code].Load(); c != nil {
		return *c
	}
	c := rm.m.requests.WithLabelValues(rm.route, strconv.Itoa(code))
	rm.codes[code].Store(&c)
	return c
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// result names a store write's outcome for the metrics.
func result(created bool) string {
	if created {
		return "created"
	}
	return "repeat"
}
