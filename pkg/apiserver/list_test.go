package apiserver_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
)

func names(t *testing.T, body string) string {
	t.Helper()
	var rs []map[string]any
	if err := json.Unmarshal([]byte(body), &rs); err != nil {
		t.Fatalf("not a list: %s", body)
	}
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprint(r["name"]))
	}
	return strings.Join(out, ",")
}

func TestListPagingSortFieldsCount(t *testing.T) {
	h := newHarness(t)
	for _, n := range []string{"c", "a", "e", "b", "d"} {
		h.must(201, "POST", mgmt+"/environments", fmt.Sprintf(`{"name":%q,"title":"T-%s","tags":["t-%s"]}`, n, n, n))
	}
	r := h.must(200, "GET", mgmt+"/environments?pageSize=2&sort=name,ASC", "")
	if got := names(t, r.body); got != "a,b" || r.header.Get("X-Axway-Total-Count") != "5" {
		t.Fatalf("page 1: %s total %s", got, r.header.Get("X-Axway-Total-Count"))
	}
	link := r.header.Get("Link")
	if !strings.Contains(link, `page=2&pageSize=2&sort=name%2CASC>; rel="next"`) || !strings.Contains(link, `page=3&pageSize=2&sort=name%2CASC>; rel="last"`) {
		t.Fatalf("Link: %s", link)
	}
	if got := names(t, h.must(200, "GET", mgmt+"/environments?pageSize=2&page=3&sort=name,ASC", "").body); got != "e" {
		t.Fatalf("last page: %s", got)
	}
	if got := names(t, h.must(200, "GET", mgmt+"/environments?sort=title,DESC", "").body); got != "e,d,c,b,a" {
		t.Fatalf("sort by title desc: %s", got)
	}
	if got := names(t, h.must(200, "GET", mgmt+"/environments", "").body); got != "c,a,e,b,d" {
		t.Fatalf("default order is creation order: %s", got)
	}
	if got := names(t, h.must(200, "GET", mgmt+"/environments?query=tags%3D%3Dt-b,name%3Din%3D(d,e)&sort=name,ASC", "").body); got != "b,d,e" {
		t.Fatalf("query: %s", got)
	}
	body := h.must(200, "GET", mgmt+"/environments?pageSize=1&fields=name,metadata.audit.createTimestamp", "").body
	var sel []map[string]any
	_ = json.Unmarshal([]byte(body), &sel)
	if len(sel) != 1 || len(sel[0]) != 2 || sel[0]["metadata"].(map[string]any)["audit"].(map[string]any)["createTimestamp"] == nil {
		t.Fatalf("fields: %s", body)
	}
	r = h.must(200, "HEAD", mgmt+"/environments?query=name%3D%3Da", "")
	if r.header.Get("X-Axway-Total-Count") != "1" || r.body != "" {
		t.Fatalf("HEAD count: %v %q", r.header, r.body)
	}
	if r := h.do("HEAD", mgmt+"/environments?count=some", ""); r.status != 400 {
		t.Fatalf("HEAD with a bad count: %d", r.status)
	}
	h.must(201, "POST", mgmt+"/environments/a/apiservices", `{"name":"s"}`)
	h.must(201, "POST", mgmt+"/environments/b/apiservices", `{"name":"s"}`)
	if r := h.must(200, "HEAD", mgmt+"/apiservices", ""); r.header.Get("X-Axway-Total-Count") != "2" {
		t.Fatalf("cross-scope count: %v", r.header)
	}
	if r := h.must(200, "HEAD", mgmt+"/environments/a/apiservices", ""); r.header.Get("X-Axway-Total-Count") != "1" {
		t.Fatalf("scoped count: %v", r.header)
	}
}

