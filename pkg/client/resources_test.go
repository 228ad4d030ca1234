package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/centralhq/central/pkg/api"
)

var hookPath = Path{Group: "management", Version: "v1alpha1", ScopePlural: "integrations", ScopeName: "i1", Plural: "webhooks", Name: "w1"}

func TestSubResources(t *testing.T) {
	var putBody map[string]json.RawMessage
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != hookPath.String()+"/status" {
			t.Errorf("path = %s", r.URL.Path)
		}
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, http.StatusOK, map[string]any{"status": map[string]string{"level": "Success"}})
		case http.MethodPut:
			b, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(b, &putBody)
			writeJSON(w, http.StatusOK, json.RawMessage(`{"kind":"Webhook","name":"w1","status":{"level":"Error"}}`))
		}
	}, Options{})
	ctx := context.Background()
	v, err := c.SubResourceGet(ctx, hookPath, "status")
	if err != nil || string(v) != `{"level":"Success"}` {
		t.Fatalf("SubResourceGet = %s, %v", v, err)
	}
	r, err := c.SubResourcePut(ctx, hookPath, "status", json.RawMessage(`{"level":"Error"}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if string(putBody["status"]) != `{"level":"Error"}` {
		t.Errorf("PUT body = %v", putBody)
	}
	if string(r.SubResources["status"]) != `{"level":"Error"}` || r.Name != "w1" {
		t.Errorf("resource = %+v", r)
	}
}

func TestDelete(t *testing.T) {
	held := api.ResourceInstance{Kind: "Webhook", Name: "w1", Metadata: api.Metadata{State: api.StateDeleting}}
	var query url.Values
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodDelete {
			t.Errorf("method = %s", r.Method)
		}
		query = r.URL.Query()
		switch r.URL.Path {
		case hookPath.String():
			w.WriteHeader(http.StatusNoContent)
		default:
			writeJSON(w, http.StatusAccepted, held)
		}
	}, Options{})
	ctx := context.Background()

	got, err := c.Delete(ctx, hookPath, true)
	if err != nil || got != nil {
		t.Fatalf("Delete = %v, %v; want nil, nil on 204", got, err)
	}
	if query.Get("forceDelete") != "true" {
		t.Errorf("query = %v, want forceDelete=true", query)
	}

	other := hookPath
	other.Name = "held"
	got, err = c.Delete(ctx, other, false)
	if err != nil || got == nil || got.Metadata.State != api.StateDeleting {
		t.Fatalf("Delete = %+v, %v; want the held resource", got, err)
	}
	if query.Has("forceDelete") {
		t.Errorf("query = %v, want no forceDelete", query)
	}
}

func TestEvents(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/events" || q.Get("query") != "sequenceID>41" || q.Get("sort") != "sequenceID,ASC" || q.Get("pageSize") != "10" {
			t.Errorf("request = %s", r.URL)
		}
		writeJSON(w, http.StatusOK, []api.Event{{ID: "e1", Type: api.ResourceCreated, Metadata: &api.EventMetadata{SequenceID: 42}}})
	}, Options{})
	events, err := c.Events(context.Background(), 41, 10)
	if err != nil || len(events) != 1 || events[0].Metadata.SequenceID != 42 {
		t.Fatalf("Events = %+v, %v", events, err)
	}
}

func TestDo(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen", r.Method+" "+r.URL.RequestURI()+" "+string(b))
		writeJSON(w, http.StatusOK, map[string]int{"n": 1})
	}, Options{})
	var out struct{ N int }
	resp, err := c.Do(context.Background(), http.MethodPost, "/deliveries/d1/retry",
		url.Values{"dry": {"1"}}, json.RawMessage(`{"a":1}`), &out)
	if err != nil || out.N != 1 {
		t.Fatalf("Do = %+v, %v", out, err)
	}
	if got := resp.Header.Get("X-Seen"); got != `POST /deliveries/d1/retry?dry=1 {"a":1}` {
		t.Errorf("server saw %q", got)
	}
}

func TestGetWithoutBodyIsAnError(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
	}, Options{})
	if _, err := c.Get(context.Background(), hookPath); err == nil {
		t.Fatal("Get of an empty 200 succeeded")
	}
}

func TestPatch(t *testing.T) {
	var got *http.Request
	var body []map[string]any
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("body %s: %v", b, err)
		}
		if r.Header.Get("If-Match") == `"7"` {
			writeJSON(w, http.StatusPreconditionRequired, api.ErrorResponse{Errors: []api.Error{{Status: 428, Detail: "stale"}}})
			return
		}
		writeJSON(w, http.StatusOK, api.ResourceInstance{Kind: "Webhook", Name: "w1", Title: "new"})
	}, Options{})
	ctx := context.Background()
	r, err := c.Patch(ctx, hookPath, []PatchOp{
		{Op: "replace", Path: "/title", Value: "new"},
		{Op: "add", Path: "/spec/x", Value: json.RawMessage("null")},
		{Op: "add", Path: "/tags/-", Value: ""},
		{Op: "remove", Path: "/attributes/team"},
	}, "")
	if err != nil || r.Title != "new" {
		t.Fatalf("Patch = %+v, %v", r, err)
	}
	if got.Method != http.MethodPatch || got.URL.Path != hookPath.String() || got.Header.Get("Content-Type") != api.PatchMediaType || got.Header.Get("If-Match") != "" {
		t.Errorf("request %s %s, headers %v", got.Method, got.URL.Path, got.Header)
	}
	if len(body) != 4 || body[0]["value"] != "new" || !hasKey(body[1], "value") || body[1]["value"] != nil ||
		body[2]["value"] != "" || hasKey(body[3], "value") {
		t.Errorf("body = %v", body)
	}

	if _, err := c.Patch(ctx, hookPath, nil, "7"); !HasStatus(err, http.StatusPreconditionRequired) {
		t.Fatalf("a stale Patch = %v, want a 428", err)
	}
	if got.Header.Get("If-Match") != `"7"` || body == nil || len(body) != 0 {
		t.Errorf("If-Match %q, body %v", got.Header.Get("If-Match"), body)
	}
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// SubResourcePut makes the write conditional with If-Match when given a
// resourceVersion, and the server's 428 comes back as such. (The server's
// side is tested in pkg/apiserver's TestSubResourcePutIfMatch.)
func TestSubResourcePutIfMatch(t *testing.T) {
	var ifMatch []string
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		ifMatch = r.Header.Values("If-Match")
		if len(ifMatch) == 1 && ifMatch[0] == `"7"` {
			writeJSON(w, http.StatusPreconditionRequired, api.ErrorResponse{Errors: []api.Error{{Status: 428, Detail: "stale"}}})
			return
		}
		writeJSON(w, http.StatusOK, json.RawMessage(`{"kind":"Webhook","name":"w1"}`))
	}, Options{})
	ctx := context.Background()
	if _, err := c.SubResourcePut(ctx, hookPath, "x-foo", json.RawMessage(`{}`), "7"); !HasStatus(err, http.StatusPreconditionRequired) {
		t.Fatalf("a stale SubResourcePut = %v, want a 428", err)
	}
	if _, err := c.SubResourcePut(ctx, hookPath, "x-foo", json.RawMessage(`{}`), ""); err != nil || len(ifMatch) != 0 {
		t.Fatalf("SubResourcePut without a version = %v, If-Match %q", err, ifMatch)
	}
}
