package retry

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
	"github.com/centralhq/central/pkg/iostreams"
)

var now = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

type request struct {
	method, path string
	query        url.Values
}

// fakeAPI plays the retry endpoints: POST /deliveries/{id}/retry (404 for
// "missing") and POST /deliveries/retry counting `failed` deliveries.
type fakeAPI struct {
	failed int

	mu       sync.Mutex
	requests []request
}

func (a *fakeAPI) factory(t *testing.T) *factory.Factory {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /deliveries/{id}/retry", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.PathValue("id") == "missing" {
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(api.ErrorResponse{Errors: []api.Error{{Status: 404, Title: "Not found", Detail: "Delivery missing not found."}}})
			return
		}
		_ = json.NewEncoder(w).Encode(api.Delivery{ID: r.PathValue("id"), Status: api.DeliveryPending, NextAttemptAt: api.NewTime(now)})
	})
	mux.HandleFunc("POST /deliveries/retry", func(w http.ResponseWriter, r *http.Request) {
		dry := r.URL.Query().Get("dryRun") == "true"
		_ = json.NewEncoder(w).Encode(api.CountResult{Count: a.failed, DryRun: dry})
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.requests = append(a.requests, request{r.Method, r.URL.Path, r.URL.Query()})
		a.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return &factory.Factory{
		Client: func() (*client.Client, error) { return client.New(srv.URL, client.Options{Token: "tok"}), nil },
		Now:    func() time.Time { return now },
	}
}

type result struct {
	stdout, stderr string
	err            error
}

// run runs the command on streams that are a terminal when tty is set,
// with answer typed on stdin.
func run(t *testing.T, f *factory.Factory, tty bool, answer string, args ...string) result {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	ios.SetTTY(tty)
	in.WriteString(answer)
	f.IOStreams = ios
	cmd := NewCmdRetry(f, nil)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return result{out.String(), errOut.String(), err}
}

func TestRetryIDs(t *testing.T) {
	a := &fakeAPI{}
	r := run(t, a.factory(t), false, "", "d1", "missing", "d/2")
	if !errors.Is(r.err, clierr.ErrSilent) {
		t.Errorf("err = %v, want ErrSilent after a failure", r.err)
	}
	want := "✔ Delivery d1 is queued for another attempt.\n" +
		"✖ Delivery missing could not be retried: Delivery missing not found.\n" +
		"✔ Delivery d/2 is queued for another attempt.\n"
	if r.stderr != want {
		t.Errorf("stderr =\n%s\nwant\n%s", r.stderr, want)
	}
	if len(a.requests) != 3 || a.requests[2].path != "/deliveries/d/2/retry" {
		t.Errorf("requests = %+v", a.requests)
	}
}

func TestRetryBulkDryRun(t *testing.T) {
	a := &fakeAPI{failed: 3}
	r := run(t, a.factory(t), true, "", "--status", "failed", "--webhook", "jira", "-s", "Integration/monitor", "--since", "2h", "--dry-run")
	if r.err != nil || r.stdout != "3 deliveries would be retried.\n" || r.stderr != "" {
		t.Errorf("%+v", r)
	}
	want := url.Values{"status": {"failed"}, "webhook": {"jira"}, "scope": {"Integration/monitor"},
		"since": {"2024-05-01T10:00:00.000+0000"}, "dryRun": {"true"}}
	if len(a.requests) != 1 || a.requests[0].query.Encode() != want.Encode() {
		t.Errorf("requests = %+v", a.requests)
	}
}

func TestRetryBulkAsksOnATerminal(t *testing.T) {
	a := &fakeAPI{failed: 1}
	r := run(t, a.factory(t), true, "\n", "--status", "failed")
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := "? Retry 1 failed delivery? (Y/n) ✔ 1 delivery is queued for another attempt.\n"
	if r.stderr != want {
		t.Errorf("stderr = %q, want %q", r.stderr, want)
	}
	if len(a.requests) != 2 || a.requests[0].query.Get("dryRun") != "true" || a.requests[1].query.Has("dryRun") {
		t.Errorf("requests = %+v, want a dry run then the retry", a.requests)
	}
}

func TestRetryBulkAnsweredNo(t *testing.T) {
	a := &fakeAPI{failed: 4}
	r := run(t, a.factory(t), true, "n\n", "--status", "failed")
	if !errors.Is(r.err, clierr.ErrCancelled) || len(a.requests) != 1 {
		t.Errorf("err = %v after %d requests, want cancelled after the dry run", r.err, len(a.requests))
	}
}

func TestRetryBulkNothingToDo(t *testing.T) {
	a := &fakeAPI{failed: 0}
	r := run(t, a.factory(t), true, "", "--status", "failed")
	if r.err != nil || r.stderr != "No failed deliveries match.\n" || len(a.requests) != 1 {
		t.Errorf("%+v after %d requests", r, len(a.requests))
	}
}

func TestRetryBulkWithoutATerminalGoesOn(t *testing.T) {
	for _, tt := range []struct {
		tty  bool
		args []string
	}{{false, nil}, {true, []string{"-y"}}} {
		a := &fakeAPI{failed: 5}
		r := run(t, a.factory(t), tt.tty, "", append([]string{"--status", "failed"}, tt.args...)...)
		if r.err != nil || r.stderr != "✔ 5 deliveries are queued for another attempt.\n" {
			t.Errorf("tty=%v: %+v", tt.tty, r)
		}
		if len(a.requests) != 1 || a.requests[0].query.Has("dryRun") {
			t.Errorf("tty=%v: requests = %+v, want the retry alone", tt.tty, a.requests)
		}
	}
}

func TestRetryFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "say which deliveries to retry"},
		{[]string{"d1", "--status", "failed"}, "not both"},
		{[]string{"d1", "--since", "1h"}, "not both"},
		{[]string{"--dry-run"}, "say which deliveries"},
		{[]string{"--status", "succeeded"}, `use --status failed, not "succeeded"`},
		{[]string{"--status", "failed", "--webhook", "jira"}, "--webhook needs the webhook's scope"},
		{[]string{"--status", "failed", "--since", "later"}, "invalid --since"},
	}
	for _, tt := range tests {
		a := &fakeAPI{}
		r := run(t, a.factory(t), true, "", tt.args...)
		var fe *clierr.FlagError
		if !errors.As(r.err, &fe) || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want a FlagError with %q", tt.args, r.err, tt.want)
		}
		if len(a.requests) != 0 {
			t.Errorf("%v: %d requests made", tt.args, len(a.requests))
		}
	}
}
