package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// scraped is a parsed exposition: families by name.
type scraped map[string]*parsedFamily

type parsedFamily struct {
	help, kind string
	samples    map[string]float64 // by name{labels}, labels in the order written
	order      []string
}

// parseText parses the text exposition format strictly: HELP then TYPE
// before a family's samples, each family once, sample names that belong
// to the family, quoted and escaped label values, numeric values.
func parseText(t *testing.T, text string) scraped {
	t.Helper()
	out := scraped{}
	var cur *parsedFamily
	var curName string
	if !strings.HasSuffix(text, "\n") {
		t.Fatalf("the output does not end with a newline")
	}
	for n, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("line %d %q: %s", n+1, line, fmt.Sprintf(format, args...))
		}
		if line != strings.TrimSpace(line) || line == "" {
			fail("blank, or spaces around")
		}
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			name, help, _ := strings.Cut(rest, " ")
			if out[name] != nil {
				fail("family %s appears twice", name)
			}
			help = strings.NewReplacer(`\\`, `\`, `\n`, "\n").Replace(help)
			cur, curName = &parsedFamily{help: help, samples: map[string]float64{}}, name
			out[name] = cur
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, kind, _ := strings.Cut(rest, " ")
			if cur == nil || name != curName || cur.kind != "" {
				fail("TYPE not right after the HELP of its family")
			}
			switch kind {
			case "counter", "gauge", "histogram", "summary":
			default:
				fail("unknown type")
			}
			cur.kind = kind
			continue
		}
		if cur == nil || cur.kind == "" {
			fail("a sample before HELP and TYPE")
		}
		key, value := parseSample(line, fail)
		name, _, _ := strings.Cut(key, "{")
		suffix := strings.TrimPrefix(name, curName)
		allowed := map[string][]string{"counter": {""}, "gauge": {""}, "histogram": {"_bucket", "_sum", "_count"}, "summary": {"", "_sum", "_count"}}
		if !strings.HasPrefix(name, curName) || !contains(allowed[cur.kind], suffix) {
			fail("sample %s does not belong to %s %s", name, cur.kind, curName)
		}
		if _, dup := cur.samples[key]; dup {
			fail("series twice")
		}
		cur.samples[key] = value
		cur.order = append(cur.order, key)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// parseSample reads `name{a="x",b="y"} value` and returns the key
// name{a="x",b="y"} with the label values unescaped, and the value.
func parseSample(line string, fail func(string, ...any)) (string, float64) {
	i := strings.IndexAny(line, "{ ")
	if i <= 0 {
		fail("no value")
	}
	key, rest := line[:i], line[i:]
	if rest[0] == '{' {
		rest = rest[1:]
		var labels []string
		for {
			name, after, ok := strings.Cut(rest, `="`)
			if !ok || name == "" || strings.ContainsAny(name, `{}," `) {
				fail("bad label name")
			}
			var value strings.Builder
			j := 0
			for ; j < len(after) && after[j] != '"'; j++ {
				if after[j] == '\\' {
					j++
					switch {
					case j == len(after):
						fail("dangling backslash")
					case after[j] == 'n':
						value.WriteByte('\n')
					case after[j] == '\\' || after[j] == '"':
						value.WriteByte(after[j])
					default:
						fail("bad escape")
					}
					continue
				}
				if after[j] == '\n' {
					fail("raw newline")
				}
				value.WriteByte(after[j])
			}
			if j == len(after) {
				fail("unterminated label value")
			}
			labels = append(labels, name+"="+strconv.Quote(value.String()))
			rest = after[j+1:]
			if strings.HasPrefix(rest, ",") {
				rest = rest[1:]
				continue
			}
			if !strings.HasPrefix(rest, "}") {
				fail("labels not closed")
			}
			rest = rest[1:]
			break
		}
		key += "{" + strings.Join(labels, ",") + "}"
	}
	text, ok := strings.CutPrefix(rest, " ")
	if !ok || strings.Contains(text, " ") {
		fail("want one space and a value")
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		fail("value: %v", err)
	}
	return key, v
}

func scrape(t *testing.T, m *Metrics) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code == 200 && rec.Header().Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Errorf("content type %q", rec.Header().Get("Content-Type"))
	}
	return rec.Code, rec.Body.String()
}

