// Package metrics exposes the server's figures in the Prometheus format:
// deliveries by outcome, attempt latency, the queue's depth and age, events
// appended, API requests by route and status, and failures per webhook.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/centralhq/central/pkg/api"
)

// Metrics holds the collectors of one server.
type Metrics struct {
	registry        *prometheus.Registry
	attempts        *prometheus.CounterVec
	attemptSeconds  *prometheus.HistogramVec
	deliveries      *prometheus.CounterVec
	webhookFailures *prometheus.CounterVec
	events          *prometheus.CounterVec
	requests        *prometheus.CounterVec
	requestSeconds  *prometheus.HistogramVec
}

// Pending reports the queue: how many deliveries are pending and the due
// time of the oldest.
type Pending func(ctx context.Context) (int, time.Time, error)

// New registers every collector; pending is read at scrape time.
func New(pending Pending, now func() time.Time) *Metrics {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{registry: r,
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "central_delivery_attempts_total",
			Help: "Webhook delivery attempts by error class (empty for success) and trigger."}, []string{"error_class", "trigger"}),
		attemptSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "central_delivery_attempt_duration_seconds",
			Help: "How long webhook requests took, by outcome.", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)}, []string{"outcome"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "central_deliveries_total",
			Help: "Attempt results by what follows: succeeded, retry (pending again) or failed (for good)."}, []string{"outcome"}),
		webhookFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "central_webhook_failures_total",
			Help: "Failed attempts per webhook (scope kind, scope name, name)."}, []string{"scope_kind", "scope_name", "webhook"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "central_events_appended_total",
			Help: "Events committed to the log, by type."}, []string{"type"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "central_api_requests_total",
			Help: "API requests by route pattern, method and status code."}, []string{"route", "method", "code"}),
		requestSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "central_api_request_duration_seconds",
			Help: "API request latency by route pattern and method.", Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12)}, []string{"route", "method"}),
	}
	r.MustRegister(m.attempts, m.attemptSeconds, m.deliveries, m.webhookFailures, m.events, m.requests, m.requestSeconds)
	if pending != nil {
		r.MustRegister(&queueCollector{pending: pending, now: now})
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Attempt records one delivery attempt and what followed it.
func (m *Metrics) Attempt(w api.WebhookRef, a api.Attempt, status api.DeliveryStatus) {
	m.attempts.WithLabelValues(string(a.ErrorClass), string(a.Trigger)).Inc()
	outcome := "success"
	if a.ErrorClass != "" {
		outcome = "failure"
		m.webhookFailures.WithLabelValues(w.Scope.Kind, w.Scope.Name, w.Name).Inc()
	}
	m.attemptSeconds.WithLabelValues(outcome).Observe(float64(a.DurationMs) / 1000)
	switch status {
	case api.DeliveryPending:
		m.deliveries.WithLabelValues("retry").Inc()
	default:
		m.deliveries.WithLabelValues(string(status)).Inc()
	}
}

// Events records committed events.
func (m *Metrics) Events(evs []*api.Event) {
	for _, ev := range evs {
		m.events.WithLabelValues(string(ev.Type)).Inc()
	}
}

// Request records one API request; route is the ServeMux pattern, so the
// label set stays small whatever the names in the paths.
func (m *Metrics) Request(route, method string, code int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.requestSeconds.WithLabelValues(route, method).Observe(d.Seconds())
}

// queueCollector reads the queue from the store at scrape time.
type queueCollector struct {
	pending Pending
	now     func() time.Time
}

var (
	depthDesc = prometheus.NewDesc("central_delivery_queue_depth", "Deliveries pending (due now or waiting for a retry).", nil, nil)
	ageDesc   = prometheus.NewDesc("central_delivery_queue_oldest_age_seconds",
		"How long the most overdue pending delivery has been due (0 when none is overdue).", nil, nil)
)

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- depthDesc; ch <- ageDesc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, oldest, err := c.pending(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(depthDesc, err)
		return
	}
	age := 0.0
	if !oldest.IsZero() {
		age = max(0, c.now().Sub(oldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(ageDesc, prometheus.GaugeValue, age)
}
