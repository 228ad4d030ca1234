package test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/dispatch"
	"github.com/centralhq/central/pkg/iostreams"
)

var set = &discovery.Set{Definitions: []discovery.Definition{
	{Group: "management", Kind: "Webhook", Plural: "webhooks", Version: "v1", ScopeKind: "Environment", ScopePlural: "environments"},
	{Group: "management", Kind: "Webhook", Plural: "webhooks", Version: "v1", ScopeKind: "Integration", ScopePlural: "integrations"},
}}

type request struct {
	method, path string
	query        url.Values
}

// fakeAPI plays POST .../webhooks/{name}/test, answering with attempt.
type fakeAPI struct {
	attempt api.Attempt

	mu       sync.Mutex
	requests []request
}

func (a *fakeAPI) factory(t *testing.T) *factory.Factory {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /apis/management/v1/{scopePlural}/{scopeName}/webhooks/{name}/test", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.PathValue("name") != "jira" {
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(api.ErrorResponse{Errors: []api.Error{{Status: 404, Title: "Not found", Detail: "Resource " + r.PathValue("name") + " of kind Webhook not found."}}})
			return
		}
		d := api.Delivery{ID: "t1", EventType: api.EventType(r.URL.Query().Get("eventType")), Attempts: 1,
			Webhook: api.WebhookRef{Name: "jira", Scope: api.ScopeRef{Kind: "Integration", Name: "monitor"}},
			History: []api.Attempt{a.attempt}}
		_ = json.NewEncoder(w).Encode(d)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.requests = append(a.requests, request{r.Method, r.URL.Path, r.URL.Query()})
		a.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return &factory.Factory{
		Client:      func() (*client.Client, error) { return client.New(srv.URL, client.Options{Token: "tok"}), nil },
		Definitions: func(context.Context) (*discovery.Set, error) { return set, nil },
	}
}

type cmdResult struct {
	stdout, stderr string
	err            error
}

func run(t *testing.T, f *factory.Factory, args ...string) cmdResult {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f.IOStreams = ios
	cmd := NewCmdTest(f, nil)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return cmdResult{out.String(), errOut.String(), err}
}

func TestTestDelivered(t *testing.T) {
	a := &fakeAPI{attempt: api.Attempt{Number: 1, Trigger: api.TriggerTest, StatusCode: 200, DurationMs: 12}}
	r := run(t, a.factory(t), "jira", "-s", "Integration/monitor")
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := "✔ Test event delivered to \"Webhook/jira\" in the scope \"Integration/monitor\": 200 in 12 ms\n"
	if r.stderr != want || r.stdout != "" {
		t.Errorf("stderr = %q, stdout = %q", r.stderr, r.stdout)
	}
	if len(a.requests) != 1 || a.requests[0].path != "/apis/management/v1/integrations/monitor/webhooks/jira/test" ||
		a.requests[0].query.Get("eventType") != "ResourceCreated" {
		t.Errorf("requests = %+v", a.requests)
	}
}

// An attempt that went without something (its auth secret) says so after
// the outcome, as "deliveries get" shows it.
func TestTestSaysWhatTheAttemptLeftOut(t *testing.T) {
	note := `the auth secret "webhooksecret" was not found in Environment/prod; sent without it`
	a := &fakeAPI{attempt: api.Attempt{Number: 1, Trigger: api.TriggerTest, StatusCode: 204, DurationMs: 2, Note: note}}
	r := run(t, a.factory(t), "jira", "-s", "Environment/prod")
	want := "✔ Test event delivered to \"Webhook/jira\" in the scope \"Environment/prod\": 204 in 2 ms\n⚠ " + note + "\n"
	if r.err != nil || r.stderr != want {
		t.Errorf("err = %v, stderr = %q\nwant %q", r.err, r.stderr, want)
	}
}

