package apiserver_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/apiserver"
	"github.com/centralhq/central/pkg/store"
)

const patchType = "application/json-patch+json"

// recordingSink notes the committed events the server hands its sink, the
// way the dispatcher's Enqueuer sees them to fire webhooks.
type recordingSink struct {
	mu        sync.Mutex
	pending   []string
	committed []string // "Type Kind/name"
}

func (s *recordingSink) EventAppended(_ context.Context, _ store.Tx, ev *api.Event, r *api.ResourceInstance) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, string(ev.Type)+" "+r.Kind+"/"+r.Name)
	return nil
}

func (s *recordingSink) EventTargeted(context.Context, store.Tx, *api.Event, *api.ResourceInstance, []api.WebhookRef) error {
	return nil
}

func (s *recordingSink) Settled(_ context.Context, _ []*api.Event, committed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if committed {
		s.committed = append(s.committed, s.pending...)
	}
	s.pending = nil
}

func (s *recordingSink) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := s.committed
	s.committed = nil
	return got
}

func (h *harness) patch(path, body string, headers ...string) reply {
	h.t.Helper()
	return h.do("PATCH", path, body, append([]string{"Content-Type", patchType}, headers...)...)
}

func (h *harness) events() []api.Event {
	h.t.Helper()
	var evs []api.Event
	if err := json.Unmarshal([]byte(h.must(200, "GET", "/events?pageSize=1000", "").body), &evs); err != nil {
		h.t.Fatal(err)
	}
	return evs
}

