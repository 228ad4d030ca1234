package purge

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
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

var now = time.Date(2024, 5, 8, 12, 0, 0, 0, time.UTC)

// fakeAPI plays DELETE /deliveries with a store of n matching deliveries.
type fakeAPI struct {
	n int

	mu      sync.Mutex
	queries []url.Values
}

func (a *fakeAPI) factory(t *testing.T) *factory.Factory {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodDelete || r.URL.Path != "/deliveries" {
			t.Errorf("unexpected request %s %s", r.Method, r.URL)
			http.NotFound(w, r)
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		a.queries = append(a.queries, r.URL.Query())
		res := api.CountResult{Count: a.n, DryRun: r.URL.Query().Get("dryRun") == "true"}
		if !res.DryRun {
			a.n = 0
		} else { // as the server: the filter's until, or when it counted
			until := api.NewTime(countedAt)
			if v := r.URL.Query().Get("until"); v != "" {
				until, _ = api.ParseTime(v)
			}
			res.Until = &until
		}
		_ = json.NewEncoder(w).Encode(res)
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

func run(t *testing.T, f *factory.Factory, tty bool, answer string, args ...string) result {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	ios.SetTTY(tty)
	in.WriteString(answer)
	f.IOStreams = ios
	cmd := NewCmdPurge(f, nil)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return result{out.String(), errOut.String(), err}
}

func TestPurgeAsksThenPurges(t *testing.T) {
	a := &fakeAPI{n: 12}
	r := run(t, a.factory(t), true, "y\n", "--status", "succeeded", "--until", "7d", "-s", "Environment/prod")
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := "? Purge 12 succeeded deliveries? This cannot be undone. (y/N) ✔ Purged 12 deliveries.\n"
	if r.stderr != want {
		t.Errorf("stderr = %q\nwant     %q", r.stderr, want)
	}
	filters := url.Values{"status": {"succeeded"}, "until": {"2024-05-01T12:00:00.000+0000"}, "scope": {"Environment/prod"}}
	dry := url.Values{"dryRun": {"true"}}
	for k, v := range filters {
		dry[k] = v
	}
	if len(a.queries) != 2 || a.queries[0].Encode() != dry.Encode() || a.queries[1].Encode() != filters.Encode() {
		t.Errorf("queries = %v, want a dry run then the purge with %v", a.queries, filters)
	}
}

// countedAt is when the fake server counts, a little after now.
var countedAt = now.Add(5 * time.Second)

// What was confirmed is what is purged: the purge carries the bound of
// creation times the count was made under, leaving out deliveries created
// while the question was on the screen.
func TestPurgeActsOnWhatWasCounted(t *testing.T) {
	a := &fakeAPI{n: 3}
	r := run(t, a.factory(t), true, "y\n", "--status", "failed")
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := url.Values{"status": {"failed"}, "until": {api.NewTime(countedAt).String()}}
	if len(a.queries) != 2 || a.queries[0].Has("until") || a.queries[1].Encode() != want.Encode() {
		t.Errorf("queries = %v, want a dry run then the purge with %v", a.queries, want)
	}
}

func TestPurgeDefaultsToNo(t *testing.T) {
	a := &fakeAPI{n: 1}
	r := run(t, a.factory(t), true, "\n", "--status", "failed")
	if !errors.Is(r.err, clierr.ErrCancelled) || len(a.queries) != 1 {
		t.Errorf("err = %v after %d requests, want cancelled after the dry run", r.err, len(a.queries))
	}
	if !strings.Contains(r.stderr, "Purge 1 failed delivery? This cannot be undone. (y/N)") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestPurgeRefusesWithoutATerminal(t *testing.T) {
	a := &fakeAPI{n: 3}
	r := run(t, a.factory(t), false, "", "--status", "failed")
	var fe *clierr.FlagError
	if !errors.As(r.err, &fe) || !strings.Contains(r.err.Error(), "add -y") {
		t.Errorf("err = %v, want a FlagError saying to add -y", r.err)
	}
	if len(a.queries) != 0 {
		t.Errorf("%d requests made", len(a.queries))
	}
}

func TestPurgeYesWithoutATerminal(t *testing.T) {
	a := &fakeAPI{n: 3}
	r := run(t, a.factory(t), false, "", "--status", "failed", "-y")
	if r.err != nil || r.stderr != "✔ Purged 3 deliveries.\n" {
		t.Errorf("%+v", r)
	}
	if len(a.queries) != 1 || a.queries[0].Has("dryRun") {
		t.Errorf("queries = %v, want the purge alone", a.queries)
	}
}

func TestPurgeDryRun(t *testing.T) {
	a := &fakeAPI{n: 1}
	r := run(t, a.factory(t), false, "", "--status", "failed", "--event-type", "ResourceDeleted", "--dry-run")
	if r.err != nil || r.stdout != "1 delivery would be purged.\n" || r.stderr != "" {
		t.Errorf("%+v", r)
	}
	if len(a.queries) != 1 || a.queries[0].Get("dryRun") != "true" || a.queries[0].Get("eventType") != "ResourceDeleted" || a.n != 1 {
		t.Errorf("queries = %v", a.queries)
	}
}

func TestPurgeNothingToDo(t *testing.T) {
	a := &fakeAPI{n: 0}
	r := run(t, a.factory(t), true, "", "--status", "failed")
	if r.err != nil || r.stderr != "No failed deliveries match.\n" || len(a.queries) != 1 {
		t.Errorf("%+v after %d requests", r, len(a.queries))
	}
}

func TestPurgeFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "--status is required"},
		{[]string{"--status", "pending", "-y"}, "pending deliveries are never purged"},
		{[]string{"--status", "failed", "-y", "--webhook", "jira"}, "--webhook needs the webhook's scope"},
		{[]string{"--status", "failed", "-y", "extra"}, "unknown command"},
	}
	for _, tt := range tests {
		a := &fakeAPI{}
		r := run(t, a.factory(t), true, "", tt.args...)
		if r.err == nil || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want %q", tt.args, r.err, tt.want)
		}
		if len(a.queries) != 0 {
			t.Errorf("%v: %d requests made", tt.args, len(a.queries))
		}
	}
}