func TestExposition(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 10, 0, time.UTC)
	odd := api.WebhookRef{Name: `say "hi"`, Scope: api.ScopeRef{Kind: "Integration", Name: "back\\slash\nnewline"}}
	other := api.WebhookRef{Name: "later", Scope: api.ScopeRef{Kind: "Integration", Name: "i"}}
	m := New(func(context.Context) ([]store.PendingCount, error) {
		return []store.PendingCount{{Webhook: other, Count: 1, Oldest: now.Add(time.Minute)}, {Webhook: odd, Count: 2, Oldest: now.Add(-4 * time.Second)}}, nil
	}, func() time.Time { return now })
	m.Attempt(odd, api.Attempt{ErrorClass: "http", Trigger: "scheduled", DurationMs: 12}, api.DeliveryPending)
	m.Attempt(odd, api.Attempt{ErrorClass: "http", Trigger: "scheduled", DurationMs: 12}, api.DeliveryFailed)
	m.Attempt(odd, api.Attempt{Trigger: "manual", DurationMs: 1}, api.DeliverySucceeded)
	m.Events([]*api.Event{{Type: "ResourceCreated"}, {Type: "ResourceCreated"}, {Type: "ResourceUpdated"}})
	m.Request("GET /deliveries", "GET", 200, 3*time.Millisecond)
	m.Request("GET /deliveries", "GET", 200, 500*time.Microsecond) // on a bound: le is inclusive
	m.Request("", "POST", 404, time.Minute)

	code, body := scrape(t, m)
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	got := parseText(t, body)
	for key, want := range map[string]float64{
		`central_deliveries_total{outcome="retry"}`:                                                                                 1,
		`central_deliveries_total{outcome="failed"}`:                                                                                1,
		`central_deliveries_total{outcome="succeeded"}`:                                                                             1,
		`central_delivery_attempts_total{error_class="http",trigger="scheduled"}`:                                                   2,
		`central_delivery_attempts_total{error_class="",trigger="manual"}`:                                                          1,
		`central_webhook_failures_total{scope_kind="Integration",scope_name="back\\slash\nnewline",webhook="say \"hi\""}`:           2,
		`central_events_appended_total{type="ResourceCreated"}`:                                                                     2,
		`central_events_appended_total{type="ResourceUpdated"}`:                                                                     1,
		`central_api_requests_total{code="200",method="GET",route="GET /deliveries"}`:                                               2,
		`central_api_requests_total{code="404",method="POST",route="unmatched"}`:                                                    1,
		`central_api_request_duration_seconds_bucket{method="GET",route="GET /deliveries",le="0.0005"}`:                             1,
		`central_api_request_duration_seconds_bucket{method="GET",route="GET /deliveries",le="0.003125"}`:                           2,
		`central_api_request_duration_seconds_bucket{method="GET",route="GET /deliveries",le="+Inf"}`:                               2,
		`central_api_request_duration_seconds_sum{method="GET",route="GET /deliveries"}`:                                            0.0035,
		`central_api_request_duration_seconds_count{method="GET",route="GET /deliveries"}`:                                          2,
		`central_api_request_duration_seconds_bucket{method="POST",route="unmatched",le="+Inf"}`:                                    1,
		`central_delivery_attempt_duration_seconds_bucket{outcome="failure",le="0.015625"}`:                                         2,
		`central_delivery_attempt_duration_seconds_count{outcome="success"}`:                                                        1,
		`central_delivery_queue_depth`:                                                                                              3,
		`central_delivery_queue_oldest_age_seconds`:                                                                                 4,
		`central_webhook_queue_depth{scope_kind="Integration",scope_name="back\\slash\nnewline",webhook="say \"hi\""}`:              2,
		`central_webhook_queue_oldest_age_seconds{scope_kind="Integration",scope_name="back\\slash\nnewline",webhook="say \"hi\""}`: 4,
		`central_webhook_queue_depth{scope_kind="Integration",scope_name="i",webhook="later"}`:                                      1,
		`central_webhook_queue_oldest_age_seconds{scope_kind="Integration",scope_name="i",webhook="later"}`:                         0,
		`go_info{version=` + strconv.Quote(runtime.Version()) + `}`:                                                                 1,
	} {
		name, _, _ := strings.Cut(key, "{")
		var fam *parsedFamily
		for _, suffix := range []string{"", "_bucket", "_sum", "_count"} {
			if f := got[strings.TrimSuffix(name, suffix)]; f != nil && fam == nil {
				fam = f
			}
		}
		if fam == nil {
			t.Errorf("%s: no such family", key)
		} else if v, ok := fam.samples[key]; !ok || v != want {
			t.Errorf("%s = %v, want %v", key, v, want)
		}
	}
	for name, kind := range map[string]string{
		"central_delivery_attempts_total": "counter", "central_delivery_attempt_duration_seconds": "histogram",
		"central_delivery_queue_depth": "gauge", "go_goroutines": "gauge", "go_memstats_heap_alloc_bytes": "gauge",
		"go_gc_duration_seconds": "summary",
	} {
		if got[name] == nil || got[name].kind != kind || got[name].help == "" {
			t.Errorf("%s: %+v, want a %s with help", name, got[name], kind)
		}
	}
	if runtime.GOOS == "linux" {
		for _, name := range []string{"process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds",
			"process_max_fds", "process_start_time_seconds", "process_virtual_memory_bytes"} {
			if f := got[name]; f == nil || f.samples[name] <= 0 {
				t.Errorf("%s: %+v", name, f)
			}
		}
		if start := got["process_start_time_seconds"].samples["process_start_time_seconds"]; start > float64(time.Now().Unix())+1 {
			t.Errorf("the process starts in the future: %v", start)
		}
	}
	checkHistograms(t, got)
}

