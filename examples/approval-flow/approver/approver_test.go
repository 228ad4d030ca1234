package approver

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

// fakeAPI plays the states endpoint and the subscription read: it answers
// each POST with the next scripted status (then 201) and GETs with state.
type fakeAPI struct {
	mu       sync.Mutex
	statuses []int
	state    string
	calls    []string // "METHOD path body"
}

func (a *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, r.Method+" "+r.URL.Path+" "+string(b))
	if r.Header.Get("Authorization") != "Bearer tok" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodGet {
		_ = json.NewEncoder(w).Encode(map[string]any{"kind": "Subscription", "state": map[string]string{"name": a.state}})
		return
	}
	status := http.StatusCreated
	if len(a.statuses) > 0 {
		status, a.statuses = a.statuses[0], a.statuses[1:]
	}
	w.WriteHeader(status)
	if status == http.StatusBadRequest {
		_ = json.NewEncoder(w).Encode(api.ErrorResponse{Errors: []api.Error{{Status: 400, Detail: "Subscription alice is in state " + a.state + "."}}})
	}
}

func (a *fakeAPI) took() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.calls
	a.calls = nil
	return out
}

type rig struct {
	h      *Handler
	api    *fakeAPI
	secret string
}

func newRig(t *testing.T, auth string) *rig {
	t.Helper()
	a := &fakeAPI{state: Requested}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	secret, _ := signature.GenerateSecret()
	h, err := New(Config{Secrets: []string{secret}, APIBase: srv.URL, Token: "tok", WebhookAuth: auth,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{h: h, api: a, secret: secret}
}

// event is a SubscriptionUpdatedEvent for alice in demo.
func event(state, jobTitle string) []byte {
	props := map[string]json.RawMessage{}
	if jobTitle != "-" {
		props["profile"], _ = json.Marshal(map[string]string{"Job title": jobTitle})
	}
	p, _ := json.Marshal(api.SubscriptionEventPayload{
		ConsumerInstance: api.EventConsumerInstance{Kind: "ConsumerInstance", Name: "petstore-asset",
			Metadata: api.EventCIMetadata{Scope: api.EventScope{Kind: "Environment", Name: "demo"}}},
		Subscription: api.EventSubscription{Name: "alice", CurrentState: state, Properties: props},
	})
	b, _ := json.Marshal(api.Event{ID: "ev-1", Type: api.SubscriptionUpdatedEvent, Payload: p})
	return b
}

// send delivers body as central would, signed with secret under id.
func (r *rig) send(id, secret, auth string, body []byte) int {
	req := httptest.NewRequest("POST", "/hook", strings.NewReader(string(body)))
	if secret != "" {
		s, _ := signature.NewSigner(secret)
		for k, v := range s.Headers(id, time.Now(), body) {
			req.Header[k] = v
		}
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	return rec.Code
}

const states = "POST /apis/management/v1/environments/demo/subscriptions/alice/states "

func TestDecisions(t *testing.T) {
	for _, tc := range []struct {
		name, state, title string
		want               []string
	}{
		{"good profile", Requested, "Engineer", []string{states + `{"state":"APPROVED","description":"Approved automatically for job title \"Engineer\"."}`}},
		{"intern", Requested, " Intern ", []string{states + `{"state":"REJECTED","description":"Rejected: interns cannot subscribe to this API. Ask your team lead to subscribe for the team."}`}},
		{"no profile", Requested, "-", []string{states + `{"state":"REJECTED","description":"Rejected: the profile gives no job title. Subscribe again with your job title."}`}},
		{"already approved", Approved, "Engineer", nil},
	} {
		r := newRig(t, "")
		if got := r.send("ev-1", r.secret, "", event(tc.state, tc.title)); got != http.StatusNoContent {
			t.Errorf("%s: answered %d", tc.name, got)
		}
		if got := r.api.took(); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: API calls\n%q\nwant\n%q", tc.name, got, tc.want)
		}
	}
}

func TestRefusedRequests(t *testing.T) {
	r := newRig(t, "Bearer hook-secret")
	other, _ := signature.GenerateSecret()
	body := event(Requested, "Engineer")
	for _, tc := range []struct {
		name, secret, auth string
		body               []byte
		want               int
	}{
		{"unsigned", "", "Bearer hook-secret", body, http.StatusUnauthorized},
		{"wrong secret", other, "Bearer hook-secret", body, http.StatusUnauthorized},
		{"wrong Authorization", r.secret, "Bearer guess", body, http.StatusUnauthorized},
		{"not JSON", r.secret, "Bearer hook-secret", []byte("[1]"), http.StatusBadRequest},
	} {
		if got := r.send("ev-x", tc.secret, tc.auth, tc.body); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if calls := r.api.took(); len(calls) != 0 {
		t.Errorf("refused requests reached the API: %q", calls)
	}
	other2, _ := json.Marshal(api.Event{ID: "t", Type: api.ResourceCreated, Payload: json.RawMessage(`{}`)})
	if got := r.send("ev-t", r.secret, "Bearer hook-secret", other2); got != http.StatusNoContent {
		t.Errorf("another event type: %d", got)
	}
}

// A failed API call answers 503 so central retries; the retry (same
// webhook-id) decides; a further copy is acknowledged without a call.
func TestRetryAndDuplicates(t *testing.T) {
	r := newRig(t, "")
	r.api.statuses = []int{http.StatusServiceUnavailable}
	body := event(Requested, "Engineer")
	if got := r.send("ev-1", r.secret, "", body); got != http.StatusServiceUnavailable {
		t.Fatalf("API down: %d, want 503", got)
	}
	if got := r.send("ev-1", r.secret, "", body); got != http.StatusNoContent {
		t.Fatalf("retry: %d", got)
	}
	if got := r.send("ev-1", r.secret, "", body); got != http.StatusNoContent {
		t.Fatalf("duplicate: %d", got)
	}
	if calls := r.api.took(); len(calls) != 2 {
		t.Errorf("want the failed and the successful POST only, got %q", calls)
	}
}

// A 400 is read back: a subscription decided meanwhile is fine, one still
// REQUESTED is an error worth retrying.
func TestRefusedMove(t *testing.T) {
	r := newRig(t, "")
	r.api.statuses, r.api.state = []int{http.StatusBadRequest}, Approved
	if got := r.send("ev-1", r.secret, "", event(Requested, "Engineer")); got != http.StatusNoContent {
		t.Errorf("decided meanwhile: %d", got)
	}
	r.api.statuses, r.api.state = []int{http.StatusBadRequest}, Requested
	if got := r.send("ev-2", r.secret, "", event(Requested, "Engineer")); got != http.StatusServiceUnavailable {
		t.Errorf("refused while REQUESTED: %d", got)
	}
	r.api.statuses = []int{http.StatusNotFound}
	if got := r.send("ev-3", r.secret, "", event(Requested, "Engineer")); got != http.StatusNoContent {
		t.Errorf("deleted meanwhile: %d", got)
	}
}

func TestNewChecksConfig(t *testing.T) {
	secret, _ := signature.GenerateSecret()
	for _, cfg := range []Config{{APIBase: "http://127.0.0.1:8080"}, {Secrets: []string{"whsec_!!"}, APIBase: "http://127.0.0.1:8080"}, {Secrets: []string{secret}}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}
