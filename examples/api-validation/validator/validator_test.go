package validator

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

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/signature"
)

func TestRule(t *testing.T) {
	r := DefaultRule()
	for _, tc := range []struct {
		title, description string
		problems           []string
	}{
		{"Orders API", "Orders.", nil},
		{"Épicerie API", "Groceries.", nil},
		{strings.Repeat("A", 60), "Long but fine.", nil},
		{strings.Repeat("A", 61), "Too long.", []string{"the title is 61 characters long; at most 60 are allowed"}},
		{"orders", " ", []string{"spec.description is empty: say what the API does", `the title "orders" does not match ^\p{Lu}`}},
		{"", "No title.", []string{"the title is empty"}},
	} {
		spec, _ := json.Marshal(map[string]string{"description": tc.description})
		v := r.Check(&api.ResourceInstance{Title: tc.title, Spec: spec})
		if v.Compliant != (len(tc.problems) == 0) || strings.Join(v.Problems, "|") != strings.Join(tc.problems, "|") || v.Rule != "api-validation/v1" {
			t.Errorf("%q: %+v, want problems %q", tc.title, v, tc.problems)
		}
	}
}

// fakeAPI answers the x-compliance PUTs with the next scripted status (then
// 200) and records them.
type fakeAPI struct {
	mu       sync.Mutex
	statuses []int
	puts     []string // "path body"
}

func (a *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.puts = append(a.puts, r.Method+" "+r.URL.Path+" "+strings.TrimSpace(string(b)))
	status := http.StatusOK
	if len(a.statuses) > 0 {
		status, a.statuses = a.statuses[0], a.statuses[1:]
	}
	w.WriteHeader(status)
}

func (a *fakeAPI) took() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.puts
	a.puts = nil
	return out
}

type rig struct {
	h      *Handler
	api    *fakeAPI
	secret string
}

func newRig(t *testing.T) *rig {
	a := &fakeAPI{}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	secret, _ := signature.GenerateSecret()
	h, err := New(Config{Secrets: []string{secret}, APIBase: srv.URL, Token: "tok", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{h: h, api: a, secret: secret}
}

// event is an event about the APIService "inventory" in staging, whose
// current x-compliance is verdict (none when nil).
func event(typ api.EventType, subresource, title string, verdict *Verdict) []byte {
	svc := api.ResourceInstance{Group: "management", APIVersion: "v1", Kind: "APIService", Name: "inventory", Title: title,
		Metadata: api.Metadata{Scope: &api.Scope{Kind: "Environment", Name: "staging"}}, Spec: json.RawMessage(`{"description":"Stock."}`)}
	if verdict != nil {
		b, _ := json.Marshal(verdict)
		svc.SubResources = map[string]json.RawMessage{Subresource: b}
	}
	p, _ := json.Marshal(svc)
	ev := api.Event{ID: "ev", Type: typ, Payload: p}
	if subresource != "" {
		ev.Metadata = &api.EventMetadata{Subresource: subresource}
	}
	b, _ := json.Marshal(ev)
	return b
}

func (r *rig) send(id, secret string, body []byte) int {
	req := httptest.NewRequest("POST", "/hook", strings.NewReader(string(body)))
	if secret != "" {
		s, _ := signature.NewSigner(secret)
		for k, v := range s.Headers(id, time.Now(), body) {
			req.Header[k] = v
		}
	}
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	return rec.Code
}

const put = "PUT /apis/management/v1/environments/staging/apiservices/inventory/x-compliance "

func TestEvents(t *testing.T) {
	good := &Verdict{Compliant: true, Problems: []string{}, Rule: "api-validation/v1"}
	for _, tc := range []struct {
		name string
		body []byte
		want []string
	}{
		{"created", event(api.ResourceCreated, "", "Inventory API", nil),
			[]string{put + `{"x-compliance":{"compliant":true,"problems":[],"rule":"api-validation/v1"}}`}},
		{"updated, verdict changes", event(api.ResourceUpdated, "", "inventory", good),
			[]string{put + `{"x-compliance":{"compliant":false,"problems":["the title \"inventory\" does not match ^\\p{Lu}"],"rule":"api-validation/v1"}}`}},
		{"updated, verdict the same", event(api.ResourceUpdated, "", "Inventory API", good), nil},
		{"our own verdict", event(api.SubResourceUpdated, Subresource, "inventory", good), nil},
		{"another subresource", event(api.SubResourceUpdated, "details", "inventory", good), nil},
		{"deleted", event(api.ResourceDeleted, "", "inventory", nil), nil},
	} {
		r := newRig(t)
		if got := r.send("ev", r.secret, tc.body); got != http.StatusNoContent {
			t.Errorf("%s: answered %d", tc.name, got)
		}
		if got := r.api.took(); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: PUTs\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
}

func TestFailuresAndDuplicates(t *testing.T) {
	r := newRig(t)
	body := event(api.ResourceCreated, "", "Inventory API", nil)
	if got := r.send("ev-1", "", body); got != http.StatusUnauthorized {
		t.Errorf("unsigned: %d", got)
	}
	r.api.statuses = []int{http.StatusInternalServerError}
	if got := r.send("ev-1", r.secret, body); got != http.StatusServiceUnavailable {
		t.Errorf("API failing: %d", got)
	}
	if got := r.send("ev-1", r.secret, body); got != http.StatusNoContent {
		t.Errorf("retry: %d", got)
	}
	if got := r.send("ev-1", r.secret, body); got != http.StatusNoContent {
		t.Errorf("duplicate: %d", got)
	}
	if puts := r.api.took(); len(puts) != 2 {
		t.Errorf("want the failed and the successful PUT only: %q", puts)
	}
	r.api.statuses = []int{http.StatusNotFound}
	if got := r.send("ev-2", r.secret, body); got != http.StatusNoContent {
		t.Errorf("service gone: %d", got)
	}
}
