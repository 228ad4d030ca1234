package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

var set = &discovery.Set{Definitions: []discovery.Definition{
	{Group: "management", Kind: "APIService", Plural: "apiservices", Version: "v1", ScopeKind: "Environment", ScopePlural: "environments"},
	{Group: "management", Kind: "Environment", Plural: "environments", Version: "v1"},
	{Group: "management", Kind: "Integration", Plural: "integrations", Version: "v1"},
	{Group: "management", Kind: "ResourceHook", Plural: "resourcehooks", Version: "v1", ScopeKind: "Integration", ScopePlural: "integrations"},
	{Group: "management", Kind: "Secret", Plural: "secrets", Version: "v1", ScopeKind: "Environment", ScopePlural: "environments"},
	{Group: "management", Kind: "Secret", Plural: "secrets", Version: "v1", ScopeKind: "Integration", ScopePlural: "integrations"},
	{Group: "management", Kind: "Webhook", Plural: "webhooks", Version: "v1", ScopeKind: "Environment", ScopePlural: "environments"},
	{Group: "management", Kind: "Webhook", Plural: "webhooks", Version: "v1", ScopeKind: "Integration", ScopePlural: "integrations"},
	{Group: "catalog", Kind: "Product", Plural: "products", Version: "v1"},
}}

type request struct {
	method, path string
	body         []byte
}

// fakeAPI plays resource creation, rotatesecret and reading a webhook back.
// fail maps a "METHOD path" to the status it answers with instead.
type fakeAPI struct {
	fail map[string]int

	mu       sync.Mutex
	requests []request
}

func (a *fakeAPI) factory(t *testing.T) *factory.Factory {
	t.Helper()
	mux := http.NewServeMux()
	created := func(w http.ResponseWriter, r *http.Request, body []byte) {
		var res api.ResourceInstance
		if err := json.Unmarshal(body, &res); err != nil {
			t.Errorf("body of %s: %v", r.URL, err)
		}
		res.Metadata.ID = "id-" + res.Name
		res.Metadata.ResourceVersion = "1"
		writeJSON(w, http.StatusCreated, res)
	}
	mux.HandleFunc("POST /apis/management/v1/{sp}/{sn}/{plural}", func(w http.ResponseWriter, r *http.Request) {
		created(w, r, a.last().body)
	})
	mux.HandleFunc("POST /apis/management/v1/{sp}/{sn}/webhooks/{name}/rotatesecret", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, api.SigningSecret{Secret: secret, SecretName: r.PathValue("name") + "-signing"})
	})
	mux.HandleFunc("GET /apis/management/v1/{sp}/{sn}/webhooks/{name}", func(w http.ResponseWriter, r *http.Request) {
		spec, _ := json.Marshal(api.WebhookSpec{Enabled: true, URL: "https://example.com/in", Signing: &api.WebhookSigning{Secret: r.PathValue("name") + "-signing"}})
		writeJSON(w, http.StatusOK, api.ResourceInstance{Group: "management", APIVersion: "v1", Kind: "Webhook", Name: r.PathValue("name"),
			Metadata: api.Metadata{ResourceVersion: "2", Scope: &api.Scope{Kind: "Integration", Name: r.PathValue("sn")}}, Spec: spec})
	})
	// One Secret exists: billing-creds, with the key token.
	mux.HandleFunc("GET /apis/management/v1/{sp}/{sn}/secrets/{name}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("name") != "billing-creds" {
			writeJSON(w, http.StatusNotFound, api.ErrorResponse{Errors: []api.Error{{Status: 404, Title: "Not Found", Detail: "Resource not found."}}})
			return
		}
		spec, _ := json.Marshal(api.SecretSpec{Data: map[string]string{"token": "Bearer x"}})
		writeJSON(w, http.StatusOK, api.ResourceInstance{Group: "management", APIVersion: "v1", Kind: "Secret", Name: "billing-creds", Spec: spec})
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		a.requests = append(a.requests, request{r.Method, r.URL.Path, b})
		a.mu.Unlock()
		if code := a.fail[r.Method+" "+r.URL.Path]; code != 0 {
			writeJSON(w, code, api.ErrorResponse{Errors: []api.Error{{Status: code, Title: http.StatusText(code), Detail: "Resource already exists."}}})
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return &factory.Factory{
		Client:      func() (*client.Client, error) { return client.New(srv.URL, client.Options{Token: "tok"}), nil },
		Definitions: func(context.Context) (*discovery.Set, error) { return set, nil },
	}
}

