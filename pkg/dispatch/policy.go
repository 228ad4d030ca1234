package dispatch

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// DefaultSchedule is the delays after the first attempt: 8 attempts over
// about a day and a half, like the best open delivery systems.
var DefaultSchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// Policy is how deliveries to one webhook are sent and retried.
type Policy struct {
	// Schedule is the delays after the first attempt; its length is the
	// number of retries.
	Schedule       []time.Duration
	ConnectTimeout time.Duration
	RequestTimeout time.Duration
	// Jitter spreads each delay by ± this fraction (0.2 = ±20 %), so retries
	// of many deliveries do not arrive at a recovering receiver together.
	Jitter float64
	// MaxRetryAfter bounds how far a receiver's Retry-After can push a retry.
	MaxRetryAfter time.Duration
	Ordered       bool
	MaxInFlight   int
}

// DefaultPolicy returns the server's defaults.
func DefaultPolicy() Policy {
	return Policy{Schedule: DefaultSchedule, ConnectTimeout: 3 * time.Second, RequestTimeout: 15 * time.Second,
		Jitter: 0.2, MaxRetryAfter: 6 * time.Hour, MaxInFlight: 4}
}

// MaxTimeout bounds a webhook's own connectTimeout and requestTimeout: a
// claim's lease covers the longest request (Dispatcher.lease), and a longer
// one would also hold a worker and a slot of its webhook that long.
const MaxTimeout = time.Minute

// Bounds on a webhook's own delivery settings, checked by Validate. The
// delivery systems central is measured against retry 7 (Svix) to 24
// (Hook0) times, never wait more than a day between two attempts (the
// Standard Webhooks example's longest step; Svix's and Hook0's is 10h)
// and give up within 8 days (Hook0; Svix after 28h, Stripe 3 days).
const (
	// MaxRetries is the most delays a retrySchedule lists: 21 attempts.
	MaxRetries = 20
	// MinRetryDelay is the shortest delay. The first attempt is already
	// immediate; a retry at once would hit a receiver that has just failed.
	MinRetryDelay = time.Second
	// MaxRetryDelay is the longest delay: a delivery that waits longer sits
	// pending where nobody looks.
	MaxRetryDelay = 24 * time.Hour
	// MaxRetrySpan bounds the sum of the delays: past it a receiver is
	// better fixed and its failed deliveries retried by hand.
	MaxRetrySpan = 8 * 24 * time.Hour
	// MaxInFlightLimit is the largest maxInFlight. The limit counts the
	// requests of every replica; each sends at most its --workers
	// (DefaultWorkers) at once, so more than this is a typo.
	MaxInFlightLimit = 1000
)

// checkSchedule checks a webhook's retrySchedule against the bounds,
// naming the entry at fault.
func checkSchedule(entries []string) error {
	if len(entries) > MaxRetries {
		return &FieldError{"retrySchedule", fmt.Errorf("retrySchedule lists %d delays, more than %d, the most retries a webhook may have: "+
			"space them out instead (the default, %s, keeps trying for about 28 hours in 7 retries)", len(entries), MaxRetries, formatSchedule(DefaultSchedule))}
	}
	var span time.Duration
	for i, v := range entries {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		field := fmt.Sprint("retrySchedule/", i)
		switch {
		case err != nil:
			return &FieldError{field, fmt.Errorf("retrySchedule[%d] is %q, not a duration like 5s, 5m or 2h", i, v)}
		case d < MinRetryDelay:
			return &FieldError{field, fmt.Errorf("retrySchedule[%d] is %q, shorter than %s, the shortest wait before a retry (the first attempt is already immediate)", i, v, MinRetryDelay)}
		case d > MaxRetryDelay:
			return &FieldError{field, fmt.Errorf("retrySchedule[%d] is %q, longer than %s, the longest wait between two attempts: "+
				"to keep trying for longer, list more delays", i, v, formatDuration(MaxRetryDelay))}
		}
		span += d
	}
	if span > MaxRetrySpan {
		return &FieldError{"retrySchedule", fmt.Errorf("retrySchedule adds up to %s, longer than %s (8 days), the longest a delivery may keep being retried: "+
			"shorten it, and retry what still fails by hand (central deliveries retry)", formatDuration(span), formatDuration(MaxRetrySpan))}
	}
	return nil
}

