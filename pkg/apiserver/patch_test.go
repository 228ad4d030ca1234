package apiserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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
		{env, patchType, `[{"op":"add","path":"/title","value":"x"}] trailing garbage`, 400, "more after its first value (from byte 42)", ""},
		{env, patchType, `[{"op":"add","path":"/title","value":"x"}][]`, 400, "more after its first value", ""},
		{env, patchType, `[{"op":"add","path":"/title","value":"x"}],`, 400, "more after its first value", ""},
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

// A JSON pointer has at most 64 tokens, and no patch result nests deeper
// than a resource may: both are 400s, answered at once, where a long path
// used to take seconds (quadratic) and a result deeper than JSON's 10000
// levels a 500.
func TestPatchDepth(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"prod","spec":{}}`)
	env := mgmt + "/environments/prod"
	stored := h.must(200, "GET", env, "").body
	events := len(h.events())
	nested := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, tc := range []struct {
		name, body, detail, pointer string
	}{
		{"65 tokens", `[{"op":"x-build-object-tree","path":"/spec/delivery` + strings.Repeat("/a", 63) + `"}]`,
			"a JSON pointer has at most 64 tokens; this one has 65", "/spec/delivery" + strings.Repeat("/a", 63)},
		{"12,000 tokens", `[{"op":"x-build-object-tree","path":"/spec/delivery` + strings.Repeat("/a", 11998) + `"}]`,
			"a JSON pointer has at most 64 tokens; this one has 12000", ""},
		{"a deep value", `[{"op":"add","path":"/spec/x","value":` + nested(1000) + `}]`,
			"After the patch, spec nests objects and arrays more than 1000 levels deep, the limit.", "/spec"},
		{"a deep attribute", `[{"op":"add","path":"/attributes/x","value":` + nested(1000) + `}]`,
			"After the patch, attributes nests objects and arrays more than 1000 levels deep", "/attributes"},
		{"deep values past JSON's 10000", `[{"op":"add","path":"/spec/x","value":` + nested(9990) + `},{"op":"add","path":"/spec/x` + strings.Repeat("/0", 60) + `","value":` + nested(9990) + `}]`,
			"more than 1000 levels deep", "/spec"},
	} {
		r := h.patch(env, tc.body)
		if r.status != 400 {
			t.Errorf("%s: status %d, want 400: %.300s", tc.name, r.status, r.body)
			continue
		}
		if d := r.detail(t); !strings.Contains(d, tc.detail) || len(d) > 400 {
			t.Errorf("%s: detail %.500q lacks %q (or is too long)", tc.name, d, tc.detail)
		}
		var e api.ErrorResponse
		_ = json.Unmarshal([]byte(r.body), &e)
		if p := e.Errors[0].Source["pointer"]; p != tc.pointer {
			t.Errorf("%s: source pointer %.100q, want %.100q", tc.name, p, tc.pointer)
		}
	}
	if now := h.must(200, "GET", env, "").body; now != stored {
		t.Errorf("failed patches changed the resource:\n%s\n%s", stored, now)
	}
	if n := len(h.events()); n != events {
		t.Errorf("failed patches appended %d events", n-events)
	}

	// At the limits, a patch is served, and so are its events.
	r := h.patch(env, `[{"op":"x-build-object-tree","path":"/spec`+strings.Repeat("/a", 63)+`"},{"op":"add","path":"/spec/x","value":`+nested(999)+`}]`)
	if r.status != 200 || !strings.Contains(r.body, strings.Repeat(`{"a":`, 63)+"{}") {
		t.Fatalf("PATCH at the limits: %d %.300s", r.status, r.body)
	}
	h.must(200, "GET", "/events?pageSize=1000", "")
}

// If-Match is one resourceVersion (quoted or not, weak or not) or *; a list
// or anything else is a 400, not a 428 about a garbled version.
func TestPatchIfMatch(t *testing.T) {
	h := newHarness(t)
	env := mgmt + "/environments/prod"
	v := h.must(201, "POST", mgmt+"/environments", `{"name":"prod"}`).resource(t).Metadata.ResourceVersion
	for _, tc := range []struct {
		ifMatch string
		status  int
	}{
		{`"1", "` + v + `"`, 400},
		{`"` + v + `", "` + v + `"`, 400},
		{v + "," + v, 400},
		{`""`, 400},
		{`"` + v, 400},
		{`"` + v + ` "`, 400},
		{"", 400},
		{"*, " + v, 400},
		{"0", 428},
		{`W/"0"`, 428},
		{`"` + v + `"`, 200},
		{`W/"` + v + `"`, 200},
		{v, 200},
		{"*", 200},
	} {
		req, _ := http.NewRequest("PATCH", h.url+env, strings.NewReader(`[]`))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", patchType)
		req.Header["If-Match"] = []string{tc.ifMatch}
		r := h.send(req)
		if r.status != tc.status {
			t.Errorf("If-Match: %s: status %d, want %d: %s", tc.ifMatch, r.status, tc.status, r.body)
			continue
		}
		switch d := ""; tc.status {
		case 400:
			if d = r.detail(t); !strings.HasPrefix(d, `If-Match takes one resourceVersion, as in If-Match: "42" (or * for any version); this request sent If-Match: `+tc.ifMatch+".") {
				t.Errorf("If-Match: %s: detail %q", tc.ifMatch, d)
			}
		case 428:
			if d = r.detail(t); d != fmt.Sprintf("The resourceVersion 0 of Environment prod is stale: the current one is %s. Read the resource again and retry.", v) {
				t.Errorf("If-Match: %s: detail %q", tc.ifMatch, d)
			}
		}
	}
	// A long list is quoted in part.
	long := strings.Repeat(`"`+v+`", `, 2000) + `"` + v + `"`
	if r := h.patch(env, `[]`, "If-Match", long); r.status != 400 || len(r.detail(t)) > 300 || !strings.HasSuffix(r.detail(t), "….") {
		t.Errorf("a long If-Match: %d %.400s", r.status, r.body)
	}
	// Two If-Match lines are a list too.
	req, _ := http.NewRequest("PATCH", h.url+env, strings.NewReader(`[]`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", patchType)
	req.Header.Add("If-Match", `"`+v+`"`)
	req.Header.Add("If-Match", `"`+v+`"`)
	if r := h.send(req); r.status != 400 || !strings.Contains(r.detail(t), "If-Match takes one resourceVersion") {
		t.Errorf("two If-Match lines: %d %s", r.status, r.body)
	}
}

// PATCH changes one resource at its own path: on a collection or a
// subresource it is a 405 that says what to send instead, with the Allow
// header every 405 of the server carries.
func TestPatchElsewhere(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"prod"}`)
	h.must(201, "POST", mgmt+"/environments/prod/webhooks", `{"name":"wh","spec":{"url":"https://example.com/hook"}}`)
	before := len(h.events())
	for _, tc := range []struct {
		path   string
		status int
		allow  string
		detail string
	}{
		{mgmt + "/environments/prod/webhooks/wh/x-foo", 405, "GET, HEAD, PUT",
			`x-foo is a subresource, which PATCH does not change: write it whole with PUT ` + mgmt + `/environments/prod/webhooks/wh/x-foo and the body {"x-foo": value} (null removes it).`},
		{mgmt + "/environments/prod/x-foo", 405, "GET, HEAD, PUT", `PUT ` + mgmt + `/environments/prod/x-foo and the body {"x-foo": value}`},
		{mgmt + "/environments/prod/webhooks/wh/status", 405, "GET, HEAD, PUT", `PUT ` + mgmt + `/environments/prod/webhooks/wh/status and the body {"status": value}`},
		{mgmt + "/environments", 405, "GET, HEAD, POST",
			mgmt + `/environments is a collection of environments: PATCH one of them, at ` + mgmt + `/environments/{name}.`},
		{mgmt + "/environments/prod/webhooks", 405, "GET, HEAD, POST", `PATCH one of them, at ` + mgmt + `/environments/prod/webhooks/{name}.`},
		{mgmt + "/environments/prod/bogus", 404, "", `Environment has no subresource "bogus"`},
		{mgmt + "/webhooks/wh/x-foo", 404, "", "Webhook is a scoped kind: write its subresources under its scope"},
		{mgmt + "/nosuchkinds", 404, "", `doesn't have a resource type "nosuchkinds"`},
	} {
		r := h.patch(tc.path, `[{"op":"add","path":"/title","value":"x"}]`)
		if r.status != tc.status || r.header.Get("Allow") != tc.allow {
			t.Errorf("PATCH %s: status %d, Allow %q; want %d, %q: %s", tc.path, r.status, r.header.Get("Allow"), tc.status, tc.allow, r.body)
			continue
		}
		if d := r.detail(t); !strings.Contains(d, tc.detail) {
			t.Errorf("PATCH %s: detail %q lacks %q", tc.path, d, tc.detail)
		}
		if tc.status == 405 && !strings.Contains(r.body, `"title":"`+api.TitleMethodNotAllowed+`"`) {
			t.Errorf("PATCH %s: %s", tc.path, r.body)
		}
	}
	if n := len(h.events()); n != before {
		t.Errorf("refused PATCHes appended %d events", n-before)
	}
}