func TestPatch(t *testing.T) {
	sink := &recordingSink{}
	h := newHarness(t, func(s *apiserver.Server) { s.Sink = sink })
	h.must(201, "POST", mgmt+"/environments", `{"name":"prod","title":"Production","tags":["a"],"attributes":{"k":"v","gone":"x"},"spec":{"production":true}}`)
	before := h.must(200, "PUT", mgmt+"/environments/prod/x-compliance", `{"x-compliance":{"ok":true}}`).resource(t)
	sink.take()

	// Unscoped, every op.
	r := h.patch(mgmt+"/environments/prod", `[
		{"op":"replace","path":"/title","value":"Prod"},
		{"op":"add","path":"/tags/-","value":"b"},
		{"op":"add","path":"/attributes/team","value":"blue"},
		{"op":"remove","path":"/attributes/gone"},
		{"op":"x-build-object-tree","path":"/spec/gateway/tls"},
		{"op":"add","path":"/spec/gateway/tls/enabled","value":true},
		{"op":"add","path":"/owner","value":{"type":"team","id":"t1"}}
	]`)
	if r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.body)
	}
	got := r.resource(t)
	if got.Title != "Prod" || strings.Join(got.Tags, ",") != "a,b" || len(got.Attributes) != 2 || got.Attributes["team"] != "blue" ||
		string(got.Spec) != `{"gateway":{"tls":{"enabled":true}},"production":true}` || got.Owner == nil || got.Owner.ID != "t1" {
		t.Fatalf("patched %+v spec %s", got, got.Spec)
	}
	if got.Metadata.ResourceVersion == before.Metadata.ResourceVersion || got.Metadata.ID != before.Metadata.ID ||
		got.Metadata.Audit.CreateTimestamp != before.Metadata.Audit.CreateTimestamp {
		t.Fatalf("metadata after the patch %+v, before %+v", got.Metadata, before.Metadata)
	}
	if string(got.SubResources["x-compliance"]) != `{"ok":true}` {
		t.Fatalf("the patch changed a subresource: %s", got.SubResources)
	}
	if stored := h.must(200, "GET", mgmt+"/environments/prod", "").body; strings.TrimSpace(stored) != strings.TrimSpace(r.body) {
		t.Fatalf("stored differs from the answer:\n%s\n%s", stored, r.body)
	}
	evs := h.events()
	last := evs[len(evs)-1]
	if last.Type != api.ResourceUpdated || last.Metadata.Subresource != "" || !strings.Contains(string(last.Payload), `"title":"Prod"`) ||
		got.Metadata.ResourceVersion != jsonInt(last.Metadata.SequenceID) {
		t.Fatalf("last event %s %+v %s", last.Type, last.Metadata, last.Payload)
	}
	if s := sink.take(); strings.Join(s, ";") != "ResourceUpdated Environment/prod" {
		t.Fatalf("the sink (webhooks) saw %q", s)
	}

	// A patch that changes nothing writes nothing: no version, no event.
	for _, body := range []string{`[]`, `[{"op":"add","path":"/title","value":"Prod"},{"op":"add","path":"/spec/production","value":true}]`} {
		again := h.patch(mgmt+"/environments/prod", body, "Content-Type", patchType+"; charset=utf-8").resource(t)
		if again.Metadata.ResourceVersion != got.Metadata.ResourceVersion {
			t.Fatalf("no-op patch %s made version %s", body, again.Metadata.ResourceVersion)
		}
	}
	if n := len(h.events()); n != len(evs) {
		t.Fatalf("no-op patches appended %d events", n-len(evs))
	}

	// Scoped, with If-Match: the current version passes, a stale one is 428.
	svc := h.must(201, "POST", mgmt+"/environments/prod/apiservices", `{"name":"petstore","spec":{"description":"pets"}}`).resource(t)
	path := mgmt + "/environments/prod/apiservices/petstore"
	r = h.patch(path, `[{"op":"replace","path":"/spec/description","value":"cats"},{"op":"remove","path":"/title"}]`, "If-Match", `"`+svc.Metadata.ResourceVersion+`"`)
	if r.status != 200 {
		t.Fatalf("scoped PATCH: %d %s", r.status, r.body)
	}
	upd := r.resource(t)
	if string(upd.Spec) != `{"description":"cats"}` || upd.Title != "petstore" || upd.Metadata.ResourceVersion == svc.Metadata.ResourceVersion ||
		upd.Metadata.Scope == nil || upd.Metadata.Scope.Name != "prod" {
		t.Fatalf("scoped patch %+v %s", upd, upd.Spec)
	}
	r = h.patch(path, `[{"op":"replace","path":"/spec/description","value":"dogs"}]`, "If-Match", svc.Metadata.ResourceVersion)
	if r.status != 428 || !strings.Contains(r.detail(t), "stale") {
		t.Fatalf("stale If-Match: %d %s", r.status, r.body)
	}
	if s := string(h.must(200, "GET", path, "").resource(t).Spec); s != `{"description":"cats"}` {
		t.Fatalf("a stale PATCH changed the resource: %s", s)
	}
	// At the other version, the answer speaks that version.
	old := h.patch("/apis/management/v1alpha1/environments/prod/apiservices/petstore", `[{"op":"add","path":"/tags/0","value":"x"}]`).resource(t)
	if old.APIVersion != "v1alpha1" || old.Metadata.SelfLink != "/management/v1alpha1/environments/prod/apiservices/petstore" {
		t.Fatalf("v1alpha1 patch %+v", old)
	}
	if s := sink.take(); strings.Join(s, ";") != "ResourceCreated APIService/petstore;ResourceUpdated APIService/petstore;ResourceUpdated APIService/petstore" {
		t.Fatalf("the sink (webhooks) saw %q", s)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestPatchErrors(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"prod","tags":["a"],"attributes":{"k":"v"},"spec":{"n":1}}`)
	h.must(201, "POST", mgmt+"/environments/prod/apiservices", `{"name":"petstore","spec":{}}`)
	h.must(201, "POST", mgmt+"/environments/prod/webhooks", `{"name":"wh","spec":{"url":"https://example.com/hook"}}`)
	paths := []string{mgmt + "/environments/prod", mgmt + "/environments/prod/apiservices/petstore", mgmt + "/environments/prod/webhooks/wh"}
	stored := map[string]string{}
	for _, p := range paths {
		stored[p] = h.must(200, "GET", p, "").body
	}
	events := len(h.events())

	env, svc, wh := paths[0], paths[1], paths[2]
	for _, tc := range []struct {
		path, contentType, body string
		status                  int
		detail, pointer         string
	}{
		{env, "application/json", `[]`, 415, "Content-Type: application/json-patch+json", ""},
		{env, "", `[]`, 415, "application/json-patch+json", ""},
		{env, patchType, `[{"op":`, 400, "not valid JSON", ""},
		{env, patchType, `{"op":"add","path":"/title","value":"x"}`, 400, "JSON array of operations", ""},
		{env, patchType, `[1]`, 400, "Operation 0 is not an object", ""},
		{env, patchType, `[{"op":"add","path":"/title","value":"x"},{"op":"move","from":"/title","path":"/spec/t"}]`, 400, `Operation 1: op "move" is not served`, "/spec/t"},
		{env, patchType, `[{"op":"add","path":"spec/x","value":1}]`, 400, `JSON pointer starts with "/"`, "spec/x"},
		{env, patchType, `[{"op":"add","path":"/spec/a~b","value":1}]`, 400, "must be escaped", "/spec/a~b"},
		{env, patchType, `[{"op":"add","path":"/spec/x"}]`, 400, "needs a value", "/spec/x"},
		{env, patchType, `[{"op":"replace","path":"/spec/nope","value":1}]`, 400, "/spec/nope does not exist", "/spec/nope"},
		{env, patchType, `[{"op":"remove","path":"/attributes/nope"}]`, 400, "/attributes/nope does not exist", "/attributes/nope"},
		{env, patchType, `[{"op":"add","path":"/title","value":"changed"},{"op":"remove","path":"/tags/5"}]`, 400, "Operation 1 (remove /tags/5)", "/tags/5"},
		{env, patchType, `[{"op":"add","path":"/spec/a/b","value":1}]`, 400, "/spec/a does not exist", "/spec/a/b"},
		{env, patchType, `[{"op":"replace","path":"/name","value":"other"}]`, 400, "name is fixed by its path", "/name"},
		{env, patchType, `[{"op":"replace","path":"/kind","value":"Integration"}]`, 400, "kind is fixed by its path", "/kind"},
		{env, patchType, `[{"op":"replace","path":"/metadata/resourceVersion","value":"1"}]`, 400, "metadata is written by the server", "/metadata/resourceVersion"},
		{env, patchType, `[{"op":"remove","path":"/metadata"}]`, 400, "metadata is written by the server", "/metadata"},
		{env, patchType, `[{"op":"add","path":"/x-compliance","value":{}}]`, 400, "x-compliance is a subresource", "/x-compliance"},
		{svc, patchType, `[{"op":"add","path":"/status","value":{"level":"Error"}}]`, 400, "status is a subresource", "/status"},
		{env, patchType, `[{"op":"add","path":"/bogus","value":1}]`, 400, `has no member "bogus"`, "/bogus"},
		{env, patchType, `[{"op":"replace","path":"","value":{}}]`, 400, "names the whole resource", ""},
		{env, patchType, `[{"op":"add","path":"/attributes/team","value":5}]`, 400, "attributes is not an object of string values", "/attributes"},
		{env, patchType, `[{"op":"add","path":"/tags/-","value":{}}]`, 400, "tags is not an array of strings", "/tags"},
		{env, patchType, `[{"op":"replace","path":"/spec","value":[1]}]`, 400, "spec must be an object", "/spec"},
		{env, patchType, `[{"op":"add","path":"/title","value":"` + strings.Repeat("t", 351) + `"}]`, 400, "the limit is 350", "/title"},
		{svc, patchType, `[{"op":"add","path":"/spec/x","value":"` + strings.Repeat("a", 70<<10) + `"}]`, 413, "larger than", ""},
		{wh, patchType, `[{"op":"replace","path":"/spec/url","value":"ftp://x"}]`, 400, "spec.url", "/spec/url"},
		{mgmt + "/environments/nosuch", patchType, `[{"op":"add","path":"/title","value":"x"}]`, 404, "Resource nosuch of kind Environment not found.", ""},
		{mgmt + "/environments/prod/apiservices/nosuch", patchType, `[{"op":"add","path":"/title","value":"x"}]`, 404, "not found in scope Environment/prod", ""},
		{mgmt + "/environments/nosuch/apiservices/petstore", patchType, `[{"op":"add","path":"/title","value":"x"}]`, 404, "Resource nosuch of kind Environment not found.", ""},
	} {
		var headers []string
		if tc.contentType != "" {
			headers = []string{"Content-Type", tc.contentType}
		}
		r := h.do("PATCH", tc.path, tc.body, headers...)
		if r.status != tc.status {
			t.Errorf("%s %.60s: status %d, want %d: %s", tc.path, tc.body, r.status, tc.status, r.body)
			continue
		}
		if d := r.detail(t); !strings.Contains(d, tc.detail) {
			t.Errorf("%s %.60s: detail %q lacks %q", tc.path, tc.body, d, tc.detail)
		}
		var e api.ErrorResponse
		_ = json.Unmarshal([]byte(r.body), &e)
		if p := e.Errors[0].Source["pointer"]; p != tc.pointer {
			t.Errorf("%s %.60s: source pointer %q, want %q", tc.path, tc.body, p, tc.pointer)
		}
	}
	for _, p := range paths {
		if now := h.must(200, "GET", p, "").body; now != stored[p] {
			t.Errorf("failed patches changed %s:\n%s\n%s", p, stored[p], now)
		}
	}
	if n := len(h.events()); n != events {
		t.Errorf("failed patches appended %d events", n-events)
	}
}