func (a *fakeAPI) last() request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.requests[len(a.requests)-1]
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

func run(t *testing.T, f *factory.Factory, args ...string) result {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f.IOStreams = ios
	cmd := NewCmdCreateWebhook(f, nil)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return result{out.String(), errOut.String(), err}
}

// decode reads a request body into a resource and its spec.
func decode[S any](t *testing.T, b []byte) (api.ResourceInstance, S) {
	t.Helper()
	var r api.ResourceInstance
	var spec S
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	if err := json.Unmarshal(r.Spec, &spec); err != nil {
		t.Fatalf("%v in %s", err, r.Spec)
	}
	return r, spec
}

func TestCreateWebhook(t *testing.T) {
	a := &fakeAPI{}
	r := run(t, a.factory(t), "billing", "-s", "Environment/prod", "--url", "https://billing.example.com/events",
		"--title", "Billing", "--header", "X-Team=payments", "--header", "X-Empty=", "--secret", "billing-creds/token", "--ordered")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if want := "✔ \"Webhook/billing\" in the scope \"Environment/prod\" has successfully been created.\n"; r.stderr != want || r.stdout != "" {
		t.Errorf("stderr = %q, stdout = %q", r.stderr, r.stdout)
	}
	if len(a.requests) != 2 || a.requests[0].method != http.MethodPost || a.requests[0].path != "/apis/management/v1/environments/prod/webhooks" ||
		a.requests[1].method != http.MethodGet || a.requests[1].path != "/apis/management/v1/environments/prod/secrets/billing-creds" {
		t.Fatalf("requests = %+v", a.requests)
	}
	res, spec := decode[api.WebhookSpec](t, a.requests[0].body)
	if res.Kind != "Webhook" || res.Name != "billing" || res.Title != "Billing" || res.APIVersion != "v1" || res.Group != "management" {
		t.Errorf("resource = %+v", res)
	}
	if !spec.Enabled || spec.URL != "https://billing.example.com/events" ||
		spec.Auth == nil || *spec.Auth.Secret != (api.SecretRef{Name: "billing-creds", Key: "token"}) ||
		spec.Delivery == nil || !spec.Delivery.Ordered || spec.Signing != nil {
		t.Errorf("spec = %s", res.Spec)
	}
	wantHeaders := map[string]string{"X-Team": "payments", "X-Empty": "", "Content-Type": "application/json"}
	if len(spec.Headers) != len(wantHeaders) {
		t.Errorf("headers = %v", spec.Headers)
	}
	for k, v := range wantHeaders {
		if got, ok := spec.Headers[k]; !ok || got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

// A --secret that names no Secret, or a key it lacks, still makes the
// webhook (the Secret may come next) but warns: until then requests go
// out without Authorization.
func TestCreateWebhookWarnsOfAMissingSecret(t *testing.T) {
	for secret, want := range map[string]string{
		"nosuch/token":     `⚠ There is no Secret "nosuch" in Environment/prod: requests go out without Authorization until it is created with the key "token".`,
		"billing-creds/pw": `⚠ The Secret "billing-creds" in Environment/prod has no key "pw": requests go out without Authorization until it has.`,
	} {
		r := run(t, (&fakeAPI{}).factory(t), "w", "-s", "Environment/prod", "--url", "https://billing.example.com/events", "--secret", secret)
		if r.err != nil || !strings.Contains(r.stderr, "has successfully been created.\n"+want+"\n") {
			t.Errorf("--secret %s: %v\n%s", secret, r.err, r.stderr)
		}
	}
}

func TestCreateWebhookKeepsAGivenContentType(t *testing.T) {
	a := &fakeAPI{}
	r := run(t, a.factory(t), "w", "-s", "Environment/prod", "--url", "http://127.0.0.1:9000/", "--header", "content-type=application/cloudevents+json", "--disabled")
	if r.err != nil {
		t.Fatal(r.err)
	}
	_, spec := decode[api.WebhookSpec](t, a.requests[0].body)
	if len(spec.Headers) != 1 || spec.Headers["content-type"] != "application/cloudevents+json" || spec.Enabled {
		t.Errorf("spec = %+v", spec)
	}
}

func TestCreateWebhookWithSecretAndTriggers(t *testing.T) {
	a := &fakeAPI{}
	r := run(t, a.factory(t), "jira", "-s", "Integration/monitor", "--url", "https://jira.example.com/hooks",
		"--generate-secret", "--trigger", "APIService@Environment/prod", "--trigger", "*:created,deleted,created", "--trigger", "Product:updated")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if want := "Signing secret: " + secret + "\n"; r.stdout != want {
		t.Errorf("stdout = %q, want %q", r.stdout, want)
	}
	wantErr := "✔ \"Webhook/jira\" in the scope \"Integration/monitor\" has successfully been created.\n" +
		"✔ \"Webhook/jira\" in the scope \"Integration/monitor\" signs its requests with this secret.\n" +
		"The secret is also kept in the Secret \"jira-signing\" in Integration/monitor, where anyone with an API token can read it (central get secret jira-signing -s Integration/monitor -o yaml).\n" +
		"✔ \"ResourceHook/jira-hook\" in the scope \"Integration/monitor\" has successfully been created.\n"
	if r.stderr != wantErr {
		t.Errorf("stderr =\n%s\nwant\n%s", r.stderr, wantErr)
	}
	paths := []string{
		"POST /apis/management/v1/integrations/monitor/webhooks",
		"POST /apis/management/v1/integrations/monitor/webhooks/jira/rotatesecret",
		"POST /apis/management/v1/integrations/monitor/resourcehooks",
	}
	if len(a.requests) != len(paths) {
		t.Fatalf("requests = %+v", a.requests)
	}
	for i, p := range paths {
		if got := a.requests[i].method + " " + a.requests[i].path; got != p {
			t.Errorf("request %d = %s, want %s", i, got, p)
		}
	}
	hook, spec := decode[api.ResourceHookSpec](t, a.requests[2].body)
	if hook.Kind != "ResourceHook" || hook.Name != "jira-hook" || hook.Metadata.Scope == nil || hook.Metadata.Scope.Name != "monitor" {
		t.Errorf("hook = %+v", hook)
	}
	want := api.ResourceHookSpec{
		Webhooks: []string{"jira"},
		Triggers: []api.Trigger{
			{Group: "management", Kind: "APIService", Name: "*", Type: []string{"created", "updated", "deleted"}, Scope: &api.TriggerScope{Kind: "Environment", Name: "prod"}},
			{Group: "management", Kind: "*", Name: "*", Type: []string{"created", "deleted"}},
			{Group: "catalog", Kind: "Product", Name: "*", Type: []string{"updated"}},
		},
	}
	gotJSON, _ := json.Marshal(spec)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("hook spec = %s\nwant        %s", gotJSON, wantJSON)
	}
}

func TestCreateWebhookOutput(t *testing.T) {
	a := &fakeAPI{}
	r := run(t, a.factory(t), "jira", "-s", "Integration/monitor", "--url", "https://jira.example.com/hooks",
		"--generate-secret", "--trigger", "APIService", "-o", "json")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var got []api.ResourceInstance
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v in\n%s", err, r.stdout)
	}
	if len(got) != 2 || got[0].Kind != "Webhook" || got[1].Kind != "ResourceHook" {
		t.Fatalf("printed %+v", got)
	}
	var spec api.WebhookSpec
	_ = json.Unmarshal(got[0].Spec, &spec)
	if spec.Signing == nil || got[0].Metadata.ResourceVersion != "2" {
		t.Errorf("the webhook was not read back after the rotation: %s", got[0].Spec)
	}
	if !strings.Contains(r.stderr, "Signing secret: "+secret+"\n") {
		t.Errorf("the secret is not on stderr with -o:\n%s", r.stderr)
	}
}

