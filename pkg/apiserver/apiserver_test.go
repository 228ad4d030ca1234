package apiserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/apiserver"
	"github.com/centralhq/central/pkg/store/sqlite"
)

const token = "test-token"

type harness struct {
	t   *testing.T
	url string
	srv *apiserver.Server
}

// newHarness serves a Server on a fresh store; configure, when given, sets
// further fields (a Sink) before the server starts.
func newHarness(t *testing.T, configure ...func(*apiserver.Server)) *harness {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "central.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := &apiserver.Server{Store: st, Org: "100000000000001", Token: token, UserID: "admin", MaxBody: 64 << 10}
	for _, f := range configure {
		f(s)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return &harness{t: t, url: ts.URL, srv: s}
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (r reply) resource(t *testing.T) *api.ResourceInstance {
	t.Helper()
	var res api.ResourceInstance
	if err := json.Unmarshal([]byte(r.body), &res); err != nil {
		t.Fatalf("not a resource: %v: %s", err, r.body)
	}
	return &res
}

func (r reply) detail(t *testing.T) string {
	t.Helper()
	var e api.ErrorResponse
	if err := json.Unmarshal([]byte(r.body), &e); err != nil || len(e.Errors) != 1 {
		t.Fatalf("not an error body: %s", r.body)
	}
	if m := e.Errors[0].Meta; e.Errors[0].Status != r.status || m.TransactionID == "" || m.TenantID == "" || (m.AuthenticatedUserID == "") != (r.status == 401) {
		t.Fatalf("error entry %+v does not match status %d or lacks its meta", e.Errors[0], r.status)
	}
	return e.Errors[0].Detail
}

func (h *harness) do(method, path, body string, headers ...string) reply {
	h.t.Helper()
	req, _ := http.NewRequest(method, h.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return h.send(req)
}

// send sends a request made by hand (with a token, when it needs one).
func (h *harness) send(req *http.Request) reply {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func (h *harness) must(status int, method, path, body string) reply {
	h.t.Helper()
	r := h.do(method, path, body)
	if r.status != status {
		h.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.body)
	}
	return r
}

const mgmt = "/apis/management/v1"

func TestCreateReadUpdate(t *testing.T) {
	h := newHarness(t)
	env := h.must(201, "POST", mgmt+"/environments", `{"name":"prod","title":"Production","tags":["a"],"attributes":{"k":"v"},"spec":{"production":true}}`).resource(t)
	if env.Metadata.SelfLink != "/management/v1/environments/prod" || env.Metadata.ResourceVersion == "" || env.Metadata.ID == "" ||
		env.Group != "management" || env.Kind != "Environment" || env.Metadata.Audit.CreateTimestamp.IsZero() {
		t.Fatalf("created %+v", env)
	}
	created := h.must(201, "POST", mgmt+"/environments/prod/apiservices", `{"name":"petstore","spec":{"description":"pets"}}`)
	svc := created.resource(t)
	// Read at the version it was written at, the stored JSON is sent as it
	// is: the same bytes as the create's answer.
	if again := h.must(200, "GET", mgmt+"/environments/prod/apiservices/petstore", ""); again.body != created.body {
		t.Fatalf("read back differs from the create's answer:\n%s\n%s", again.body, created.body)
	}
	// Written at v1alpha1, read at v1: every link says v1.
	h.must(201, "POST", "/apis/management/v1alpha1/environments/prod/apiservices", `{"name":"old","spec":null}`)
	if old := h.must(200, "GET", mgmt+"/environments/prod/apiservices/old", "").resource(t); old.APIVersion != "v1" ||
		old.Metadata.SelfLink != "/management/v1/environments/prod/apiservices/old" || old.Metadata.Scope.SelfLink != "/management/v1/environments/prod" ||
		string(old.Spec) != "{}" { // "spec": null is no spec
		t.Fatalf("a v1alpha1 resource read at v1: %+v", old)
	}
	if svc.Metadata.Scope == nil || svc.Metadata.Scope.Name != "prod" || svc.Metadata.Scope.ID != env.Metadata.ID ||
		svc.Metadata.SelfLink != "/management/v1/environments/prod/apiservices/petstore" {
		t.Fatalf("scoped create %+v", svc.Metadata)
	}
	got := h.must(200, "GET", "/apis/management/v1alpha1/environments/prod/apiservices/petstore", "").resource(t)
	if got.APIVersion != "v1alpha1" || string(got.Spec) != `{"description":"pets"}` ||
		got.Metadata.SelfLink != "/management/v1alpha1/environments/prod/apiservices/petstore" ||
		got.Metadata.Scope.SelfLink != "/management/v1alpha1/environments/prod" {
		t.Fatalf("read %+v", got)
	}
	upd := h.must(200, "PUT", mgmt+"/environments/prod/apiservices/petstore",
		fmt.Sprintf(`{"title":"Pets","spec":{},"metadata":{"resourceVersion":%q}}`, got.Metadata.ResourceVersion)).resource(t)
	if upd.Title != "Pets" || upd.Metadata.ResourceVersion == got.Metadata.ResourceVersion {
		t.Fatalf("update %+v", upd)
	}
	r := h.do("PUT", mgmt+"/environments/prod/apiservices/petstore", fmt.Sprintf(`{"title":"Stale","spec":{},"metadata":{"resourceVersion":%q}}`, got.Metadata.ResourceVersion))
	if r.status != 428 || !strings.Contains(r.detail(t), "stale") {
		t.Fatalf("stale PUT: %d %s", r.status, r.body)
	}
	if h.must(200, "GET", mgmt+"/environments/prod/apiservices/petstore", "").resource(t).Title != "Pets" {
		t.Fatal("a stale PUT changed the resource")
	}
}

func TestStatusCodes(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"prod"}`)
	for _, tc := range []struct {
		method, path, body string
		status             int
		detail             string
	}{
		{"GET", mgmt + "/environments/nosuch", "", 404, "Resource nosuch of kind Environment not found."},
		{"GET", mgmt + "/environments/nosuch/apiservices", "", 404, "Resource nosuch of kind Environment not found."},
		{"POST", mgmt + "/environments/nosuch/apiservices", `{"name":"x"}`, 404, "Resource nosuch of kind Environment not found."},
		{"GET", mgmt + "/environments/prod/apiservices/x", "", 404, "Resource x of kind APIService not found in scope Environment/prod."},
		{"POST", mgmt + "/environments", `{"name":"prod"}`, 409, "Resource prod of kind Environment already exists."},
		{"POST", mgmt + "/environments", `{"name":"Bad_Name"}`, 400, `Invalid name "Bad_Name"`},
		{"POST", mgmt + "/environments", `{"name":"` + strings.Repeat("a", 100) + `"}`, 400, "fewer than 100 characters"},
		{"POST", mgmt + "/environments", `{"name":`, 400, "not a valid JSON resource"},
		{"POST", mgmt + "/environments", `{"name":"x"} {"name":"y"}`, 400, "has more after its first value (from byte 12)"},
		{"PUT", mgmt + "/environments/prod", `{"name":"prod","title":"T"}]`, 400, "has more after its first value"},
		{"POST", mgmt + "/environments", `{"kind":"APIService","name":"x"}`, 400, "The body is a APIService"},
		{"POST", mgmt + "/environments", `{"name":"big","spec":{"x":"` + strings.Repeat("a", 70<<10) + `"}}`, 413, "larger than"},
		{"GET", mgmt + "/nosuchkinds", "", 404, `doesn't have a resource type "nosuchkinds"`},
		{"GET", "/apis/management/v9/environments", "", 404, `does not serve version "v9"`},
		{"GET", mgmt + "/integrations/prod/apiservices", "", 404, "APIService cannot live in a Integration"},
		{"GET", mgmt + "/environments?query=name%3D%3D", "", 400, "invalid query"},
		{"GET", mgmt + "/environments?sort=spec,ASC", "", 400, "Cannot sort by"},
		{"GET", mgmt + "/environments?pageSize=0", "", 400, "pageSize"},
		{"POST", mgmt + "/environments/prod/webhooks", `{"name":"w","spec":{"url":"ftp://x"}}`, 400, "spec.url"},
		{"POST", mgmt + "/environments/prod/webhooks", `{"name":"w","spec":{"enabled":true}}`, 400, "needs spec.url"},
		{"PUT", mgmt + "/environments/prod", `{"name":"other"}`, 400, "cannot be renamed"},
		{"PUT", mgmt + "/environments/prod/nosuchsub", `{"nosuchsub":{}}`, 400, `no subresource "nosuchsub"`},
	} {
		r := h.do(tc.method, tc.path, tc.body)
		if r.status != tc.status {
			t.Errorf("%s %s: status %d, want %d: %s", tc.method, tc.path, r.status, tc.status, r.body)
			continue
		}
		if d := r.detail(t); !strings.Contains(d, tc.detail) {
			t.Errorf("%s %s: detail %q lacks %q", tc.method, tc.path, d, tc.detail)
		}
	}
	if n := strings.Count(h.must(200, "GET", mgmt+"/environments", "").body, `"name":"prod"`); n != 1 {
		t.Fatalf("failed requests changed stored data: %d copies", n)
	}
}

func TestAuthAndCorrelation(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest("GET", h.url+mgmt+"/environments", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	if r := h.do("GET", mgmt+"/environments", "", "X-Axway-Tenant-Id", "other"); r.status != 403 {
		t.Fatalf("other tenant: %d", r.status)
	}
	r := h.do("POST", mgmt+"/environments", `{"name":"e"}`, "X-Correlation-Id", "corr-1")
	if r.header.Get("X-Correlation-Id") != "corr-1" {
		t.Fatalf("correlation id not echoed: %v", r.header)
	}
	evs := h.must(200, "GET", "/events", "").body
	if !strings.Contains(evs, `"correlationId":"corr-1"`) {
		t.Fatalf("event lacks the request's correlation id: %s", evs)
	}
	resp, err = http.Get(h.url + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz without a token: %v %v", resp, err)
	}
}

func TestGeneratedNames(t *testing.T) {
	h := newHarness(t)
	for _, want := range []string{"webhook-site-listener", "webhook-site-listener-2"} {
		if got := h.must(201, "POST", mgmt+"/environments", `{"title":"Webhook.site listener"}`).resource(t).Name; got != want {
			t.Fatalf("name from title: %q, want %q", got, want)
		}
	}
	if got := h.must(201, "POST", mgmt+"/integrations", `{}`).resource(t).Name; !strings.Contains(got, "-") {
		t.Fatalf("random name %q", got)
	}
}

// A Webhook spec of the wrong shape says what is wrong; the hint about
// headers comes only with errors about headers.
func TestWebhookSpecTypeErrors(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"prod"}`)
	const hint = "(headers must map names to strings)"
	for _, tc := range []struct {
		spec, pointer string
		hinted        bool
	}{
		{`{"url":"https://example.com/hook","headers":{"X-Team":1}}`, "/spec/headers", true},
		{`{"url":"https://example.com/hook","headers":["X-Team"]}`, "/spec/headers", true},
		{`{"url":1}`, "/spec", false},
		{`{"url":"https://example.com/hook","enabled":"yes"}`, "/spec", false},
		{`{"url":"https://example.com/hook","auth":{"secret":"s"}}`, "/spec", false},
		{`{"url":"https://example.com/hook","delivery":{"retrySchedule":"5s"}}`, "/spec", false},
	} {
		r := h.do("POST", mgmt+"/environments/prod/webhooks", `{"name":"wh","spec":`+tc.spec+`}`)
		if r.status != 400 {
			t.Errorf("spec %s: status %d: %s", tc.spec, r.status, r.body)
			continue
		}
		d := r.detail(t)
		if !strings.HasPrefix(d, "The Webhook spec is malformed: ") || strings.Contains(d, hint) != tc.hinted {
			t.Errorf("spec %s: detail %q (hint wanted: %v)", tc.spec, d, tc.hinted)
		}
		var e api.ErrorResponse
		_ = json.Unmarshal([]byte(r.body), &e)
		if p := e.Errors[0].Source["pointer"]; p != tc.pointer {
			t.Errorf("spec %s: source pointer %q, want %q", tc.spec, p, tc.pointer)
		}
	}
}

// A resource nests at most 1000 levels of objects and arrays, whoever
// writes it: past that its events, which wrap it, and the lists of them
// would be too deep for a JSON decoder (GET /events was a 500).
func TestNestingLimit(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"prod"}`)
	nested := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, tc := range []struct{ method, path, body, detail string }{
		{"POST", mgmt + "/environments", `{"name":"deep","spec":{"x":` + nested(1000) + `}}`, "spec nests objects and arrays more than 1000 levels deep, the limit."},
		{"PUT", mgmt + "/environments/prod", `{"spec":{"x":` + nested(9997) + `}}`, "spec nests objects and arrays more than 1000 levels deep"},
		{"PUT", mgmt + "/environments/prod/x-deep", `{"x-deep":` + nested(9998) + `}`, "The value of x-deep nests objects and arrays more than 1000 levels deep, the limit."},
	} {
		r := h.do(tc.method, tc.path, tc.body)
		if r.status != 400 || !strings.Contains(r.detail(t), tc.detail) {
			t.Errorf("%s %s: %d %.300s", tc.method, tc.path, r.status, r.body)
		}
	}
	h.must(200, "PUT", mgmt+"/environments/prod", `{"spec":{"x":`+nested(999)+`}}`)
	h.must(200, "PUT", mgmt+"/environments/prod/x-deep", `{"x-deep":`+nested(1000)+`}`)
	h.must(200, "GET", "/events", "")
}