// -o json prints the server's count on stdout with the same keys for a dry
// run and a real one: dryRun false on a real one, and until the bound it
// was sent with (null for none); the status line stays on stderr.
func TestPurgeOutput(t *testing.T) {
	counted := api.NewTime(countedAt).String()
	weekAgo := api.NewTime(now.Add(-7 * 24 * time.Hour)).String()
	tests := []struct {
		name       string
		tty        bool
		answer     string
		args       []string
		want       map[string]any
		wantStderr string
	}{
		{"dry run", false, "", []string{"--dry-run"}, map[string]any{"count": 4.0, "dryRun": true, "until": counted}, ""},
		{"-y", false, "", []string{"-y"}, map[string]any{"count": 4.0, "dryRun": false, "until": nil}, "✔ Purged 4 deliveries.\n"},
		{"-y --until", false, "", []string{"-y", "--until", "7d"}, map[string]any{"count": 4.0, "dryRun": false, "until": weekAgo},
			"✔ Purged 4 deliveries.\n"},
		{"asked", true, "y\n", nil, map[string]any{"count": 4.0, "dryRun": false, "until": counted},
			"? Purge 4 failed deliveries? This cannot be undone. (y/N) ✔ Purged 4 deliveries.\n"},
	}
	for _, tt := range tests {
		a := &fakeAPI{n: 4}
		r := run(t, a.factory(t), tt.tty, tt.answer, append([]string{"--status", "failed", "-o", "json"}, tt.args...)...)
		if r.err != nil {
			t.Fatalf("%s: %v", tt.name, r.err)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("%s: stdout %q (%v), want %v", tt.name, r.stdout, err, tt.want)
		}
		if r.stderr != tt.wantStderr {
			t.Errorf("%s: stderr %q, want %q", tt.name, r.stderr, tt.wantStderr)
		}
	}
}

// Counted nothing on a terminal, the purge is not sent: -o still prints
// what came of it, nothing purged, with the until given.
func TestPurgeOutputNothingToDo(t *testing.T) {
	a := &fakeAPI{n: 0}
	r := run(t, a.factory(t), true, "", "--status", "failed", "--until", "2024-05-01T00:00:00.000+0000", "-o", "json")
	if r.err != nil || len(a.queries) != 1 {
		t.Fatalf("%v after %d requests", r.err, len(a.queries))
	}
	want := "{\n    \"count\": 0,\n    \"dryRun\": false,\n    \"until\": \"2024-05-01T00:00:00.000+0000\"\n}\n"
	if r.stdout != want {
		t.Errorf("stdout %q, want %q", r.stdout, want)
	}
}

func TestPurgeOutputFlagError(t *testing.T) {
	a := &fakeAPI{n: 1}
	r := run(t, a.factory(t), false, "", "--status", "failed", "-y", "-o", "xml")
	var fe *clierr.FlagError
	if !errors.As(r.err, &fe) || !strings.Contains(r.err.Error(), "allowed: yaml | json") || len(a.queries) != 0 {
		t.Errorf("err = %v after %d requests", r.err, len(a.queries))
	}
}
