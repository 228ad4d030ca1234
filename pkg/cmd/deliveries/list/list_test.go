package list

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
)

var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// fakeAPI plays GET /deliveries and records the queries it gets.
type fakeAPI struct {
	mu      sync.Mutex
	queries []url.Values
	auth    []string
}

func (a *fakeAPI) start(t *testing.T, h http.HandlerFunc) *factory.Factory {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/deliveries" {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.NotFound(w, r)
			return
		}
		a.mu.Lock()
		a.queries = append(a.queries, r.URL.Query())
		a.auth = append(a.auth, r.Header.Get("Authorization"))
		a.mu.Unlock()
		h(w, r)
	}))
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
	cmd := NewCmdList(f, nil)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func delivery(i int) api.Delivery {
	return api.Delivery{
		ID: "d" + strconv.Itoa(i), EventType: api.ResourceCreated, SequenceID: int64(i),
		Resource: api.ResourceRef{Group: "management", Kind: "APIService", Name: "petstore",
			Scope: &api.ScopeRef{Kind: "Environment", Name: "prod"}},
		Webhook: api.WebhookRef{Name: "jira", Scope: api.ScopeRef{Kind: "Integration", Name: "monitor"}},
		Status:  api.DeliverySucceeded, Attempts: 1, LastStatusCode: 200,
		CreatedAt: api.NewTime(now.Add(-3 * time.Hour)),
	}
}

func TestListTable(t *testing.T) {
	var fa fakeAPI
	f := fa.start(t, func(w http.ResponseWriter, r *http.Request) {
		d := delivery(1)
		d.Status, d.Attempts, d.LastStatusCode = api.DeliveryPending, 2, 503
		d.NextAttemptAt = api.NewTime(now.Add(5 * time.Minute))
		d2 := delivery(2)
		d2.EventType = api.ResourceDeleted
		// Behind d1's retry: due since it was made, but held.
		d3 := delivery(3)
		d3.EventType, d3.Status, d3.Attempts, d3.LastStatusCode, d3.HeldBy = api.ResourceUpdated, api.DeliveryPending, 0, 0, "d1"
		d3.NextAttemptAt = api.NewTime(now.Add(-time.Hour))
		w.Header().Set("X-Axway-Total-Count", "3")
		_ = json.NewEncoder(w).Encode([]api.Delivery{d, d2, d3})
	})
	out, errOut, err := run(t, f)
	if err != nil {
		t.Fatal(err)
	}
	want := `ID  EVENT            RESOURCE             WEBHOOK                   STATUS     ATTEMPTS  CODE  NEXT ATTEMPT  AGE
d1  ResourceCreated  APIService/petstore  Integration/monitor/jira  pending    2         503   in 5 minutes  3 hours ago
d2  ResourceDeleted  APIService/petstore  Integration/monitor/jira  succeeded  1         200                 3 hours ago
d3  ResourceUpdated  APIService/petstore  Integration/monitor/jira  held       0                             3 hours ago
`
	if out != want {
		t.Errorf("stdout =\n%s\nwant\n%s", out, want)
	}
	if errOut != "" {
		t.Errorf("stderr = %q", errOut)
	}
	if got := fa.auth[0]; got != "Bearer tok" {
		t.Errorf("Authorization = %q", got)
	}
}

func TestListFiltersAreSent(t *testing.T) {
	var fa fakeAPI
	f := fa.start(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Axway-Total-Count", "0")
		_, _ = w.Write([]byte("[]"))
	})
	_, errOut, err := run(t, f, "--webhook", "jira", "-s", "Integration/monitor", "--status", "failed",
		"--event-type", "ResourceUpdated", "--since", "1h", "--until", "2024-04-30T10:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if errOut != "No deliveries found.\n" {
		t.Errorf("stderr = %q", errOut)
	}
	want := url.Values{
		"webhook": {"jira"}, "scope": {"Integration/monitor"}, "status": {"failed"}, "eventType": {"ResourceUpdated"},
		"since": {"2024-05-01T11:00:00.000+0000"}, "until": {"2024-04-30T10:00:00.000+0000"},
		"page": {"1"}, "pageSize": {"50"},
	}
	if got := fa.queries[0]; got.Encode() != want.Encode() {
		t.Errorf("query = %s\nwant    %s", got.Encode(), want.Encode())
	}
}

// paged answers GET /deliveries with total deliveries, d1 first, a page
// at a time.
func paged(total int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("pageSize"))
		var items []api.Delivery
		for i := (page-1)*size + 1; i <= min(page*size, total); i++ {
			items = append(items, delivery(i))
		}
		w.Header().Set("X-Axway-Total-Count", strconv.Itoa(total))
		_ = json.NewEncoder(w).Encode(items)
	}
}

