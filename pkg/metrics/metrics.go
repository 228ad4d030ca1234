// Package metrics exposes the server's figures in the Prometheus text
// format: deliveries by outcome, attempt latency, the queue's depth and age
// (in all and per webhook), events appended, API requests by route and
// status, and failures per webhook, with a few figures of the Go runtime and
// the process.
//
// It writes the text exposition format (version 0.0.4) itself rather than
// use the Prometheus client library, whose package initialisation every
// start of the CLI would pay for.
package metrics

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// Metrics holds the figures of one server. It is safe for concurrent use.
type Metrics struct {
	attempts        counterVec
	attemptSeconds  histogramVec
	deliveries      counterVec
	webhookFailures counterVec
	events          counterVec
	requests        counterVec
	requestSeconds  histogramVec
	pending         Pending
	now             func() time.Time
}

// Pending reports the queue: each webhook's pending deliveries, for those
// that have any.
type Pending func(ctx context.Context) ([]store.PendingCount, error)

// New makes the metrics of one server; pending, if not nil, is read at
// scrape time.
func New(pending Pending, now func() time.Time) *Metrics {
	if now == nil {
		now = time.Now
	}
	m := &Metrics{pending: pending, now: now,
		attempts: newCounterVec("central_delivery_attempts_total",
			"Webhook delivery attempts by error class (empty for success) and trigger.", "error_class", "trigger"),
		attemptSeconds: newHistogramVec("central_delivery_attempt_duration_seconds",
			"How long webhook requests took, by outcome.", exponentialBounds(0.001, 2.5, 12), "outcome"),
		deliveries: newCounterVec("central_deliveries_total",
			"Attempt results by what follows: succeeded, retry (pending again) or failed (for good).", "outcome"),
		webhookFailures: newCounterVec("central_webhook_failures_total",
			"Failed attempts per webhook (scope kind, scope name, name).", "scope_kind", "scope_name", "webhook"),
		events: newCounterVec("central_events_appended_total",
			"Events committed to the log, by type.", "type"),
		requests: newCounterVec("central_api_requests_total",
			"API requests by route pattern, method and status code.", "route", "method", "code"),
		requestSeconds: newHistogramVec("central_api_request_duration_seconds",
			"API request latency by route pattern and method.", exponentialBounds(0.0005, 2.5, 12), "route", "method"),
	}
	// Published at 0 from the start: an alert on increase() misses the
	// first failure of a series that is born at 1.
	for _, outcome := range []string{"succeeded", "retry", "failed"} {
		m.deliveries.with(nil, outcome)
	}
	return m
}

// Handler serves the metrics in the Prometheus text format. If the queue
// cannot be read, the rest is served all the same, with central_store_up 0
// in place of the queue's figures: an outage of the store must not take the
// counters that would show it away with it.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		if err := m.Write(r.Context(), &buf); err != nil {
			http.Error(w, "reading the metrics: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write(buf.Bytes())
	})
}

// Write writes every metric in the text format, ordered by name.
func (m *Metrics) Write(ctx context.Context, w io.Writer) error {
	fams := []family{
		m.attempts.family(), m.attemptSeconds.family(), m.deliveries.family(), m.webhookFailures.family(),
		m.events.family(), m.requests.family(), m.requestSeconds.family(),
	}
	if m.pending != nil {
		up := 1.0
		if queue, err := m.queue(ctx); err == nil {
			fams = append(fams, queue...)
		} else {
			up = 0
		}
		fams = append(fams, gauge("central_store_up",
			"1 when the store answered this scrape's read of the delivery queue, 0 when it did not.", up))
	}
	fams = append(fams, runtimeFamilies()...)
	fams = append(fams, processFamilies()...)
	slices.SortFunc(fams, func(a, b family) int { return strings.Compare(a.name, b.name) })
	return writeText(w, fams)
}

// queue reads the queue from the store: in all, and per webhook, so that a
// webhook held at its maxInFlight, or failing, can be told from a dispatcher
// that is behind.
func (m *Metrics) queue(ctx context.Context) ([]family, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ps, err := m.pending(ctx)
	if err != nil {
		return nil, fmt.Errorf("the delivery queue: %w", err)
	}
	now := m.now()
	age := func(oldest time.Time) float64 { return max(0, now.Sub(oldest).Seconds()) }
	depth := family{name: "central_webhook_queue_depth", kind: "gauge",
		help: "Pending deliveries per webhook (scope kind, scope name, name); left out for a webhook with none."}
	ages := family{name: "central_webhook_queue_oldest_age_seconds", kind: "gauge",
		help: "How long the webhook's most overdue pending delivery has been due (0 when none is overdue; deliveries an ordered webhook holds behind an earlier one are not overdue); left out for a webhook with none."}
	total, oldest := 0, 0.0
	for _, p := range ps {
		labels := []label{{"scope_kind", p.Webhook.Scope.Kind}, {"scope_name", p.Webhook.Scope.Name}, {"webhook", p.Webhook.Name}}
		depth.samples = append(depth.samples, sample{labels: labels, value: float64(p.Count)})
		ages.samples = append(ages.samples, sample{labels: labels, value: age(p.Oldest)})
		total, oldest = total+p.Count, max(oldest, age(p.Oldest))
	}
	for _, f := range []*family{&depth, &ages} {
		slices.SortFunc(f.samples, func(a, b sample) int {
			return slices.CompareFunc(a.labels, b.labels, func(x, y label) int { return strings.Compare(x.value, y.value) })
		})
	}
	return []family{
		gauge("central_delivery_queue_depth", "Deliveries pending (due now, waiting for a retry, or held behind an earlier one).", float64(total)),
		gauge("central_delivery_queue_oldest_age_seconds",
			"How long the most overdue pending delivery has been due (0 when none is overdue; deliveries an ordered webhook holds behind an earlier one are not overdue).", oldest),
		depth, ages,
	}, nil
}

// Attempt records one delivery attempt and what followed it.
func (m *Metrics) Attempt(w api.WebhookRef, a api.Attempt, status api.DeliveryStatus) {
	m.attempts.inc(string(a.ErrorClass), string(a.Trigger))
	outcome := "success"
	if a.ErrorClass != "" {
		outcome = "failure"
		m.webhookFailures.inc(w.Scope.Kind, w.Scope.Name, w.Name)
	}
	m.attemptSeconds.observe(float64(a.DurationMs)/1000, outcome)
	switch status {
	case api.DeliveryPending:
		m.deliveries.inc("retry")
	default:
		m.deliveries.inc(string(status))
	}
}

// Events records committed events.
func (m *Metrics) Events(evs []*api.Event) {
	for _, ev := range evs {
		m.events.inc(string(ev.Type))
	}
}

// Request records one API request; route is the ServeMux pattern, so the
// label set stays small whatever the names in the paths.
func (m *Metrics) Request(route, method string, code int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.inc(route, method, strconv.Itoa(code))
	m.requestSeconds.observe(d.Seconds(), route, method)
}