func TestCreateWebhookReportsPartialFailure(t *testing.T) {
	tests := []struct {
		name     string
		fail     string
		wantOut  string
		wantMade int
	}{
		{"hook exists", "POST /apis/management/v1/integrations/monitor/resourcehooks",
			"✖ Error: creating \"ResourceHook/jira-hook\" in the scope \"Integration/monitor\" failed: Resource already exists.\n" +
				"Created before the failure: \"Webhook/jira\" in the scope \"Integration/monitor\".\n" +
				"Not done: creating \"ResourceHook/jira-hook\" in the scope \"Integration/monitor\".\n", 3},
		{"rotation fails", "POST /apis/management/v1/integrations/monitor/webhooks/jira/rotatesecret",
			"✖ Error: generating the signing secret failed: Resource already exists.\n" +
				"Created before the failure: \"Webhook/jira\" in the scope \"Integration/monitor\".\n" +
				"Not done: generating the signing secret; creating \"ResourceHook/jira-hook\" in the scope \"Integration/monitor\".\n", 2},
	}
	for _, tt := range tests {
		a := &fakeAPI{fail: map[string]int{tt.fail: http.StatusConflict}}
		r := run(t, a.factory(t), "jira", "-s", "Integration/monitor", "--url", "https://jira.example.com/hooks", "--generate-secret", "--trigger", "APIService")
		if !errors.Is(r.err, clierr.ErrSilent) {
			t.Errorf("%s: err = %v, want ErrSilent", tt.name, r.err)
		}
		first := "✔ \"Webhook/jira\" in the scope \"Integration/monitor\" has successfully been created.\n"
		if !strings.HasPrefix(r.stderr, first) || !strings.HasSuffix(r.stderr, tt.wantOut) {
			t.Errorf("%s: stderr =\n%s\nwant it to end with\n%s", tt.name, r.stderr, tt.wantOut)
		}
		if len(a.requests) != tt.wantMade {
			t.Errorf("%s: %d requests, want %d", tt.name, len(a.requests), tt.wantMade)
		}
	}
}

