package apiserver_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestListQueryWith lists resources with =with= and =without= through the
// server, whose documents carry the arrays these operators are for.
func TestListQueryWith(t *testing.T) {
	h := newHarness(t)
	h.must(201, "POST", mgmt+"/environments", `{"name":"e"}`)
	for _, body := range []string{
		`{"name":"a","tags":["team-pay"],"spec":{"endpoint":[{"host":"a.example.com","protocol":"https","port":443}]}}`,
		// b has an https endpoint and one on port 443, but not both in one.
		`{"name":"b","tags":["beta"],"spec":{"endpoint":[{"host":"b.example.com","protocol":"https","port":8443},{"host":"b.example.com","protocol":"http","port":443}]}}`,
		`{"name":"c","spec":{}}`,
	} {
		h.must(201, "POST", mgmt+"/environments/e/apiserviceinstances", body)
	}
	list := func(query string) string {
		t.Helper()
		return names(t, h.must(200, "GET", mgmt+"/environments/e/apiserviceinstances?sort=name,ASC&query="+url.QueryEscape(query), "").body)
	}
	for _, tc := range []struct{ query, want string }{
		{"spec.endpoint.protocol==https;spec.endpoint.port==443", "a,b"},
		{"spec.endpoint=with='protocol==https;port==443'", "a"},
		{`spec.endpoint=without="protocol==https and port==443"`, "b,c"},
		{"spec.endpoint=without='protocol==http'", "a,c"},
		{"spec.endpoint=with=''", "a,b"},
		{"tags=with='@==team-*'", "a"},
		{"tags=without='@==team-*';spec.endpoint=with='port>8000'", "b"},
	} {
		if got := list(tc.query); got != tc.want {
			t.Errorf("query %s lists %q, want %q", tc.query, got, tc.want)
		}
	}

	r := h.do("GET", mgmt+"/apiserviceinstances?query="+url.QueryEscape("spec.endpoint=with='port==443 protocol==https'"), "")
	if r.status != 400 {
		t.Fatalf("a malformed =with= query: %d %s", r.status, r.body)
	}
	if d := r.detail(t); !strings.Contains(d, `";", ",", "and" or "or" is expected at character 31`) {
		t.Errorf("a malformed =with= query: %s", d)
	}
}
