package e2e

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/centralhq/central/examples/api-validation/validator"
	"github.com/centralhq/central/pkg/api"
)

// putCounter passes the validator's API calls on and counts its writes per
// path: the test's measure of whether the receiver loops.
type putCounter struct {
	mu   sync.Mutex
	puts map[string]int
}

func (c *putCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut {
		c.mu.Lock()
		c.puts[req.URL.Path]++
		c.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// count returns the writes to service's x-compliance, in any API version
// (the validator writes in the version the event's payload names).
func (c *putCounter) count(service string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for path, k := range c.puts {
		if strings.HasPrefix(path, "/apis/management/") && strings.HasSuffix(path, "/environments/staging/apiservices/"+service+"/x-compliance") {
			n += k
		}
	}
	return n
}

const (
	stagingEnv        = "/apis/management/v1/environments/staging"
	validatorURLInDoc = "http://127.0.0.1:9200/hook"
)

// resourceEvent matches an event of type typ about service, answered 204.
func resourceEvent(typ api.EventType, subresource, service string) func(arrival) bool {
	return func(a arrival) bool {
		var r api.ResourceInstance
		_ = json.Unmarshal(a.event.Payload, &r)
		sub := ""
		if a.event.Metadata != nil {
			sub = a.event.Metadata.Subresource
		}
		return a.event.Type == typ && sub == subresource && r.Name == service && a.status == http.StatusNoContent
	}
}

// verdictOf reads a service's x-compliance subresource.
func verdictOf(s *exampleServer, service string) (validator.Verdict, bool) {
	var r api.ResourceInstance
	s.call("GET", stagingEnv+"/apiservices/"+service, nil, &r)
	raw, ok := r.SubResources[validator.Subresource]
	var v validator.Verdict
	return v, ok && json.Unmarshal(raw, &v) == nil
}

// TestAPIValidationExample runs examples/api-validation as its README does,
// against a real server and dispatcher, and counts the validator's writes:
// each change gets one verdict, and the verdict's own event (which the
// hook's "updated" trigger matches) writes nothing.
func TestAPIValidationExample(t *testing.T) {
	s := startExampleServer(t)
	rcv := httptest.NewUnstartedServer(nil)
	url := "http://" + rcv.Listener.Addr().String() + "/hook"
	s.applyExample("../examples/api-validation/setup.yaml", validatorURLInDoc, url)
	secret := s.rotateSecret("/apis/management/v1/integrations/compliance/webhooks/validator")

	writes := &putCounter{puts: map[string]int{}}
	h, err := validator.New(validator.Config{Secrets: []string{secret}, APIBase: s.srv.URL(), Token: s.srv.Token(),
		HTTPClient: &http.Client{Transport: writes, Timeout: 10 * time.Second}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder(h)
	mux := http.NewServeMux()
	mux.Handle("POST /hook", rec)
	rcv.Config.Handler = mux
	rcv.Start()
	t.Cleanup(rcv.Close)
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	s.applyExample("../examples/api-validation/services.yaml", "", "")
	step("verdicts", func(t *testing.T) {
		for _, svc := range []string{"orders", "inventory"} {
			rec.await(t, svc+" created", resourceEvent(api.ResourceCreated, "", svc))
			echo := rec.await(t, svc+"'s own verdict coming back", resourceEvent(api.SubResourceUpdated, validator.Subresource, svc))
			var r api.ResourceInstance
			_ = json.Unmarshal(echo.event.Payload, &r)
			if r.Kind != "APIService" || r.Metadata.Scope == nil || r.Metadata.Scope.Name != "staging" || r.SubResources[validator.Subresource] == nil {
				t.Errorf("the SubResourceUpdated event of %s: %+v", svc, r)
			}
		}
		good, ok := verdictOf(s, "orders")
		if !ok || !good.Compliant || len(good.Problems) != 0 || good.Rule != "api-validation/v1" {
			t.Errorf("orders: %+v", good)
		}
		bad, ok := verdictOf(s, "inventory")
		want := []string{
			"spec.description is empty: say what the API does",
			"the title is 91 characters long; at most 60 are allowed",
			`the title "inventory service (do not use, being replaced by the new stock-levels service next quarter)" does not match ^\p{Lu}`,
		}
		if !ok || bad.Compliant || strings.Join(bad.Problems, "\n") != strings.Join(want, "\n") {
			t.Errorf("inventory: %+v", bad)
		}
	})
	step("no loop", func(t *testing.T) {
		s.waitFor("every delivery to finish", s.settled)
		if n := len(s.deliveries("status=succeeded")); n != 4 {
			t.Errorf("%d deliveries succeeded, want 2 creations and 2 verdicts: %+v", n, s.deliveries(""))
		}
		if o, i := writes.count("orders"), writes.count("inventory"); o != 1 || i != 1 {
			t.Errorf("x-compliance writes: orders %d, inventory %d; want 1 each", o, i)
		}
	})
	step("a fix gets a new verdict", func(t *testing.T) {
		s.applyExample("../examples/api-validation/inventory-fixed.yaml", "", "")
		rec.await(t, "inventory updated", resourceEvent(api.ResourceUpdated, "", "inventory"))
		rec.await(t, "inventory's new verdict coming back", resourceEvent(api.SubResourceUpdated, validator.Subresource, "inventory"))
		if v, _ := verdictOf(s, "inventory"); !v.Compliant || len(v.Problems) != 0 {
			t.Errorf("inventory after the fix: %+v", v)
		}
	})
	step("a change that keeps the verdict writes nothing", func(t *testing.T) {
		var r api.ResourceInstance
		s.call("GET", stagingEnv+"/apiservices/orders", nil, &r)
		r.Tags = []string{"checked"}
		if st := s.call("PUT", stagingEnv+"/apiservices/orders", &r, nil); st != 200 {
			t.Fatalf("PUT orders: %d", st)
		}
		rec.await(t, "orders updated", resourceEvent(api.ResourceUpdated, "", "orders"))
		s.waitFor("every delivery to finish", s.settled)
		if o, i := writes.count("orders"), writes.count("inventory"); o != 1 || i != 2 {
			t.Errorf("x-compliance writes: orders %d, inventory %d; want 1 and 2", o, i)
		}
		var events []api.Event
		s.call("GET", "/events?query=sequenceID>0&pageSize=1000", nil, &events)
		verdicts := 0
		for _, e := range events {
			if e.Type == api.SubResourceUpdated && e.Metadata != nil && e.Metadata.Subresource == validator.Subresource {
				verdicts++
			}
		}
		if verdicts != 3 {
			t.Errorf("%d x-compliance events in the log, want 3", verdicts)
		}
	})
}
