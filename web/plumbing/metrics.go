package plumbing

import (
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"tokenward/store"
)

// Metrics are the server's Prometheus metrics, in a registry of its own so
// that two servers in one test binary do not collide.
type Metrics struct {
	reg        *prometheus.Registry
	counters   sync.Map // "route method status" → prometheus.Counter, to skip the label lookup
	requests   *prometheus.CounterVec
	checks     *prometheus.CounterVec
	flushTime  prometheus.Histogram
	flushBatch prometheus.Histogram
	flushFails prometheus.Counter
}

func NewMetrics(db *store.DB) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tokenward_http_requests_total",
		Help: "HTTP requests by route pattern, method and status."}, []string{"route", "method", "status"})
	m.checks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tokenward_token_checks_total",
		Help: "Bearer token checks by outcome: ok, malformed, unknown, revoked, disabled, expired, rotated, owner_disabled, missing, insufficient_scope, quota_exceeded."},
		[]string{"outcome"})
	m.flushTime = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "tokenward_usage_flush_seconds",
		Help: "Time to write one batch of token uses.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)})
	m.flushBatch = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "tokenward_usage_flush_uses",
		Help: "Token uses (per token and IP) written in one batch.", Buckets: prometheus.ExponentialBuckets(1, 4, 10)})
	m.flushFails = prometheus.NewCounter(prometheus.CounterOpts{Name: "tokenward_usage_flush_failures_total",
		Help: "Batches of token uses that failed to write and were kept for the next flush."})
	reader, writer := db.Pools()
	m.reg.MustRegister(m.requests, m.checks, m.flushTime, m.flushBatch, m.flushFails,
		collectors.NewDBStatsCollector(reader, "reader"), collectors.NewDBStatsCollector(writer, "writer"),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) check(outcome string) { m.checks.WithLabelValues(outcome).Inc() }

func (m *Metrics) Flushed(d time.Duration, uses int, err error) {
	if err != nil {
		m.flushFails.Inc()
		return
	}
	m.flushTime.Observe(d.Seconds())
	m.flushBatch.Observe(float64(uses))
}

// count is middleware counting requests by route pattern (never the raw
// path, which would grow the label set without bound).
func (m *Metrics) count(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		status := c.Response().Status
		if err != nil {
			status = describe(err).status
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		m.request(route, c.Request().Method, status).Inc()
		return err
	}
}

// request is the counter for one route, method and status.
func (m *Metrics) request(route, method string, status int) prometheus.Counter {
	key := route + " " + method + " " + strconv.Itoa(status)
	if c, ok := m.counters.Load(key); ok {
		return c.(prometheus.Counter)
	}
	c := m.requests.WithLabelValues(route, method, strconv.Itoa(status))
	m.counters.Store(key, c)
	return c
}

// Handler serves /metrics in the Prometheus text format.
func (m *Metrics) Handler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}
