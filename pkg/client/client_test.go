package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// newServer starts an httptest server on 127.0.0.1 playing the API server
// with h, and a client for it.
func newServer(t *testing.T, h http.HandlerFunc, o Options) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return New(srv.URL, o), srv
}

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func TestHeadersAreSent(t *testing.T) {
	got := make(chan *http.Request, 1)
	var body []byte
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ = io.ReadAll(r.Body)
		got <- r
		writeJSON(w, http.StatusCreated, api.ResourceInstance{Kind: "Environment", Name: "prod"})
	}, Options{Token: "tok", OrgID: "org1", UserAgent: "central/1.2.3"})

	ctx := WithCorrelationID(context.Background(), "corr-1")
	p := Path{Group: "management", Version: "v1alpha1", Plural: "environments"}
	if _, err := c.Create(ctx, p, &api.ResourceInstance{Kind: "Environment", Name: "prod"}); err != nil {
		t.Fatal(err)
	}
	r := <-got
	want := map[string]string{
		"Authorization":     "Bearer tok",
		"X-Axway-Tenant-Id": "org1",
		"User-Agent":        "central/1.2.3",
		"Accept":            "application/json",
		"Content-Type":      "application/json",
		"X-Correlation-Id":  "corr-1",
	}
	for k, v := range want {
		if g := r.Header.Get(k); g != v {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
	}
	if r.Method != http.MethodPost || r.URL.Path != "/apis/management/v1alpha1/environments" {
		t.Errorf("request = %s %s", r.Method, r.URL.Path)
	}
	var sent api.ResourceInstance
	if err := json.Unmarshal(body, &sent); err != nil || sent.Name != "prod" {
		t.Errorf("body = %s (%v)", body, err)
	}
}

func TestOptionalHeadersAreOmitted(t *testing.T) {
	got := make(chan http.Header, 1)
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header
		writeJSON(w, http.StatusOK, api.ResourceInstance{Name: "prod"})
	}, Options{})
	if _, err := c.Get(context.Background(), Path{Group: "g", Version: "v1", Plural: "things", Name: "prod"}); err != nil {
		t.Fatal(err)
	}
	h := <-got
	for _, k := range []string{"Authorization", "X-Axway-Tenant-Id", "X-Correlation-Id", "Content-Type"} {
		if v := h.Get(k); v != "" {
			t.Errorf("header %s = %q, want none", k, v)
		}
	}
	if ua := h.Get("User-Agent"); ua != DefaultUserAgent {
		t.Errorf("User-Agent = %q, want %q", ua, DefaultUserAgent)
	}
}

func TestNewLeavesInjectedClientAlone(t *testing.T) {
	hc := &http.Client{}
	c := New("http://127.0.0.1:1/", Options{HTTPClient: hc, Timeout: time.Second})
	if hc.Timeout != 0 || hc.Transport != nil || hc.CheckRedirect != nil {
		t.Errorf("injected client was modified: %+v", hc)
	}
	if c.BaseURL() != "http://127.0.0.1:1" {
		t.Errorf("BaseURL() = %q", c.BaseURL())
	}
}

func TestPathString(t *testing.T) {
	tests := []struct {
		p    Path
		want string
	}{
		{Path{Group: "management", Version: "v1alpha1", Plural: "environments"}, "/apis/management/v1alpha1/environments"},
		{Path{Group: "management", Version: "v1", Plural: "environments", Name: "prod"}, "/apis/management/v1/environments/prod"},
		{Path{Group: "management", Version: "v1", ScopePlural: "integrations", ScopeName: "i1", Plural: "webhooks", Name: "w"},
			"/apis/management/v1/integrations/i1/webhooks/w"},
		// A scope plural without a scope name is the cross-scope list.
		{Path{Group: "management", Version: "v1", ScopePlural: "integrations", Plural: "webhooks"}, "/apis/management/v1/webhooks"},
		{Path{Group: "g", Version: "v1", Plural: "things", Name: "a/b"}, "/apis/g/v1/things/a%2Fb"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}
