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
// "missing", 409 for "off", whose webhook is disabled) and POST
// /deliveries/retry counting `failed` deliveries and leaving out
// `disabled` ones.
type fakeAPI struct {
	failed, disabled, deleted int

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
		if r.PathValue("id") == "off" {
			w.WriteHeader(http.StatusConflict)
			_ = json.NewEncoder(w).Encode(api.ErrorResponse{Errors: []api.Error{{Status: 409, Title: "Conflict", Detail: offDetail}}})
			return
		}
		_ = json.NewEncoder(w).Encode(api.Delivery{ID: r.PathValue("id"), Status: api.DeliveryPending, NextAttemptAt: api.NewTime(now)})
	})
	mux.HandleFunc("POST /deliveries/retry", func(w http.ResponseWriter, r *http.Request) {
		dry := r.URL.Query().Get("dryRun") == "true"
		_ = json.NewEncoder(w).Encode(api.CountResult{Count: a.failed, DryRun: dry, Disabled: a.disabled, Deleted: a.deleted})
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

// offDetail is the server's answer to retrying a delivery of a disabled
// webhook by ID.
const offDetail = `Delivery off is not retried: its webhook "Webhook/wh" in the scope "Integration/gone" is disabled ` +
	`(spec.enabled is false; its status says why), so nothing is sent to it. ` +
	`Set spec.enabled to true again (central edit webhook wh -s Integration/gone), then retry.`

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

// A delivery of a disabled webhook, retried by ID, fails with the server's
// reason and what to do; the others are still retried.
func TestRetryIDOfADisabledWebhook(t *testing.T) {
	a := &fakeAPI{}
	r := run(t, a.factory(t), false, "", "off", "d1")
	if !errors.Is(r.err, clierr.ErrSilent) {
		t.Errorf("err = %v, want ErrSilent after a failure", r.err)
	}
	want := "✖ Delivery off could not be retried: " + offDetail + "\n" +
		"✔ Delivery d1 is queued for another attempt.\n"
	if r.stderr != want {
		t.Errorf("stderr =\n%s\nwant\n%s", r.stderr, want)
	}
}

// A bulk retry counts only what it queued, and says how many deliveries it
// left out because their webhooks are disabled or deleted, once.
func TestRetryBulkLeavesOutDisabledWebhooks(t *testing.T) {
	const enable = "Enable a webhook again (spec.enabled: true, e.g. with central edit webhook NAME -s KIND/NAME) to retry its deliveries.\n"
	tests := []struct {
		name                      string
		failed, disabled, deleted int
		tty                       bool
		answer                    string
		args                      []string
		stdout, stderr            string
		requests                  int
	}{
		{"dry run", 2, 1, 0, true, "", []string{"--dry-run", "--webhook", "jira", "-s", "Integration/monitor"},
			"2 deliveries would be retried.\n",
			"1 failed delivery to a disabled webhook would be left out. Enable a webhook again (spec.enabled: true, e.g. with central edit webhook jira -s Integration/monitor) to retry its deliveries.\n",
			1},
		{"dry run, none left out", 2, 0, 0, true, "", []string{"--dry-run"}, "2 deliveries would be retried.\n", "", 1},
		{"asked", 2, 3, 0, true, "\n", nil, "",
			"3 failed deliveries to disabled webhooks are left out. " + enable +
				"? Retry 2 failed deliveries? (Y/n) ✔ 2 deliveries are queued for another attempt.\n",
			2},
		{"without a terminal", 1, 3, 0, false, "", nil, "",
			"✔ 1 delivery is queued for another attempt.\n3 failed deliveries to disabled webhooks are left out. " + enable,
			1},
		{"only disabled ones", 0, 1, 0, true, "", nil, "",
			"No failed deliveries to retry.\n1 failed delivery to a disabled webhook is left out. " + enable,
			1},
		{"disabled and deleted", 1, 1, 2, false, "", nil, "",
			"✔ 1 delivery is queued for another attempt.\n1 failed delivery to a disabled webhook is left out. " + enable +
				"2 failed deliveries to deleted webhooks are left out: there is nowhere to send them. A webhook made again with the same name and scope takes them; " +
				"central deliveries purge --status failed --webhook NAME -s KIND/NAME removes them.\n",
			1},
		{"only deleted ones, dry run", 0, 0, 1, true, "", []string{"--dry-run", "--webhook", "jira", "-s", "Integration/monitor"},
			"0 deliveries would be retried.\n",
			"1 failed delivery to a deleted webhook would be left out: there is nowhere to send them. A webhook made again with the same name and scope takes them; " +
				"central deliveries purge --status failed --webhook jira -s Integration/monitor removes them.\n",
			1},
	}
	for _, tt := range tests {
		a := &fakeAPI{failed: tt.failed, disabled: tt.disabled, deleted: tt.deleted}
		r := run(t, a.factory(t), tt.tty, tt.answer, append([]string{"--status", "failed"}, tt.args...)...)
		if r.err != nil || r.stdout != tt.stdout || r.stderr != tt.stderr {
			t.Errorf("%s: err %v\nstdout %q\nwant   %q\nstderr %q\nwant   %q", tt.name, r.err, r.stdout, tt.stdout, r.stderr, tt.stderr)
		}
		if len(a.requests) != tt.requests {
			t.Errorf("%s: %d requests, want %d", tt.name, len(a.requests), tt.requests)
		}
	}
}

// -o json prints the server's count on stdout, for a dry run and a real
// one alike, and nothing else there; the notes stay on stderr.
func TestRetryBulkOutput(t *testing.T) {
	tests := []struct {
		name   string
		tty    bool
		answer string
		args   []string
		want   api.CountResult
	}{
		{"dry run", false, "", []string{"--dry-run"}, api.CountResult{Count: 2, DryRun: true, Disabled: 1}},
		{"without a terminal", false, "", nil, api.CountResult{Count: 2, Disabled: 1}},
		{"asked", true, "y\n", nil, api.CountResult{Count: 2, Disabled: 1}},
	}
	for _, tt := range tests {
		a := &fakeAPI{failed: 2, disabled: 1}
		r := run(t, a.factory(t), tt.tty, tt.answer, append([]string{"--status", "failed", "-o", "json"}, tt.args...)...)
		if r.err != nil {
			t.Fatalf("%s: %v", tt.name, r.err)
		}
		var got api.CountResult
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || got != tt.want {
			t.Errorf("%s: stdout %q (%v), want %+v", tt.name, r.stdout, err, tt.want)
		}
		if !strings.Contains(r.stderr, "1 failed delivery to a disabled webhook") {
			t.Errorf("%s: stderr %q, want the note on what was left out", tt.name, r.stderr)
		}
	}
}

// Counted nothing to retry on a terminal, the retry is not sent: -o still
// prints what came of it, nothing retried.
func TestRetryBulkOutputNothingToDo(t *testing.T) {
	a := &fakeAPI{deleted: 3}
	r := run(t, a.factory(t), true, "", "--status", "failed", "-o", "yaml")
	if r.err != nil || len(a.requests) != 1 {
		t.Fatalf("%v after %d requests", r.err, len(a.requests))
	}
	if want := "count: 0\ndeleted: 3\n"; r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
}

// With IDs, -o json prints the deliveries queued again as a list, as
// "deliveries get -o json" prints each; a failed one is left out of it and
// reported on stderr, and the command fails.
func TestRetryIDsOutput(t *testing.T) {
	a := &fakeAPI{}
	r := run(t, a.factory(t), false, "", "d1", "missing", "d2", "-o", "json")
	if !errors.Is(r.err, clierr.ErrSilent) {
		t.Errorf("err = %v, want ErrSilent after a failure", r.err)
	}
	var got []api.Delivery
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 2 || got[0].ID != "d1" || got[1].ID != "d2" || got[0].Status != api.DeliveryPending {
		t.Errorf("stdout %s (%v)", r.stdout, err)
	}
	if !strings.Contains(r.stderr, "✖ Delivery missing could not be retried") {
		t.Errorf("stderr %q", r.stderr)
	}

	r = run(t, a.factory(t), false, "", "missing", "-o", "json")
	if !errors.Is(r.err, clierr.ErrSilent) || r.stdout != "[]\n" {
		t.Errorf("none retried: err %v, stdout %q; want ErrSilent and []", r.err, r.stdout)
	}
}

func TestRetryOutputFlagError(t *testing.T) {
	a := &fakeAPI{}
	r := run(t, a.factory(t), false, "", "--status", "failed", "-o", "xml")
	var fe *clierr.FlagError
	if !errors.As(r.err, &fe) || !strings.Contains(r.err.Error(), "allowed: yaml | json") || len(a.requests) != 0 {
		t.Errorf("err = %v after %d requests", r.err, len(a.requests))
	}
}