func TestSubResources(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"e","title":"Before","spec":{"a":1}}`)
	h.must(201, "POST", mgmt+"/environments/e/apiservices", `{"name":"s","spec":{"a":1}}`)
	r := h.must(200, "PUT", mgmt+"/environments/e/apiservices/s/x-compliance", `{"x-compliance":{"ok":true}}`).resource(t)
	if string(r.SubResources["x-compliance"]) != `{"ok":true}` || string(r.Spec) != `{"a":1}` {
		t.Fatalf("after subresource PUT: %+v", r)
	}
	if got := h.must(200, "GET", mgmt+"/environments/e/apiservices/s/x-compliance", "").body; strings.TrimSpace(got) != `{"x-compliance":{"ok":true}}` {
		t.Fatalf("subresource GET: %s", got)
	}
	// a PUT of the resource keeps its subresources; one in the body is ignored
	r = h.must(200, "PUT", mgmt+"/environments/e/apiservices/s", `{"spec":{"a":2},"x-compliance":{"ok":false}}`).resource(t)
	if string(r.SubResources["x-compliance"]) != `{"ok":true}` || string(r.Spec) != `{"a":2}` {
		t.Fatalf("a resource PUT touched its subresource: %+v", r)
	}
	// unscoped subresource on the five-segment path
	h.must(200, "PUT", mgmt+"/environments/e/status", `{"status":{"level":"Success"}}`)
	if got := h.must(200, "GET", mgmt+"/environments/e/status", "").body; !strings.Contains(got, "Success") {
		t.Fatalf("unscoped subresource: %s", got)
	}
	if r := h.do("GET", mgmt+"/environments/e/references", ""); r.status != 404 {
		t.Fatalf("unset subresource: %d", r.status)
	}
	if r := h.do("PUT", mgmt+"/environments/e/status", `{"other":1}`); r.status != 400 {
		t.Fatalf("mismatched subresource body: %d", r.status)
	}
	var evs []api.Event
	_ = json.Unmarshal([]byte(h.must(200, "GET", "/events?query=sequenceID>2", "").body), &evs)
	if len(evs) != 3 || evs[0].Type != api.SubResourceUpdated || evs[0].Metadata.Subresource != "x-compliance" || evs[0].Metadata.SequenceID != 3 {
		t.Fatalf("events after 2: %+v", evs)
	}
}

// fields selects a single resource's fields as it does a list's, in every
// answer with one resource: the Amplify CLI sends ?fields=<sub> with a
// subresource PUT.
func TestFieldsOfOneResource(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		status                   int
		method, path, body, want string
	}{
		{201, "POST", mgmt + "/environments?fields=name,title", `{"name":"e","title":"E","spec":{"a":1}}`, `{"name":"e","title":"E"}`},
		{201, "POST", mgmt + "/environments/e/apiservices", `{"name":"s","spec":{"a":1}}`, ""},
		{200, "GET", mgmt + "/environments/e/apiservices/s?fields=name,metadata.scope.name,nosuch", "", `{"metadata":{"scope":{"name":"e"}},"name":"s"}`},
		{200, "PUT", mgmt + "/environments/e/apiservices/s/x-lint?fields=x-lint", `{"x-lint":{"ok":true}}`, `{"x-lint":{"ok":true}}`},
		{200, "PUT", mgmt + "/environments/e/apiservices/s?fields=spec", `{"spec":{"a":2}}`, `{"spec":{"a":2}}`},
		{200, "GET", mgmt + "/environments/e?fields=spec.a", "", `{"spec":{"a":1}}`},
	} {
		got := strings.TrimSpace(h.must(tc.status, tc.method, tc.path, tc.body).body)
		if tc.want != "" && got != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.method, tc.path, got, tc.want)
		}
	}
	if r := h.do("GET", mgmt+"/environments/e/apiservices/nosuch?fields=name", ""); r.status != 404 {
		t.Errorf("fields of a missing resource: %d %s", r.status, r.body)
	}
}

// An Environment has the subresources the reference names for it.
func TestEnvironmentSubResources(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"e"}`)
	for _, sub := range []string{"complianceruntimeresult", "compliancetasks", "policies", "references", "sampletrigger", "stages", "traceable"} {
		h.must(200, "PUT", mgmt+"/environments/e/"+sub, `{"`+sub+`":{"a":1}}`)
	}
}