func TestCreateWebhookFirstStepFails(t *testing.T) {
	a := &fakeAPI{fail: map[string]int{"POST /apis/management/v1/integrations/monitor/webhooks": http.StatusConflict}}
	r := run(t, a.factory(t), "jira", "-s", "Integration/monitor", "--url", "https://jira.example.com/hooks", "--trigger", "APIService")
	if !client.HasStatus(r.err, http.StatusConflict) || r.stderr != "" || len(a.requests) != 1 {
		t.Errorf("err = %v, stderr = %q, %d requests; want the API error alone", r.err, r.stderr, len(a.requests))
	}
}

func TestCreateWebhookFlagErrors(t *testing.T) {
	ok := []string{"w", "-s", "Integration/i", "--url", "https://example.com/"}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"w", "-s", "Integration/i"}, "--url is required"},
		{[]string{"w", "-s", "Integration/i", "--url", "example.com/in"}, "--url must be an absolute http(s) URL"},
		{[]string{"w", "--url", "https://example.com/"}, "the scope is required: -s/--scope KIND/NAME"},
		{[]string{"w", "-s", "i", "--url", "https://example.com/"}, "-s Integration/i or -s Environment/i"},
		{append(ok, "--header", "X-Team"), `invalid --header "X-Team": use NAME=VALUE`},
		{append(ok, "--header", "=v"), "use NAME=VALUE"},
		{append(ok, "--header", "X Team=v"), "use NAME=VALUE"},
		{append(ok, "--secret", "creds"), "use SECRETNAME/KEY"},
		{append(ok, "--secret", "creds/key", "--generate-secret"), "--secret and --generate-secret can't be used together"},
		{append(ok, "--trigger", ""), "the kind is missing; use KIND[:created,updated,deleted][@SCOPEKIND/SCOPENAME]"},
		{append(ok, "--trigger", "APIService:created,removed"), `"removed" is not a type`},
		{append(ok, "--trigger", "APIService:"), `"" is not a type`},
		{append(ok, "--trigger", "APIService@prod"), "the scope must be SCOPEKIND/SCOPENAME"},
		{[]string{"w", "-s", "Environment/prod", "--url", "https://example.com/", "--trigger", "APIService"},
			"triggers create a ResourceHook, which lives in an Integration with its webhooks; use -s Integration/NAME"},
		{append(ok, "--trigger", "apiservice"), `the server has no kind "apiservice"`},
		{append(ok, "--trigger", "Environment@Environment/prod"), "Environment resources don't live in the scope kind Environment (they live in: no scope)"},
		{append(ok, "--trigger", "*@Nowhere/x"), "nothing lives in the scope kind Nowhere"},
		{[]string{"w", "-s", "APIService/x", "--url", "https://example.com/"}, `a Webhook can't live in the scope kind "APIService"`},
		{append(ok, "-o", "xml"), "allowed: yaml | json"},
	}
	for _, tt := range tests {
		a := &fakeAPI{}
		r := run(t, a.factory(t), tt.args...)
		var fe *clierr.FlagError
		if !errors.As(r.err, &fe) || !strings.Contains(r.err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want a FlagError with %q", tt.args, r.err, tt.want)
		}
		if len(a.requests) != 0 {
			t.Errorf("%v: %d requests made", tt.args, len(a.requests))
		}
	}
}