func TestListReadsEveryPage(t *testing.T) {
	var fa fakeAPI
	const total = 5
	f := fa.start(t, paged(total))
	ios, _, out, _ := iostreams.Test()
	opts := &ListOptions{IO: ios, Client: f.Client, Now: f.Now, PageSize: 2, Output: "json"}
	if err := listRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	var got []api.Delivery
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(got) != total || got[0].ID != "d1" || got[4].ID != "d5" {
		t.Errorf("got %d deliveries: %+v", len(got), got)
	}
	if len(fa.queries) != 3 {
		t.Errorf("%d requests, want 3 pages", len(fa.queries))
	}
}

// --limit reads no more pages than it needs, and says on stderr that
// there are more.
func TestListLimit(t *testing.T) {
	var fa fakeAPI
	const total = 5
	f := fa.start(t, paged(total))
	for _, tt := range []struct {
		limit, pageSize, want, requests int
		note                            string
	}{
		{3, 2, 3, 2, "The newest 3 of 5 deliveries; --limit 0 lists them all.\n"},
		{2, 50, 2, 1, "The newest 2 of 5 deliveries; --limit 0 lists them all.\n"},
		{5, 2, 5, 3, ""},
		{0, 2, 5, 3, ""},
	} {
		fa.queries = nil
		ios, _, out, errOut := iostreams.Test()
		opts := &ListOptions{IO: ios, Client: f.Client, Now: f.Now, PageSize: tt.pageSize, Limit: tt.limit, Output: "json"}
		if err := listRun(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		var got []api.Delivery
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
		if len(got) != tt.want || got[0].ID != "d1" || len(fa.queries) != tt.requests || errOut.String() != tt.note {
			t.Errorf("--limit %d: %d deliveries in %d requests, stderr %q; want %d in %d, %q",
				tt.limit, len(got), len(fa.queries), errOut.String(), tt.want, tt.requests, tt.note)
		}
	}
}

func TestListWithoutTotalStopsAtShortPage(t *testing.T) {
	var fa fakeAPI
	f := fa.start(t, func(w http.ResponseWriter, r *http.Request) {
		items := []api.Delivery{delivery(1), delivery(2)}
		if r.URL.Query().Get("page") == "2" {
			items = items[:1]
		}
		_ = json.NewEncoder(w).Encode(items)
	})
	ios, _, out, _ := iostreams.Test()
	opts := &ListOptions{IO: ios, Client: f.Client, Now: f.Now, PageSize: 2, Output: "json"}
	if err := listRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), `"id"`); n != 3 || len(fa.queries) != 2 {
		t.Errorf("%d deliveries in %d requests, want 3 in 2", n, len(fa.queries))
	}
}

func TestListEmptyJSONIsAnArray(t *testing.T) {
	var fa fakeAPI
	f := fa.start(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Axway-Total-Count", "0")
		_, _ = w.Write([]byte("[]"))
	})
	out, errOut, err := run(t, f, "-o", "json")
	if err != nil || out != "[]\n" || errOut != "" {
		t.Errorf("out=%q errOut=%q err=%v", out, errOut, err)
	}
}

func TestListFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--webhook", "jira"}, "--webhook needs the webhook's scope"},
		{[]string{"--status", "done"}, `invalid --status "done"; allowed: pending | succeeded | failed`},
		{[]string{"-s", "monitor"}, "KIND/NAME"},
		{[]string{"--since", "yesterday"}, "invalid --since"},
		{[]string{"--until", "-1h"}, "invalid --until"},
		{[]string{"-o", "xml"}, "allowed: yaml | json"},
		{[]string{"--limit", "-1"}, "invalid --limit -1"},
	}
	for _, tt := range tests {
		f := &factory.Factory{
			Client: func() (*client.Client, error) { t.Fatal("no request expected"); return nil, nil },
			Now:    func() time.Time { return now },
		}
		_, _, err := run(t, f, tt.args...)
		var fe *clierr.FlagError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want a FlagError with %q", tt.args, err, tt.want)
		}
	}
}

func TestListAPIError(t *testing.T) {
	var fa fakeAPI
	f := fa.start(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(api.ErrorResponse{Errors: []api.Error{{Status: 400, Title: "Bad request", Detail: "scope must be KIND/NAME"}}})
	})
	_, _, err := run(t, f)
	if !client.HasStatus(err, http.StatusBadRequest) {
		t.Errorf("err = %v, want the API error", err)
	}
}
