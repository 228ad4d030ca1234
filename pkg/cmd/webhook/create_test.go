package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
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

// fakeAPI plays resource creation and reads, and rotatesecret, over a map
// of resources by path. It starts with the Environment "prod" and, in it,
// the Secret billing-creds with the key token, plus existing.
// fail maps a "METHOD path" to the status it answers with instead.
type fakeAPI struct {
	fail     map[string]int
	existing []string // paths of resources there before the run

	mu       sync.Mutex
	requests []request
	stored   map[string]api.ResourceInstance
}

func (a *fakeAPI) factory(t *testing.T) *factory.Factory {
	t.Helper()
	credSpec, _ := json.Marshal(api.SecretSpec{Data: map[string]string{"token": "Bearer x"}})
	a.stored = map[string]api.ResourceInstance{
		"/apis/management/v1/environments/prod": {Group: "management", APIVersion: "v1", Kind: "Environment", Name: "prod"},
		"/apis/management/v1/environments/prod/secrets/billing-creds": {Group: "management", APIVersion: "v1", Kind: "Secret", Name: "billing-creds",
			Metadata: api.Metadata{Scope: &api.Scope{Kind: "Environment", Name: "prod"}}, Spec: credSpec},
	}
	for _, p := range a.existing {
		a.stored[p] = api.ResourceInstance{Name: p[strings.LastIndex(p, "/")+1:]}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /apis/management/v1/{sp}/{sn}/{plural}", func(w http.ResponseWriter, r *http.Request) {
		var res api.ResourceInstance
		if err := json.Unmarshal(a.last().body, &res); err != nil {
			t.Errorf("body of %s: %v", r.URL, err)
		}
		res.Metadata.ID = "id-" + res.Name
		res.Metadata.ResourceVersion = "1"
		a.store(r.URL.Path+"/"+res.Name, res)
		writeJSON(w, http.StatusCreated, res)
	})
	mux.HandleFunc("POST /apis/management/v1/{sp}/{sn}/webhooks/{name}/rotatesecret", func(w http.ResponseWriter, r *http.Request) {
		name, scope := r.PathValue("name"), &api.Scope{Kind: "Integration", Name: r.PathValue("sn")}
		whPath := strings.TrimSuffix(r.URL.Path, "/rotatesecret")
		wh, _ := a.load(whPath)
		wh.Spec, _ = json.Marshal(api.WebhookSpec{Enabled: true, URL: "https://example.com/in", Signing: &api.WebhookSigning{Secret: name + "-signing"}})
		wh.Metadata.ResourceVersion = "2"
		a.store(whPath, wh)
		spec, _ := json.Marshal(api.SecretSpec{Data: map[string]string{"current": secret}})
		a.store("/apis/management/v1/"+r.PathValue("sp")+"/"+r.PathValue("sn")+"/secrets/"+name+"-signing",
			api.ResourceInstance{Group: "management", APIVersion: "v1", Kind: "Secret", Name: name + "-signing", Metadata: api.Metadata{Scope: scope}, Spec: spec})
		writeJSON(w, http.StatusOK, api.SigningSecret{Secret: secret, SecretName: name + "-signing"})
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		res, ok := a.load(r.URL.Path)
		if !ok {
			writeJSON(w, http.StatusNotFound, api.ErrorResponse{Errors: []api.Error{{Status: 404, Title: "Not Found", Detail: "Resource not found."}}})
			return
		}
		writeJSON(w, http.StatusOK, res)
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

func (a *fakeAPI) store(path string, res api.ResourceInstance) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stored[path] = res
}

func (a *fakeAPI) load(path string) (api.ResourceInstance, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	res, ok := a.stored[path]
	return res, ok
}

// sent lists the requests as "METHOD path".
func (a *fakeAPI) sent() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, len(a.requests))
	for i, r := range a.requests {
		out[i] = r.method + " " + r.path
	}
	return out
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

// posted is the body of the POST to path.
func (a *fakeAPI) posted(t *testing.T, path string) []byte {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, r := range a.requests {
		if r.method == http.MethodPost && r.path == path {
			return r.body
		}
	}
	t.Fatalf("no POST %s in %+v", path, a.requests)
	return nil
}