// CheckDefaultSchedule checks the server's own schedule (--retry-schedule)
// against a webhook's bounds, except that a delay may be under a second
// (tests and benchmarks use that). It may not be empty, and no delay may be
// zero, which retries at once against a receiver that has just failed.
func CheckDefaultSchedule(sched []time.Duration) error {
	var span time.Duration
	for i, d := range sched {
		switch {
		case d <= 0:
			return fmt.Errorf("delay %d is %s: a retry needs a delay, such as 5s", i+1, d)
		case d > MaxRetryDelay:
			return fmt.Errorf("delay %d is %s, longer than %s, the longest wait between two attempts: to keep trying for longer, list more delays", i+1, formatDuration(d), formatDuration(MaxRetryDelay))
		}
		span += d
	}
	switch {
	case len(sched) == 0:
		return fmt.Errorf("list at least one delay, such as %s (the default)", formatSchedule(DefaultSchedule))
	case len(sched) > MaxRetries:
		return fmt.Errorf("%d delays, more than %d, the most retries a delivery may have: space them out instead", len(sched), MaxRetries)
	case span > MaxRetrySpan:
		return fmt.Errorf("the delays add up to %s, longer than %s (8 days), the longest a delivery may keep being retried", formatDuration(span), formatDuration(MaxRetrySpan))
	}
	return nil
}

// boundSchedule cuts a schedule saved before Validate bounded it to the
// bounds: the first MaxRetries delays, each within [MinRetryDelay,
// MaxRetryDelay], as many as fit in MaxRetrySpan.
func boundSchedule(sched []time.Duration) []time.Duration {
	out := make([]time.Duration, 0, min(len(sched), MaxRetries))
	var span time.Duration
	for _, d := range sched[:min(len(sched), MaxRetries)] {
		d = min(max(d, MinRetryDelay), MaxRetryDelay)
		if span += d; span > MaxRetrySpan {
			break
		}
		out = append(out, d)
	}
	return out
}

// formatDuration writes 24h rather than 24h0m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

func formatSchedule(sched []time.Duration) string {
	parts := make([]string, len(sched))
	for i, d := range sched {
		parts[i] = formatDuration(d)
	}
	return strings.Join(parts, ",")
}

// ParseSchedule reads "5s,5m,30m" (the --retry-schedule flag).
func ParseSchedule(s string) ([]time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []time.Duration
	for _, part := range strings.Split(s, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil || d < 0 {
			return nil, fmt.Errorf("retry schedule %q: %q is not a duration like 5s, 5m or 2h", s, part)
		}
		out = append(out, d)
	}
	return out, nil
}

// ForWebhook applies a webhook's own overrides to the defaults. Overrides
// saved before Validate bounded them are cut to the bounds, not refused:
// the webhook's deliveries go on.
func (p Policy) ForWebhook(spec *api.WebhookSpec) (Policy, error) {
	o := spec.Delivery
	if o == nil {
		return p, nil
	}
	if len(o.RetrySchedule) > 0 {
		sched, err := ParseSchedule(strings.Join(o.RetrySchedule, ","))
		if err != nil {
			return p, err
		}
		p.Schedule = boundSchedule(sched)
	}
	for _, f := range []struct {
		val string
		dst *time.Duration
	}{{o.ConnectTimeout, &p.ConnectTimeout}, {o.RequestTimeout, &p.RequestTimeout}} {
		if f.val == "" {
			continue
		}
		d, err := time.ParseDuration(f.val)
		if err != nil || d <= 0 {
			return p, fmt.Errorf("timeout %q is not a positive duration like 3s", f.val)
		}
		*f.dst = min(d, MaxTimeout) // Validate refuses more; one saved before it is cut to it
	}
	p.Ordered = o.Ordered
	if o.MaxInFlight > 0 {
		p.MaxInFlight = min(o.MaxInFlight, MaxInFlightLimit)
	}
	return p, nil
}

// FieldError is a delivery setting Validate refuses. Field is the JSON
// pointer of the value under spec.delivery, e.g. "retrySchedule/1".
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Path is Field, for callers that name the pointer without importing this
// package (the API server).
func (e *FieldError) Path() string { return e.Field }