// checkHistograms checks that buckets are cumulative, end with +Inf and
// that +Inf is the count.
func checkHistograms(t *testing.T, got scraped) {
	t.Helper()
	for name, f := range got {
		if f.kind != "histogram" {
			continue
		}
		prev, series := -1.0, ""
		for _, key := range f.order {
			switch {
			case strings.HasPrefix(key, name+"_bucket"):
				s := key[:strings.LastIndex(key, ",le=")]
				if s != series {
					prev, series = -1, s
				}
				if f.samples[key] < prev {
					t.Errorf("%s: buckets not cumulative", key)
				}
				prev = f.samples[key]
			case strings.HasPrefix(key, name+"_count"):
				labels := strings.TrimSuffix(strings.TrimPrefix(key, name+"_count"), "}")
				inf := name + "_bucket" + labels + `,le="+Inf"}`
				if labels == "" {
					inf = name + `_bucket{le="+Inf"}`
				}
				if v, ok := f.samples[inf]; !ok || v != f.samples[key] {
					t.Errorf("%s = %v but %s = %v", key, f.samples[key], inf, v)
				}
			}
		}
	}
}

func TestEscaping(t *testing.T) {
	var b strings.Builder
	err := writeText(&b, []family{{name: "x", help: "a \\ b\nc \"q\"", kind: "gauge",
		samples: []sample{{labels: []label{{"l", "a \\ b\nc \"q\""}}, value: 1.5}}}, {name: "empty", help: "h", kind: "counter"}})
	want := "# HELP x a \\\\ b\\nc \"q\"\n# TYPE x gauge\nx{l=\"a \\\\ b\\nc \\\"q\\\"\"} 1.5\n"
	if err != nil || b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestQueueUnreadable(t *testing.T) {
	m := New(func(context.Context) ([]store.PendingCount, error) { return nil, errors.New("database is locked") }, nil)
	code, body := scrape(t, m)
	if got := parseText(t, body); code != 200 || got["central_store_up"] == nil || got["central_store_up"].samples["central_store_up"] != 0 ||
		got["central_delivery_queue_depth"] != nil || got["central_deliveries_total"] == nil {
		t.Errorf("with the queue unreadable: %d %s", code, body)
	}
	// Without a queue there are no queue figures, and nothing fails.
	code, body = scrape(t, New(nil, nil))
	// The outcomes of deliveries are there at 0 before any delivery.
	got := parseText(t, body)
	if code != 200 || got["central_delivery_queue_depth"] != nil || got["central_store_up"] != nil {
		t.Errorf("%d %s", code, body)
	}
	if n, ok := got["central_deliveries_total"].samples[`central_deliveries_total{outcome="failed"}`]; !ok || n != 0 {
		t.Errorf("%d %s", code, body)
	}
}

func TestConcurrentUse(t *testing.T) {
	m := New(func(context.Context) ([]store.PendingCount, error) { return nil, nil }, time.Now)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				m.Request(fmt.Sprintf("GET /r%d", i%3), "GET", 200, time.Duration(i)*time.Millisecond)
				m.Events([]*api.Event{{Type: "ResourceCreated"}})
				if i%50 == 0 {
					scrape(t, m)
				}
			}
		}()
	}
	wg.Wait()
	_, body := scrape(t, m)
	got := parseText(t, body)
	if v := got["central_events_appended_total"].samples[`central_events_appended_total{type="ResourceCreated"}`]; v != 800 {
		t.Errorf("events: %v", v)
	}
	total := 0.0
	for key, v := range got["central_api_request_duration_seconds"].samples {
		if strings.Contains(key, "_count") {
			total += v
		}
	}
	if total != 800 {
		t.Errorf("observations: %v", total)
	}
	checkHistograms(t, got)
}