func TestTestFailed(t *testing.T) {
	tests := []struct {
		attempt api.Attempt
		want    string
	}{
		{api.Attempt{StatusCode: 500, DurationMs: 8, ErrorClass: api.ErrorHTTP, Error: "HTTP 500: Internal Server Error"},
			"✖ Test event to \"Webhook/jira\" in the scope \"Environment/prod\" failed: 500 in 8 ms: HTTP 500: Internal Server Error\n"},
		{api.Attempt{DurationMs: 3, ErrorClass: api.ErrorConnection, Error: "dial tcp 127.0.0.1:9: connection refused"},
			"✖ Test event to \"Webhook/jira\" in the scope \"Environment/prod\" failed: connection in 3 ms: dial tcp 127.0.0.1:9: connection refused\n"},
		{api.Attempt{StatusCode: 404, DurationMs: 1},
			"✖ Test event to \"Webhook/jira\" in the scope \"Environment/prod\" failed: 404 in 1 ms: Not Found\n"},
	}
	for _, tt := range tests {
		a := &fakeAPI{attempt: tt.attempt}
		r := run(t, a.factory(t), "jira", "-s", "Environment/prod", "--event", "SubResourceUpdated")
		if !errors.Is(r.err, clierr.ErrSilent) || r.stderr != tt.want {
			t.Errorf("err = %v, stderr = %q\nwant %q", r.err, r.stderr, tt.want)
		}
		if a.requests[0].path != "/apis/management/v1/environments/prod/webhooks/jira/test" || a.requests[0].query.Get("eventType") != "SubResourceUpdated" {
			t.Errorf("requests = %+v", a.requests)
		}
	}
}

func TestTestJSONPrintsTheDelivery(t *testing.T) {
	a := &fakeAPI{attempt: api.Attempt{Number: 1, Trigger: api.TriggerTest, StatusCode: 204, DurationMs: 2}}
	r := run(t, a.factory(t), "jira", "-s", "Integration/monitor", "--event", "ResourceDeleted", "-o", "json")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var d api.Delivery
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil || d.EventType != api.ResourceDeleted || len(d.History) != 1 {
		t.Errorf("stdout %s: %+v, %v", r.stdout, d, err)
	}
	if !strings.HasPrefix(r.stderr, "✔ ") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestTestWebhookNotFound(t *testing.T) {
	a := &fakeAPI{}
	r := run(t, a.factory(t), "nope", "-s", "Integration/monitor")
	if !client.HasStatus(r.err, http.StatusNotFound) {
		t.Errorf("err = %v, want the 404", r.err)
	}
}

func TestTestFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"jira"}, "the scope is required"},
		{[]string{"jira", "-s", "monitor"}, "-s Integration/monitor or -s Environment/monitor"},
		{[]string{"jira", "-s", "APIService/x"}, `a Webhook can't live in the scope kind "APIService"; use -s Environment/NAME or -s Integration/NAME`},
		{[]string{"jira", "-s", "Integration/monitor", "--event", "ResourceTouched"}, "allowed: ResourceCreated | ResourceUpdated | ResourceDeleted | SubResourceUpdated"},
		{[]string{"jira", "-s", "Integration/monitor", "-o", "table2"}, "allowed: yaml | json"},
	}
	for _, tt := range tests {
		a := &fakeAPI{}
		r := run(t, a.factory(t), tt.args...)
		var fe *clierr.FlagError
		if !errors.As(r.err, &fe) || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want a FlagError with %q", tt.args, r.err, tt.want)
		}
		if len(a.requests) != 0 {
			t.Errorf("%v: %d requests made", tt.args, len(a.requests))
		}
	}
}

// roundTripper records the deadline of each request it passes on.
type roundTripper struct {
	mu        sync.Mutex
	deadlines []time.Time
}

func (rt *roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	dl, _ := r.Context().Deadline()
	rt.mu.Lock()
	rt.deadlines = append(rt.deadlines, dl)
	rt.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// TestTestWaitsLongerThanAWebhook: the server answers a test once the
// receiver has, which may take a webhook's longest requestTimeout: the
// request may last longer than that, not the client's own 30 s.
func TestTestWaitsLongerThanAWebhook(t *testing.T) {
	a := &fakeAPI{attempt: api.Attempt{Number: 1, Trigger: api.TriggerTest, StatusCode: 200}}
	f := a.factory(t)
	c, _ := f.Client()
	rt := &roundTripper{}
	f.Client = func() (*client.Client, error) {
		return client.New(c.BaseURL(), client.Options{Token: "tok", HTTPClient: &http.Client{Transport: rt}}), nil
	}
	start := time.Now()
	if r := run(t, f, "jira", "-s", "Integration/monitor"); r.err != nil {
		t.Fatal(r.err)
	}
	if len(rt.deadlines) != 1 || rt.deadlines[0].Before(start.Add(dispatch.MaxTimeout)) {
		t.Errorf("deadlines %v, want one later than %v from %v", rt.deadlines, dispatch.MaxTimeout, start)
	}
}