// Validate checks a webhook's delivery overrides when it is saved; the error
// is a *FieldError.
func Validate(spec *api.WebhookSpec) error {
	o := spec.Delivery
	if o == nil {
		return nil
	}
	if err := checkSchedule(o.RetrySchedule); err != nil {
		return err
	}
	var timeouts [2]time.Duration
	for i, f := range []struct{ name, val string }{{"connectTimeout", o.ConnectTimeout}, {"requestTimeout", o.RequestTimeout}} {
		d, err := time.ParseDuration(f.val)
		switch {
		case f.val == "":
		case err != nil || d <= 0:
			return &FieldError{f.name, fmt.Errorf("%s %q is not a positive duration like 3s", f.name, f.val)}
		case d > MaxTimeout:
			return &FieldError{f.name, fmt.Errorf("%s %q is longer than %s, the most a webhook may wait for an answer", f.name, f.val, MaxTimeout)}
		}
		timeouts[i] = d
	}
	if connect, request := timeouts[0], timeouts[1]; connect > 0 && request > 0 && connect > request {
		return &FieldError{"connectTimeout", fmt.Errorf("connectTimeout %q is longer than requestTimeout %q, which bounds the whole attempt, connecting included: "+
			"make it shorter or leave it out", o.ConnectTimeout, o.RequestTimeout)}
	}
	switch {
	case o.MaxInFlight < 0:
		return &FieldError{"maxInFlight", fmt.Errorf("maxInFlight is %d; give a number of requests from 1 to %d, or leave it out for the server's default (%d)",
			o.MaxInFlight, MaxInFlightLimit, DefaultPolicy().MaxInFlight)}
	case o.MaxInFlight > MaxInFlightLimit:
		return &FieldError{"maxInFlight", fmt.Errorf("maxInFlight is %d, more than %d, the most requests one webhook may have in flight; "+
			"each server sends at most its --workers at once (%d by default) whatever the limit", o.MaxInFlight, MaxInFlightLimit, DefaultWorkers)}
	}
	return nil
}

// outcome is what one attempt's result means for its delivery.
type outcome struct {
	retry    bool // try again per the schedule
	disable  bool // 410 Gone: the receiver asks us to stop
	overload bool // 429, or no answer in time: the receiver is swamped
}

// OverloadDelay is the least a retry waits after a 429 or a timeout, which
// say the receiver is swamped: sooner, it would add to the load. It is
// never more than the schedule's longest step (before jitter), so a webhook
// that asked for fast retries keeps them.
const OverloadDelay = time.Minute

// classify sorts an HTTP status: 2xx succeed; 408, 429 and 5xx are retried,
// and so are 3xx (redirects are never followed, the attempt failed); other
// 4xx fail for good; 410 also disables the webhook.
func classify(status int) outcome {
	switch {
	case status == http.StatusGone:
		return outcome{disable: true}
	case status == http.StatusTooManyRequests:
		return outcome{retry: true, overload: true}
	case status == http.StatusRequestTimeout, status >= 500, status >= 300 && status < 400:
		return outcome{retry: true}
	}
	return outcome{}
}

// next returns when to retry after attempt n (1-based) failed, or false when
// the schedule is spent. retryAfter is the receiver's wish, if any; overload
// says the receiver is swamped (OverloadDelay).
func (p Policy) next(n int, retryAfter time.Duration, overload bool, rnd func() float64) (time.Duration, bool) {
	if n-1 >= len(p.Schedule) {
		return 0, false
	}
	d, spread := p.Schedule[n-1], 0.0
	if p.Jitter > 0 {
		spread = p.Jitter * (2*rnd() - 1)
		d = time.Duration(float64(d) * (1 + spread))
	}
	if floor := min(OverloadDelay, slices.Max(p.Schedule)); overload && d < floor {
		// jittered upwards only: the receiver's many failed deliveries
		// would otherwise all come back at the same moment
		d = time.Duration(float64(floor) * (1 + max(spread, -spread)))
	}
	if retryAfter > d {
		d = min(retryAfter, max(p.MaxRetryAfter, p.Schedule[n-1]))
	}
	return d, true
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s > 0 {
		return time.Duration(min(s, 1<<32)) * time.Second // beyond any cap, short of overflowing
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func defaultRand() float64 { return rand.Float64() }
