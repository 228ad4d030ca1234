package state

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/cmdtest"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
)

// kinds is what discovery would find on a central server with catalog
// subscriptions. cmdtest's fake serves neither Subscriptions nor their
// states action, so these tests bring their own small API.
var kinds = &discovery.Set{Definitions: []discovery.Definition{
	{Group: "management", Kind: "Environment", Plural: "environments", Version: "v1"},
	{Group: "management", Kind: "Subscription", Plural: "subscriptions", Version: "v1", ScopeKind: "Environment", ScopePlural: "environments"},
}}

// fakeAPI plays POST .../subscriptions/{name}/states for subscriptions in
// REQUESTED (the map holds each one's state); "gone" does not exist.
type fakeAPI struct {
	mu       sync.Mutex
	states   map[string]string
	requests []string // "METHOD path body"
}

func newFakeAPI(t *testing.T) (*fakeAPI, *httptest.Server) {
	a := &fakeAPI{states: map[string]string{"alice": "REQUESTED", "bob": "REQUESTED", "carol": "APPROVED"}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /apis/management/v1/environments/{env}/subscriptions/{name}/states", a.move)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.requests = append(a.requests, r.Method+" "+r.URL.Path+" "+string(b))
		a.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return a, srv
}

func (a *fakeAPI) move(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	name, env := r.PathValue("name"), r.PathValue("env")
	var in api.StateChange
	_ = json.NewDecoder(r.Body).Decode(&in)
	cur, ok := a.states[name]
	switch {
	case !ok:
		writeJSON(w, 404, api.ErrorResponse{Errors: []api.Error{{Status: 404, Title: api.TitleNotFound,
			Detail: "Resource " + name + " of kind Subscription not found in scope Environment/" + env + "."}}})
		return
	case cur != "REQUESTED" || (in.State != Approved && in.State != Rejected):
		writeJSON(w, 400, api.ErrorResponse{Errors: []api.Error{{Status: 400, Title: api.TitleBadRequest,
			Detail: "Subscription " + name + " is in state " + cur + ", which can move only to ACTIVE or FAILED_TO_SUBSCRIBE; not to " + in.State + "."}}})
		return
	}
	a.states[name] = in.State
	st, _ := json.Marshal(api.SubscriptionState{Name: in.State, Description: in.Description, NextPossibleStates: []string{"REQUESTED"}})
	writeJSON(w, 201, &api.ResourceInstance{Group: "management", APIVersion: "v1", Kind: "Subscription", Name: name,
		Metadata:     api.Metadata{Scope: &api.Scope{Kind: "Environment", Name: env}},
		Spec:         json.RawMessage(`{"consumerInstance":"petstore-asset"}`),
		SubResources: map[string]json.RawMessage{"state": st}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type result struct {
	stdout, stderr string
	err            error
}

func newFactory(url string, set *discovery.Set) *factory.Factory {
	c := client.New(url, client.Options{Token: "tok"})
	return &factory.Factory{
		Client:      func() (*client.Client, error) { return c, nil },
		Definitions: func(context.Context) (*discovery.Set, error) { return set, nil },
	}
}

// run runs one of the commands (approve, reject, set-state) with args.
func run(t *testing.T, f *factory.Factory, verb string, args ...string) result {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f.IOStreams = ios
	cmd := map[string]func(*factory.Factory, func(*StateOptions) error) *cobra.Command{
		"approve": NewCmdApprove, "reject": NewCmdReject, "set-state": NewCmdSetState,
	}[verb](f, nil)
	err := cmdtest.Execute(cmd, args...)
	return result{out.String(), errOut.String(), err}
}

func TestApprove(t *testing.T) {
	a, srv := newFakeAPI(t)
	r := run(t, newFactory(srv.URL, kinds), "approve", "alice", "-s", "demo")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if want := "✔ \"Subscription/alice\" in the scope \"Environment/demo\" is now APPROVED.\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	if r.stdout != "" {
		t.Errorf("stdout without -o: %q", r.stdout)
	}
	if want := `POST /apis/management/v1/environments/demo/subscriptions/alice/states {"state":"APPROVED"}`; len(a.requests) != 1 || a.requests[0] != want {
		t.Errorf("requests %q, want %q", a.requests, want)
	}
}

func TestRejectWithDescriptionAndOutput(t *testing.T) {
	a, srv := newFakeAPI(t)
	r := run(t, newFactory(srv.URL, kinds), "reject", "bob", "-s", "Environment/demo", "--description", "Interns cannot subscribe.", "-o", "json")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.stderr, `"Subscription/bob" in the scope "Environment/demo" is now REJECTED.`) {
		t.Errorf("stderr %q", r.stderr)
	}
	var sub struct {
		Name  string                `json:"name"`
		State api.SubscriptionState `json:"state"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sub); err != nil || sub.Name != "bob" ||
		sub.State.Name != Rejected || sub.State.Description != "Interns cannot subscribe." {
		t.Errorf("stdout is not the subscription: %v %q", err, r.stdout)
	}
	if !strings.HasSuffix(a.requests[0], ` {"state":"REJECTED","description":"Interns cannot subscribe."}`) {
		t.Errorf("request %q", a.requests[0])
	}
}

func TestSetStateTakesAnyCase(t *testing.T) {
	a, srv := newFakeAPI(t)
	r := run(t, newFactory(srv.URL, kinds), "set-state", "alice", "approved", "-s", "demo", "-o", "yaml")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !strings.Contains(r.stdout, "kind: Subscription\n") || !strings.Contains(r.stdout, "name: APPROVED") {
		t.Errorf("stdout %q", r.stdout)
	}
	if !strings.HasSuffix(a.requests[0], ` {"state":"APPROVED"}`) {
		t.Errorf("request %q", a.requests[0])
	}
}

// A refused move comes back as the API's error, which the root prints as
// "✖ Error: <detail>" with exit code 1; nothing is printed here.
func TestRefusedMove(t *testing.T) {
	_, srv := newFakeAPI(t)
	for _, tc := range []struct {
		name   string
		args   []string
		status int
		detail string
	}{
		{"not REQUESTED any more", []string{"approve", "carol", "-s", "demo"}, 400,
			"Subscription carol is in state APPROVED, which can move only to ACTIVE or FAILED_TO_SUBSCRIBE; not to APPROVED."},
		{"no such subscription", []string{"reject", "gone", "-s", "demo"}, 404,
			"Resource gone of kind Subscription not found in scope Environment/demo."},
	} {
		r := run(t, newFactory(srv.URL, kinds), tc.args[0], tc.args[1:]...)
		var apiErr *client.APIError
		if !errors.As(r.err, &apiErr) || apiErr.StatusCode != tc.status || apiErr.Detail() != tc.detail {
			t.Errorf("%s: %v, want a %d with %q", tc.name, r.err, tc.status, tc.detail)
		}
		if r.stdout != "" || r.stderr != "" {
			t.Errorf("%s: printed %q %q", tc.name, r.stdout, r.stderr)
		}
	}
}

func TestFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no scope", []string{"approve", "alice"}, "the scope is required"},
		{"another scope kind", []string{"approve", "alice", "-s", "Integration/demo"}, "not in a Integration"},
		{"bad scope", []string{"approve", "alice", "-s", "Environment/"}, "invalid scope"},
		{"bad output", []string{"reject", "alice", "-s", "demo", "-o", "wide"}, "output"},
		{"empty state", []string{"set-state", "alice", " ", "-s", "demo"}, "STATE must not be empty"},
	} {
		// nothing listens at the fake's URL: a flag error must come first
		r := run(t, newFactory(cmdtest.UnreachableURL, kinds), tc.args[0], tc.args[1:]...)
		var fe *clierr.FlagError
		if !errors.As(r.err, &fe) || !strings.Contains(r.err.Error(), tc.want) {
			t.Errorf("%s: %v, want a flag error with %q", tc.name, r.err, tc.want)
		}
	}
	for _, args := range [][]string{{"approve"}, {"approve", "a", "b", "-s", "x"}, {"set-state", "alice", "-s", "demo"}} {
		if r := run(t, newFactory(cmdtest.UnreachableURL, kinds), args[0], args[1:]...); r.err == nil {
			t.Errorf("%q: no error for the wrong number of arguments", args)
		}
	}
}

func TestServerWithoutSubscriptions(t *testing.T) {
	_, srv := newFakeAPI(t)
	noSubs := &discovery.Set{Definitions: kinds.Definitions[:1]}
	r := run(t, newFactory(srv.URL, noSubs), "approve", "alice", "-s", "demo")
	if r.err == nil || !strings.Contains(r.err.Error(), "serves no Subscription resources") {
		t.Errorf("err %v", r.err)
	}
}

func TestOptions(t *testing.T) {
	var got *StateOptions
	capture := func(o *StateOptions) error { got = o; return nil }
	f := newFactory(cmdtest.UnreachableURL, kinds)
	f.IOStreams, _, _, _ = iostreams.Test()
	for _, tc := range []struct {
		cmd   *cobra.Command
		args  []string
		state string
	}{
		{NewCmdApprove(f, capture), []string{"alice", "-s", "demo", "--description", "ok"}, Approved},
		{NewCmdReject(f, capture), []string{"alice", "-s", "demo", "--description", "ok"}, Rejected},
		{NewCmdSetState(f, capture), []string{"alice", "unsubscribe_initiated", "-s", "demo", "--description", "ok"}, "UNSUBSCRIBE_INITIATED"},
	} {
		if err := cmdtest.Execute(tc.cmd, tc.args...); err != nil {
			t.Fatal(err)
		}
		if got.Name != "alice" || got.State != tc.state || got.Scope != "demo" || got.Description != "ok" {
			t.Errorf("%s: %+v", tc.cmd.Name(), got)
		}
		if !strings.Contains(tc.cmd.Long, "Exit codes:") || !strings.Contains(tc.cmd.Example, "central subscription "+tc.cmd.Name()) {
			t.Errorf("%s: help text lacks exit codes or examples", tc.cmd.Name())
		}
	}
}
