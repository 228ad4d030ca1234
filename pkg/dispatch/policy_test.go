package dispatch

import (
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
)

func TestClassify(t *testing.T) {
	for status, want := range map[int]outcome{
		302: {retry: true}, 400: {}, 401: {}, 404: {}, 408: {retry: true}, 410: {disable: true},
		422: {}, 429: {retry: true, overload: true}, 500: {retry: true}, 502: {retry: true}, 503: {retry: true},
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
		{"overloaded: a minute at least", 1, 0, 0.5, time.Minute, true},
		{"overloaded, jittered upwards", 1, 0, 0, 72 * time.Second, true},
		{"overloaded, jittered upwards too", 1, 0, 0.75, 66 * time.Second, true},
		{"overloaded, Retry-After later", 1, 2 * time.Minute, 0.5, 2 * time.Minute, true},
		{"overloaded, a later step as it is", 2, 0, 0.5, 5 * time.Minute, true},
	} {
		overload := strings.HasPrefix(tc.name, "overloaded")
		got, ok := p.next(tc.n, tc.retryAfter, overload, func() float64 { return tc.rnd })
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: next = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// A webhook that asked for fast retries keeps them when the receiver is
// swamped: the overload delay is never past its longest step.
func TestOverloadDelayWithinTheSchedule(t *testing.T) {
	p := DefaultPolicy()
	p.Schedule, p.Jitter = []time.Duration{time.Second, 10 * time.Second}, 0
	if got, _ := p.next(1, 0, true, nil); got != 10*time.Second {
		t.Errorf("next = %v, want the longest step, 10s", got)
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

// A webhook's retrySchedule and maxInFlight are bounded when it is saved,
// and the error names the entry at fault.
func TestValidateDeliveryBounds(t *testing.T) {
	zeros := make([]string, 200)
	for i := range zeros {
		zeros[i] = "0s"
	}
	twentyOne := strings.Split(strings.Repeat("1m,", MaxRetries+1), ",")[:MaxRetries+1]
	for _, c := range []struct {
		delivery api.WebhookDelivery
		want     string
	}{
		{api.WebhookDelivery{RetrySchedule: zeros}, "retrySchedule lists 200 delays, more than 20"},
		{api.WebhookDelivery{RetrySchedule: twentyOne}, "retrySchedule lists 21 delays, more than 20"},
		{api.WebhookDelivery{RetrySchedule: []string{"5s", "0s"}}, `retrySchedule[1] is "0s", shorter than 1s`},
		{api.WebhookDelivery{RetrySchedule: []string{"500ms"}}, `retrySchedule[0] is "500ms", shorter than 1s`},
		{api.WebhookDelivery{RetrySchedule: []string{"-5s"}}, `retrySchedule[0] is "-5s", shorter than 1s`},
		{api.WebhookDelivery{RetrySchedule: []string{"100000h"}}, `retrySchedule[0] is "100000h", longer than 24h`},
		{api.WebhookDelivery{RetrySchedule: []string{"1m", "24h1s"}}, `retrySchedule[1] is "24h1s", longer than 24h`},
		{api.WebhookDelivery{RetrySchedule: []string{"1m", "soon"}}, `retrySchedule[1] is "soon", not a duration`},
		{api.WebhookDelivery{RetrySchedule: []string{"1m", ""}}, `retrySchedule[1] is "", not a duration`},
		{api.WebhookDelivery{RetrySchedule: []string{"5s,5m"}}, `retrySchedule[0] is "5s,5m", not a duration`},
		{api.WebhookDelivery{RetrySchedule: strings.Split("24h,24h,24h,24h,24h,24h,24h,24h,1s", ",")}, "retrySchedule adds up to 192h0m1s, longer than 192h (8 days)"},
		{api.WebhookDelivery{MaxInFlight: -1}, "maxInFlight is -1; give a number of requests from 1 to 1000"},
		{api.WebhookDelivery{MaxInFlight: 1000000}, "maxInFlight is 1000000, more than 1000"},
		{api.WebhookDelivery{MaxInFlight: math.MaxInt}, "more than 1000"}, // refused long before it overflows PostgreSQL's integer column
		{api.WebhookDelivery{ConnectTimeout: "30s", RequestTimeout: "1s"}, `connectTimeout "30s" is longer than requestTimeout "1s", which bounds the whole attempt`},
	} {
		err := Validate(&api.WebhookSpec{Delivery: &c.delivery})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error mentioning %q", c.delivery, err, c.want)
		}
	}
	for _, ok := range []api.WebhookDelivery{
		{RetrySchedule: []string{"1s"}},
		{RetrySchedule: []string{"5s", "5m", "30m", "2h", "5h", "10h", "10h"}},               // Svix's
		{RetrySchedule: []string{"5s", "5m", "30m", "2h", "5h", "10h", "14h", "20h", "24h"}}, // Standard Webhooks'
		{RetrySchedule: twentyOne[:MaxRetries]},
		{RetrySchedule: strings.Split("24h,24h,24h,24h,24h,24h,24h,24h", ",")}, // exactly the span
		{MaxInFlight: 1}, {MaxInFlight: MaxInFlightLimit}, {MaxInFlight: 0},
		{ConnectTimeout: "5s", RequestTimeout: "5s"}, {ConnectTimeout: "30s"}, // the server's --request-timeout may be longer
	} {
		if err := Validate(&api.WebhookSpec{Delivery: &ok}); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}

// A schedule or limit saved before Validate bounded them is cut to the
// bounds when its webhook is read for sending, not refused.
func TestForWebhookBoundsStoredOverrides(t *testing.T) {
	zeros := make([]string, 200)
	for i := range zeros {
		zeros[i] = "0s"
	}
	for _, c := range []struct {
		schedule []string
		want     []time.Duration
	}{
		{zeros, slices.Repeat([]time.Duration{time.Second}, MaxRetries)},
		{[]string{"1m", "100000h"}, []time.Duration{time.Minute, 24 * time.Hour}},
		{strings.Split("24h,24h,24h,24h,24h,24h,24h,24h,24h,24h", ","), slices.Repeat([]time.Duration{24 * time.Hour}, 8)},
		{[]string{"10ms", "5m"}, []time.Duration{time.Second, 5 * time.Minute}},
	} {
		p, err := DefaultPolicy().ForWebhook(&api.WebhookSpec{Delivery: &api.WebhookDelivery{RetrySchedule: c.schedule, MaxInFlight: 1000000}})
		if err != nil || !slices.Equal(p.Schedule, c.want) || p.MaxInFlight != MaxInFlightLimit {
			t.Errorf("%d delays from %q: %v (maxInFlight %d) %v, want %v", len(c.schedule), c.schedule[0], p.Schedule, p.MaxInFlight, err, c.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		10 * time.Second: "10s", 5 * time.Minute: "5m", 90 * time.Minute: "1h30m", 24 * time.Hour: "24h",
		24*time.Hour + time.Second: "24h0m1s", 1500 * time.Millisecond: "1.5s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