// HEAD on a subresource answers as GET does, without the body, whether its
// kind is scoped or not.
func TestHeadSubResource(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"prod"}`)
	h.must(201, "POST", mgmt+"/environments/prod/webhooks", `{"name":"wh","spec":{"url":"https://example.com/hook"}}`)
	for _, p := range []string{mgmt + "/environments/prod", mgmt + "/environments/prod/webhooks/wh"} {
		if r := h.do("HEAD", p+"/x-foo", ""); r.status != 404 || r.body != "" {
			t.Errorf("HEAD %s/x-foo before it is set: %d %q", p, r.status, r.body)
		}
		h.must(200, "PUT", p+"/x-foo", `{"x-foo":{"a":1}}`)
		get, head := h.do("GET", p+"/x-foo", ""), h.do("HEAD", p+"/x-foo", "")
		if head.status != 200 || head.body != "" || head.header.Get("Content-Type") != get.header.Get("Content-Type") {
			t.Errorf("HEAD %s/x-foo: %d %q %v; GET gave %d %v", p, head.status, head.body, head.header, get.status, get.header)
		}
	}
}

// A subresource PUT with If-Match is refused, with PATCH's 428, when the
// resource has moved on since the client read it.
func TestSubResourcePutIfMatch(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"prod"}`)
	h.must(201, "POST", mgmt+"/environments/prod/apiservices", `{"name":"petstore"}`)
	for path, kindName := range map[string]string{mgmt + "/environments/prod": "Environment prod", mgmt + "/environments/prod/apiservices/petstore": "APIService petstore"} {
		read := h.must(200, "GET", path, "").resource(t).Metadata.ResourceVersion
		put := func(body, ifMatch string) reply {
			return h.do("PUT", path+"/x-compliance", body, "If-Match", ifMatch)
		}
		r := put(`{"x-compliance":{"ok":true}}`, `"`+read+`"`)
		if r.status != 200 {
			t.Fatalf("PUT %s/x-compliance at the current version: %d %s", path, r.status, r.body)
		}
		now := r.resource(t).Metadata.ResourceVersion
		// The write above moved the resource on: a write from the first
		// read is stale, as a subresource PUT and as a PATCH.
		want := fmt.Sprintf("The resourceVersion %s of %s is stale: the current one is %s. Read the resource again and retry.", read, kindName, now)
		if r = put(`{"x-compliance":{"ok":false}}`, `"`+read+`"`); r.status != 428 || r.detail(t) != want {
			t.Fatalf("stale subresource PUT: %d %s; want 428 %q", r.status, r.body, want)
		}
		if r = h.patch(path, `[]`, "If-Match", `"`+read+`"`); r.status != 428 || r.detail(t) != want {
			t.Fatalf("stale PATCH: %d %s; want 428 %q", r.status, r.body, want)
		}
		if r = put(`{"x-compliance":{"ok":false}}`, `"`+read+`", "`+now+`"`); r.status != 400 || !strings.Contains(r.detail(t), "If-Match takes one resourceVersion") {
			t.Fatalf("If-Match with a list: %d %s", r.status, r.body)
		}
		got := h.must(200, "GET", path, "").resource(t)
		if string(got.SubResources["x-compliance"]) != `{"ok":true}` || got.Metadata.ResourceVersion != now {
			t.Fatalf("refused PUTs changed the resource: %s at %s", got.SubResources["x-compliance"], got.Metadata.ResourceVersion)
		}
		// Without If-Match, or with *, the write goes through.
		h.must(200, "PUT", path+"/x-compliance", `{"x-compliance":{"ok":1}}`)
		if r := put(`{"x-compliance":null}`, "*"); r.status != 200 || r.resource(t).SubResources["x-compliance"] != nil {
			t.Fatalf("If-Match: *: %d %s", r.status, r.body)
		}
	}
}
