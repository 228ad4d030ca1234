package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/server"
)

func TestMetrics(t *testing.T) {
	h := start(t, server.Config{})
	ok, failing, busy := newReceiver(t), newReceiver(t, 400), newReceiver(t, 503)
	h.integration("ok", ok.URL, nil, allTypes("Environment", nil))
	h.integration("bad", failing.URL, nil, allTypes("Environment", nil))
	// busy's delivery waits an hour for its retry: pending all along.
	h.integration("busy", busy.URL, map[string]any{"delivery": map[string]any{"retrySchedule": []string{"1h"}}}, allTypes("Environment", nil))
	h.must(201, "POST", mgmt+"/environments", map[string]any{"name": "e"})
	h.waitFor("the deliveries", func() bool {
		return len(h.deliveries("status=succeeded")) == 1 && len(h.deliveries("status=failed")) == 1 && busy.count() == 1
	})
	scrape := func(token string) (int, string) {
		req, _ := http.NewRequest("GET", h.srv.URL()+"/metrics", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, _ := scrape(""); st != 401 {
		t.Fatalf("metrics without a token: %d", st)
	}
	h.waitFor("the metrics of both attempts", func() bool {
		_, body := scrape(h.srv.Token())
		return strings.Contains(body, `central_deliveries_total{outcome="failed"} 1`) && strings.Contains(body, `central_deliveries_total{outcome="retry"} 1`)
	})
	// A test send is an attempt too.
	h.must(200, "POST", mgmt+"/integrations/ok/webhooks/wh/test", nil)
	_, body := scrape(h.srv.Token())
	for _, want := range []string{
		`central_delivery_attempts_total{error_class="",trigger="test"} 1`,
		`central_deliveries_total{outcome="succeeded"} 2`,                           // with the test send
		`central_delivery_attempts_total{error_class="http",trigger="scheduled"} 2`, // the 400 and the 503
		`central_webhook_failures_total{scope_kind="Integration",scope_name="bad",webhook="wh"} 1`,
		`central_events_appended_total{type="ResourceCreated"}`,
		`central_api_requests_total{code="201",method="POST",route="POST /apis/{group}/{version}/{plural}"} 4`,
		`central_api_requests_total{code="200",method="GET",route="GET /deliveries"}`,
		`central_delivery_queue_depth 1`,
		`central_webhook_queue_depth{scope_kind="Integration",scope_name="busy",webhook="wh"} 1`,
		`central_webhook_queue_oldest_age_seconds{scope_kind="Integration",scope_name="busy",webhook="wh"} 0`,
		`central_delivery_attempt_duration_seconds_bucket`,
		`central_api_request_duration_seconds_bucket`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