func TestCascadeDeleteEvents(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"e"}`)
	h.must(201, "POST", mgmt+"/environments/e/apiservices", `{"name":"s1"}`)
	h.must(201, "POST", mgmt+"/environments/e/webhooks", `{"name":"w","spec":{"url":"https://example.com/x"}}`)
	h.must(201, "POST", mgmt+"/environments", `{"name":"other"}`)
	r := h.do("DELETE", mgmt+"/environments/e", "", "X-Correlation-Id", "cascade-1")
	if r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	var evs []api.Event
	_ = json.Unmarshal([]byte(h.must(200, "GET", "/events?query=sequenceID>4", "").body), &evs)
	var got []string
	for _, ev := range evs {
		var res api.ResourceInstance
		_ = json.Unmarshal(ev.Payload, &res)
		if ev.Type != api.ResourceDeleted || ev.CorrelationID != "cascade-1" {
			t.Fatalf("cascade event %+v", ev)
		}
		got = append(got, res.Kind+"/"+res.Name)
	}
	if strings.Join(got, " ") != "APIService/s1 Webhook/w Environment/e" {
		t.Fatalf("cascade events: %v", got)
	}
	if r := h.do("GET", mgmt+"/environments/other", ""); r.status != 200 {
		t.Fatal("the cascade reached another environment")
	}
	// the head of the log, newest first
	var head []api.Event
	_ = json.Unmarshal([]byte(h.must(200, "GET", "/events?sort=sequenceID,DESC&pageSize=1", "").body), &head)
	if len(head) != 1 || head[0].Metadata.SequenceID != 7 {
		t.Fatalf("head: %+v", head)
	}
	if r := h.do("GET", "/events?query=name==x", ""); r.status != 400 {
		t.Fatalf("events with another query: %d", r.status)
	}
}

func TestDefinitions(t *testing.T) {
	h := newHarness(t)
	var groups []api.ResourceInstance
	_ = json.Unmarshal([]byte(h.must(200, "GET", "/apis/definitions/v1alpha1/groups", "").body), &groups)
	if len(groups) != 2 || groups[0].Name != "management" || groups[0].Metadata.ResourceVersion == "" {
		t.Fatalf("groups: %+v", groups)
	}
	var cls []api.ResourceInstance
	_ = json.Unmarshal([]byte(h.must(200, "GET", "/apis/definitions/v1alpha1/groups/management/commandlines?pageSize=100", "").body), &cls)
	found := 0
	for _, cl := range cls {
		var spec api.CommandLineSpec
		_ = cl.DecodeSpec(&spec)
		if spec.Names.Plural == "webhooks" {
			found++
			if len(spec.Columns) != 7 || spec.Columns[1].Type != "date" || spec.Names.ShortNamesAlias[0] != "webh" {
				t.Fatalf("webhook command line: %+v", spec)
			}
		}
	}
	if found != 2 {
		t.Fatalf("webhooks have %d command lines, want 2 (Environment and Integration)", found)
	}
	var rd api.ResourceInstance
	_ = json.Unmarshal([]byte(h.must(200, "GET", "/apis/definitions/v1alpha1/groups/management/resources/apiservice", "").body), &rd)
	var spec api.ResourceDefinitionSpec
	_ = rd.DecodeSpec(&spec)
	if spec.Kind != "APIService" || spec.Scope.Kind != "Environment" || spec.APIVersions[0].Name != "v1" {
		t.Fatalf("resource definition: %+v", spec)
	}
	if r := h.do("GET", "/apis/definitions/v1alpha1/groups/nosuch/resources", ""); r.status != 404 {
		t.Fatalf("missing group: %d", r.status)
	}
	// Across groups, as the SDK's definitions client lists them.
	across := h.must(200, "GET", "/apis/definitions/v1alpha1/commandlines?pageSize=1", "")
	if n := across.header.Get("X-Axway-Total-Count"); n != strconv.Itoa(len(cls)) {
		t.Fatalf("commandlines across groups: %s, want the management group's %d", n, len(cls))
	}
	if r := h.do("GET", "/apis/definitions/v1alpha1/resourceversions", ""); r.status != 404 || !strings.Contains(r.detail(t), "/apis/definitions/v1alpha1/resources") {
		t.Fatalf("an unserved definitions path: %d %s", r.status, r.body)
	}
}

// A page number so large that (page-1)*pageSize overflows once panicked the
// handler; it is just a page past the data.
func TestListHugePage(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"e"}`)
	for _, path := range []string{
		mgmt + "/environments?page=9223372036854775807&pageSize=2",
		mgmt + "/environments?page=4611686018427387905&pageSize=2",
		"/apis/definitions/v1alpha1/groups/management/commandlines?page=9223372036854775807&pageSize=1000",
		"/deliveries?page=9223372036854775807&pageSize=2",
	} {
		r := h.must(200, "GET", path, "")
		if strings.TrimSpace(r.body) != "[]" {
			t.Errorf("%s: body %s, want []", path, r.body)
		}
	}
	if r := h.must(200, "GET", mgmt+"/environments?page=9223372036854775807&pageSize=2", ""); r.header.Get("X-Axway-Total-Count") != "1" {
		t.Errorf("total: %v", r.header)
	}
	for _, page := range []string{"0", "-1", "-9223372036854775808", "9223372036854775808"} {
		if r := h.do("GET", mgmt+"/environments?page="+page, ""); r.status != 400 {
			t.Errorf("page=%s: status %d, want 400", page, r.status)
		}
	}
}
