package get

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
)

var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// serve plays GET /deliveries/{id} with d, and 404 for other IDs.
func serve(t *testing.T, d api.Delivery) *factory.Factory {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /deliveries/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.PathValue("id") != d.ID {
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(api.ErrorResponse{Errors: []api.Error{{Status: 404, Title: "Not found", Detail: "Delivery " + r.PathValue("id") + " not found."}}})
			return
		}
		_ = json.NewEncoder(w).Encode(d)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &factory.Factory{
		Client: func() (*client.Client, error) { return client.New(srv.URL, client.Options{Token: "tok"}), nil },
		Now:    func() time.Time { return now },
	}
}

func run(t *testing.T, f *factory.Factory, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f.IOStreams = ios
	cmd := NewCmdGet(f, nil)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func failed() api.Delivery {
	return api.Delivery{
		ID: "d1", EventID: "e1", EventType: api.ResourceUpdated, SequenceID: 42,
		Resource: api.ResourceRef{Group: "management", Kind: "APIService", Name: "petstore", Scope: &api.ScopeRef{Kind: "Environment", Name: "prod"}},
		Webhook:  api.WebhookRef{Name: "jira", Scope: api.ScopeRef{Kind: "Integration", Name: "monitor"}},
		Status:   api.DeliveryFailed, Attempts: 2, LastStatusCode: 500, LastError: "HTTP 500",
		CreatedAt: api.NewTime(now.Add(-time.Hour)), UpdatedAt: api.NewTime(now.Add(-30 * time.Minute)),
		History: []api.Attempt{
			{Number: 1, Trigger: api.TriggerScheduled, StartedAt: api.NewTime(now.Add(-time.Hour)), DurationMs: 3001,
				ErrorClass: api.ErrorTimeout, Error: "no answer in 3s"},
			{Number: 2, Trigger: api.TriggerManual, StartedAt: api.NewTime(now.Add(-30 * time.Minute)), DurationMs: 12,
				StatusCode: 500, ErrorClass: api.ErrorHTTP, Error: "HTTP 500", Note: "auth secret jira-creds missing",
				ResponseBody: "{\"error\":\"boom\x1b[2J\"}\n"},
		},
	}
}

func TestGetDescribes(t *testing.T) {
	out, _, err := run(t, serve(t, failed()), "d1")
	if err != nil {
		t.Fatal(err)
	}
	want := `ID: d1
Event: ResourceUpdated
Event ID: e1
Sequence: 42
Resource: APIService/petstore in the scope Environment/prod
Webhook: Webhook/jira in the scope Integration/monitor
Status: failed
Attempts: 2
Last status code: 500
Last error: HTTP 500
Created: 2024-05-01T11:00:00.000+0000 (an hour ago)
Updated: 2024-05-01T11:30:00.000+0000 (30 minutes ago)

#  TRIGGER    STARTED                                        DURATION  CODE  ERROR
1  scheduled  2024-05-01T11:00:00.000+0000 (an hour ago)     3001 ms         no answer in 3s
2  manual     2024-05-01T11:30:00.000+0000 (30 minutes ago)  12 ms     500   HTTP 500; note: auth secret jira-creds missing

Response body of attempt 2:
{"error":"boom [2J"}
`
	if out != want {
		t.Errorf("stdout =\n%s\nwant\n%s", out, want)
	}
}

func TestGetTruncatesLongBodies(t *testing.T) {
	d := failed()
	d.History = d.History[1:]
	d.History[0].ResponseBody = strings.Repeat("é", maxBodyShown) // 2 bytes each
	out, _, err := run(t, serve(t, d), "d1")
	if err != nil {
		t.Fatal(err)
	}
	head := "Response body of attempt 2 (truncated to the first 2000 of 4000 bytes; -o json shows it all):\n"
	i := strings.Index(out, head)
	if i < 0 {
		t.Fatalf("no truncation notice in\n%s", out)
	}
	if body := out[i+len(head):]; body != strings.Repeat("é", maxBodyShown/2)+"\n" {
		t.Errorf("body has %d bytes", len(body))
	}
}

func TestGetPendingWithoutHistory(t *testing.T) {
	d := api.Delivery{ID: "d2", EventType: api.ResourceCreated, Status: api.DeliveryPending,
		Resource:      api.ResourceRef{Kind: "Environment", Name: "prod"},
		Webhook:       api.WebhookRef{Name: "w", Scope: api.ScopeRef{Kind: "Environment", Name: "prod"}},
		NextAttemptAt: api.NewTime(now.Add(5 * time.Minute)), CreatedAt: api.NewTime(now)}
	out, _, err := run(t, serve(t, d), "d2")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Resource: Environment/prod\n", "Attempts: 0\n", "Next attempt: 2024-05-01T12:05:00.000+0000 (in 5 minutes)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "TRIGGER") || strings.Contains(out, "Response body") {
		t.Errorf("attempts printed without any:\n%s", out)
	}
}

// A delivery held behind an earlier one names it instead of a due time
// that has passed.
func TestGetHeld(t *testing.T) {
	d := api.Delivery{ID: "d3", EventType: api.ResourceUpdated, Status: api.DeliveryPending, HeldBy: "d1",
		Resource:      api.ResourceRef{Kind: "Environment", Name: "prod"},
		Webhook:       api.WebhookRef{Name: "w", Scope: api.ScopeRef{Kind: "Environment", Name: "prod"}},
		NextAttemptAt: api.NewTime(now.Add(-time.Hour)), CreatedAt: api.NewTime(now.Add(-time.Hour))}
	out, _, err := run(t, serve(t, d), "d3")
	if err != nil {
		t.Fatal(err)
	}
	want := "Next attempt: after d1, an earlier delivery of the same resource that this one waits behind (ordered)\n"
	if !strings.Contains(out, want) || strings.Contains(out, "Next attempt: 2024") {
		t.Errorf("no %q in\n%s", want, out)
	}
}

func TestGetJSON(t *testing.T) {
	out, _, err := run(t, serve(t, failed()), "d1", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var d api.Delivery
	if err := json.Unmarshal([]byte(out), &d); err != nil || d.ID != "d1" || len(d.History) != 2 {
		t.Errorf("got %+v (%v) from\n%s", d, err, out)
	}
}

func TestGetNotFound(t *testing.T) {
	_, _, err := run(t, serve(t, failed()), "nope")
	if !client.HasStatus(err, http.StatusNotFound) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("err = %v, want the 404", err)
	}
}