// wantRequests checks the requests made, in order.
func wantRequests(t *testing.T, a *fakeAPI, want ...string) {
	t.Helper()
	if got := a.sent(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
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
	wantRequests(t, a,
		"GET /apis/management/v1/environments/prod/webhooks/billing", // is the name free?
		"POST /apis/management/v1/environments/prod/webhooks",
		"GET /apis/management/v1/environments/prod/secrets/billing-creds")
	res, spec := decode[api.WebhookSpec](t, a.posted(t, "/apis/management/v1/environments/prod/webhooks"))
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

func TestCreateWebhookKeepsAGivenContentType(t *testing.T) {
	a := &fakeAPI{}
	r := run(t, a.factory(t), "w", "-s", "Environment/prod", "--url", "http://127.0.0.1:9000/", "--header", "content-type=application/cloudevents+json", "--disabled")
	if r.err != nil {
		t.Fatal(r.err)
	}
	_, spec := decode[api.WebhookSpec](t, a.posted(t, "/apis/management/v1/environments/prod/webhooks"))
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
	wantRequests(t, a,
		// first, whether all it makes is free
		"GET /apis/management/v1/integrations/monitor/webhooks/jira",
		"GET /apis/management/v1/integrations/monitor/secrets/jira-signing",
		"GET /apis/management/v1/integrations/monitor/resourcehooks/jira-hook",
		"POST /apis/management/v1/integrations/monitor/webhooks",
		"POST /apis/management/v1/integrations/monitor/webhooks/jira/rotatesecret",
		"POST /apis/management/v1/integrations/monitor/resourcehooks",
		"GET /apis/management/v1/environments/prod", // the trigger's scope is there
	)
	hook, spec := decode[api.ResourceHookSpec](t, a.posted(t, "/apis/management/v1/integrations/monitor/resourcehooks"))
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

func TestCreateWebhookHookName(t *testing.T) {
	a := &fakeAPI{}
	r := run(t, a.factory(t), "jira", "-s", "Integration/monitor", "--url", "https://jira.example.com/hooks",
		"--trigger", "APIService", "--hook-name", "jira-apis")
	if r.err != nil {
		t.Fatal(r.err)
	}
	hook, spec := decode[api.ResourceHookSpec](t, a.posted(t, "/apis/management/v1/integrations/monitor/resourcehooks"))
	if hook.Name != "jira-apis" || len(spec.Webhooks) != 1 || spec.Webhooks[0] != "jira" {
		t.Errorf("hook %s: %+v", hook.Name, spec)
	}
	if !slices.Contains(a.sent(), "GET /apis/management/v1/integrations/monitor/resourcehooks/jira-apis") {
		t.Errorf("the hook's name was not checked: %v", a.sent())
	}
}

// With -o the created resources are printed in the order they were made,
// the signing Secret among them: a script reads the secret from stdout,
// and stderr, which CI logs keep, does not carry it.
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
	if len(got) != 3 || got[0].Kind != "Webhook" || got[1].Kind != "Secret" || got[1].Name != "jira-signing" || got[2].Kind != "ResourceHook" {
		t.Fatalf("printed %s", r.stdout)
	}
	var spec api.WebhookSpec
	_ = json.Unmarshal(got[0].Spec, &spec)
	if spec.Signing == nil || got[0].Metadata.ResourceVersion != "2" {
		t.Errorf("the webhook was not read back after the rotation: %s", got[0].Spec)
	}
	var secretSpec api.SecretSpec
	if err := json.Unmarshal(got[1].Spec, &secretSpec); err != nil || secretSpec.Data["current"] != secret {
		t.Errorf("the printed Secret does not hold the secret: %s", got[1].Spec)
	}
	if strings.Contains(r.stderr, secret) {
		t.Errorf("the secret is on stderr with -o:\n%s", r.stderr)
	}
	if want := "✔ \"Webhook/jira\" in the scope \"Integration/monitor\" signs its requests with a new secret, printed as spec.data.current of the Secret \"jira-signing\".\n"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr =\n%s\nwant it to contain\n%s", r.stderr, want)
	}
}

// If the Secret can't be read back, what was made is printed and the
// command fails: a script must not go on without the secret.
func TestCreateWebhookOutputSecretNotReadBack(t *testing.T) {
	// Not found, for the check before (free) and the read-back after.
	a := &fakeAPI{fail: map[string]int{"GET /apis/management/v1/integrations/monitor/secrets/jira-signing": http.StatusNotFound}}
	r := run(t, a.factory(t), "jira", "-s", "Integration/monitor", "--url", "https://jira.example.com/hooks", "--generate-secret", "-o", "json")
	if !errors.Is(r.err, clierr.ErrSilent) {
		t.Errorf("err = %v, want ErrSilent", r.err)
	}
	var got []api.ResourceInstance
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 1 || got[0].Kind != "Webhook" {
		t.Errorf("printed %s (%v)", r.stdout, err)
	}
	if !strings.Contains(r.stderr, `✖ Error: reading back the Secret "jira-signing", which holds the signing secret, failed: `) ||
		!strings.Contains(r.stderr, "central get secret jira-signing -s Integration/monitor -o json") {
		t.Errorf("stderr =\n%s", r.stderr)
	}
}

// A clash the check could not see (made meanwhile) still stops the run
// with what was made and what not, as a document under -o json too.
func TestCreateWebhookReportsPartialFailure(t *testing.T) {
	tests := []struct {
		name     string
		fail     string
		wantOut  string
		wantErr  string
		wantMade int
	}{
		{"hook made meanwhile", "POST /apis/management/v1/integrations/monitor/resourcehooks",
			"✖ Error: creating \"ResourceHook/jira-hook\" in the scope \"Integration/monitor\" failed: Resource already exists.\n" +
				"Created before the failure: \"Webhook/jira\" in the scope \"Integration/monitor\".\n" +
				"Not done: creating \"ResourceHook/jira-hook\" in the scope \"Integration/monitor\".\n",
			"creating \"ResourceHook/jira-hook\" in the scope \"Integration/monitor\" failed: Resource already exists. " +
				"Created before the failure: \"Webhook/jira\" in the scope \"Integration/monitor\". " +
				"Not done: creating \"ResourceHook/jira-hook\" in the scope \"Integration/monitor\".",
			6},
		{"rotation fails", "POST /apis/management/v1/integrations/monitor/webhooks/jira/rotatesecret",
			"✖ Error: generating the signing secret failed: Resource already exists.\n" +
				"Created before the failure: \"Webhook/jira\" in the scope \"Integration/monitor\".\n" +
				"Not done: generating the signing secret; creating \"ResourceHook/jira-hook\" in the scope \"Integration/monitor\".\n",
			"generating the signing secret failed: Resource already exists. " +
				"Created before the failure: \"Webhook/jira\" in the scope \"Integration/monitor\". " +
				"Not done: generating the signing secret; creating \"ResourceHook/jira-hook\" in the scope \"Integration/monitor\".",
			5},
	}
	for _, tt := range tests {
		a := &fakeAPI{fail: map[string]int{tt.fail: http.StatusConflict}}
		r := run(t, a.factory(t), "jira", "-s", "Integration/monitor", "--url", "https://jira.example.com/hooks", "--generate-secret", "--trigger", "APIService", "-o", "json")
		var rep *clierr.Reported
		if !errors.As(r.err, &rep) || r.err.Error() != tt.wantErr {
			t.Errorf("%s: err = %v\nwant a Reported error %s", tt.name, r.err, tt.wantErr)
		}
		if client.HasStatus(r.err, http.StatusConflict) {
			t.Errorf("%s: the error unwraps to the server's, whose document would not say what was created", tt.name)
		}
		first := "✔ \"Webhook/jira\" in the scope \"Integration/monitor\" has successfully been created.\n"
		if !strings.HasPrefix(r.stderr, first) || !strings.HasSuffix(r.stderr, tt.wantOut) || r.stdout != "" {
			t.Errorf("%s: stdout %q, stderr =\n%s\nwant it to end with\n%s", tt.name, r.stdout, r.stderr, tt.wantOut)
		}
		if len(a.requests) != tt.wantMade {
			t.Errorf("%s: %d requests, want %d", tt.name, len(a.requests), tt.wantMade)
		}
	}
}

func TestCreateWebhookFirstStepFails(t *testing.T) {
	a := &fakeAPI{fail: map[string]int{"POST /apis/management/v1/integrations/monitor/webhooks": http.StatusConflict}}
	r := run(t, a.factory(t), "jira", "-s", "Integration/monitor", "--url", "https://jira.example.com/hooks", "--trigger", "APIService")
	if !client.HasStatus(r.err, http.StatusConflict) || r.stderr != "" || len(a.requests) != 3 {
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
		{append(ok, "--hook-name", "h"), "--hook-name names the ResourceHook that --trigger creates: give --trigger too"},
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
