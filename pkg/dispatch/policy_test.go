package dispatch

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
)

func TestClassify(t *testing.T) {
	for status, want := range map[int]outcome{
		302: {retry: true}, 400: {}, 401: {}, 404: {}, 408: {retry: true}, 410: {disable: true},
		422: {}, 429: {retry: true}, 500: {retry: true}, 502: {retry: true}, 503: {retry: true},
	} {
		if got := classify(status); got != want {
			t.Errorf("classify(%d) = %+v, want %+v", status, got, want)
		}
	}
}

func TestNextDelay(t *testing.T) {
	p := DefaultPolicy()
	for _, tc := range []struct {
		name       string
		n          int
		retryAfter time.Duration
		rnd        float64
		want       time.Duration
		ok         bool
	}{
		{"first retry, no jitter", 1, 0, 0.5, 5 * time.Second, true},
		{"jitter low end", 2, 0, 0, 4 * time.Minute, true},
		{"jitter high end", 2, 0, 1, 6 * time.Minute, true},
		{"Retry-After later than the schedule", 1, time.Hour, 0.5, time.Hour, true},
		{"Retry-After bounded", 1, 48 * time.Hour, 0.5, 6 * time.Hour, true},
		{"Retry-After sooner than the schedule is ignored", 3, time.Second, 0.5, 30 * time.Minute, true},
		{"schedule spent", 8, 0, 0.5, 0, false},
	} {
		got, ok := p.next(tc.n, tc.retryAfter, func() float64 { return tc.rnd })
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: next = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"120": 2 * time.Minute, "": 0, "soon": 0, "-5": 0, "99999999999": (1 << 32) * time.Second,
		now.Add(time.Hour).Format(http.TimeFormat):  time.Hour,
		now.Add(-time.Hour).Format(http.TimeFormat): 0,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestForWebhook(t *testing.T) {
	spec := &api.WebhookSpec{Delivery: &api.WebhookDelivery{RetrySchedule: []string{"1s", "2m"}, ConnectTimeout: "1s",
		RequestTimeout: "40s", Ordered: true, MaxInFlight: 9}}
	p, err := DefaultPolicy().ForWebhook(spec)
	if err != nil || len(p.Schedule) != 2 || p.Schedule[1] != 2*time.Minute || p.ConnectTimeout != time.Second ||
		p.RequestTimeout != 40*time.Second || !p.Ordered || p.MaxInFlight != 9 {
		t.Fatalf("override: %+v %v", p, err)
	}
	for _, bad := range []*api.WebhookDelivery{{RetrySchedule: []string{"soon"}}, {RequestTimeout: "-1s"}, {ConnectTimeout: "x"},
		{RequestTimeout: "61s"}, {ConnectTimeout: "2m"}} {
		if err := Validate(&api.WebhookSpec{Delivery: bad}); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	if err := Validate(&api.WebhookSpec{Delivery: &api.WebhookDelivery{RequestTimeout: "5m"}}); err == nil ||
		!strings.Contains(err.Error(), `"5m" is longer than 1m0s`) {
		t.Errorf("a timeout over MaxTimeout: %v", err)
	}
	if err := Validate(&api.WebhookSpec{}); err != nil {
		t.Errorf("no overrides: %v", err)
	}
	// One saved before the bound is cut to it, not refused: its deliveries go on.
	long := &api.WebhookSpec{Delivery: &api.WebhookDelivery{RequestTimeout: "10m"}}
	if p, err := DefaultPolicy().ForWebhook(long); err != nil || p.RequestTimeout != MaxTimeout {
		t.Errorf("a stored 10m timeout: %v %v, want %v", p.RequestTimeout, err, MaxTimeout)
	}
	if _, err := ParseSchedule("5s, 5m,30m"); err != nil {
		t.Fatal(err)
	}
}

func TestSigningKeys(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	data := map[string]string{SigningCurrent: "new", SigningPrevious: "old",
		SigningPreviousValidUntil: api.NewTime(now.Add(time.Hour)).String()}
	if got := SigningKeys(data, now); len(got) != 2 || got[0] != "new" {
		t.Fatalf("during the overlap: %v", got)
	}
	if got := SigningKeys(data, now.Add(2*time.Hour)); len(got) != 1 {
		t.Fatalf("after the overlap: %v", got)
	}
}