// TestSecretEventsRedacted: a Secret's values are answered to its readers
// but never put in an event, which webhooks and the event log carry.
func TestSecretEventsRedacted(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/integrations", `{"name":"mon"}`)
	created := h.must(201, "POST", mgmt+"/integrations/mon/secrets", `{"name":"gh","spec":{"data":{"token":"ghp_created"}}}`)
	h.must(200, "PUT", mgmt+"/integrations/mon/secrets/gh", `{"name":"gh","spec":{"data":{"token":"ghp_updated","user":"bot"}}}`)
	got := h.must(200, "GET", mgmt+"/integrations/mon/secrets/gh", "")
	h.must(204, "DELETE", mgmt+"/integrations/mon/secrets/gh", "")
	if !strings.Contains(created.body, "ghp_created") || !strings.Contains(got.body, "ghp_updated") {
		t.Fatalf("the API no longer answers a Secret's values:\n%s\n%s", created.body, got.body)
	}
	evs := h.must(200, "GET", "/events", "").body
	if strings.Contains(evs, "ghp_") || strings.Contains(evs, `"bot"`) {
		t.Fatalf("an event carries a Secret's value: %s", evs)
	}
	if n := strings.Count(evs, `"token":"REDACTED"`); n != 3 {
		t.Fatalf("want the token's key, redacted, in the create, update and delete events; found %d: %s", n, evs)
	}
}
