package delete

// This file is copied verbatim into the tests of pkg/cmd/apply, create and
// delete: test files cannot be shared between packages, and a shared test
// package is outside what these commands own. Keep the copies identical.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/centralhq/central/pkg/api"
)

// fakeAPI stands in for the API server at the transport level: it serves
// canned resource definitions (Environment and Integration unscoped,
// APIService in Environment, Webhook in Environment and in Integration),
// keeps management resources in memory, and records every request.
type fakeAPI struct {
	URL string

	mu        sync.Mutex
	resources map[string]*api.ResourceInstance // by path below the version: "environments/prod/apiservices/x"
	requests  []fakeRequest
	// answers forces the answer to "METHOD /path" with a status and a
	// generic error body.
	answers map[string]int
	// releaseAfter deletes a resource held in DELETING after that many GETs
	// of it, as controllers removing their finalizers would.
	releaseAfter map[string]int
	generated    int
}

// fakeRequest is one request the fake received.
type fakeRequest struct {
	Method, Path, Query, Body string
}

// fakeKinds are the management kinds the fake serves, by plural.
var fakeKinds = map[string]struct {
	kind   string
	scopes []string
	subs   []string
}{
	"environments": {kind: "Environment", subs: []string{"policies", "stages"}},
	"integrations": {kind: "Integration"},
	"apiservices":  {kind: "APIService", scopes: []string{"Environment"}, subs: []string{"details"}},
	"webhooks":     {kind: "Webhook", scopes: []string{"Environment", "Integration"}},
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{resources: map[string]*api.ResourceInstance{}, answers: map[string]int{}, releaseAfter: map[string]int{}}
	srv := httptest.NewServer(f) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// seed stores r as if created earlier; its kind and scope give its path.
func (f *fakeAPI) seed(r *api.ResourceInstance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.Group, r.APIVersion = "management", "v1"
	if r.Metadata.ResourceVersion == "" {
		r.Metadata.ResourceVersion = "1"
	}
	f.resources[fakeKey(r)] = r
}

// has reports whether the resource at key ("environments/prod") exists.
func (f *fakeAPI) has(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.resources[key] != nil
}

// calls returns "METHOD /path[?query]" of every request outside the
// definitions group, in order.
func (f *fakeAPI) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		if strings.HasPrefix(r.Path, "/apis/definitions/") {
			continue
		}
		s := r.Method + " " + r.Path
		if r.Query != "" {
			s += "?" + r.Query
		}
		out = append(out, s)
	}
	return out
}

// clearRequests forgets the requests received so far.
func (f *fakeAPI) clearRequests() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = nil
}

// body returns the body of the last "METHOD /path" request.
func (f *fakeAPI) body(method, path string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.requests) - 1; i >= 0; i-- {
		if r := f.requests[i]; r.Method == method && r.Path == path {
			return r.Body
		}
	}
	return ""
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	f.requests = append(f.requests, fakeRequest{r.Method, r.URL.Path, r.URL.RawQuery, string(body)})
	if status, ok := f.answers[r.Method+" "+r.URL.Path]; ok {
		fakeError(w, status, "Forced error", "forced by the test.")
		return
	}
	if strings.HasPrefix(r.URL.Path, "/apis/definitions/") {
		f.serveDefinitions(w, r.URL.Path)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/apis/management/")
	if !ok {
		fakeError(w, 404, api.TitleNotFound, "No such route.")
		return
	}
	_, rest, _ = strings.Cut(rest, "/") // the version
	t := parseFakePath(rest)
	switch {
	case t.name == "" && r.Method == http.MethodPost:
		f.create(w, t, body)
	case t.name == "":
		fakeError(w, 405, api.TitleMethodNotAllowed, "Not served by the fake.")
	case t.sub != "" && r.Method == http.MethodPut:
		f.putSub(w, t, body)
	case t.sub != "":
		fakeError(w, 405, api.TitleMethodNotAllowed, "Not served by the fake.")
	case r.Method == http.MethodGet:
		f.get(w, t)
	case r.Method == http.MethodPut:
		f.update(w, t, body)
	case r.Method == http.MethodDelete:
		f.delete(w, t, r.URL.Query().Get("forceDelete") == "true")
	default:
		fakeError(w, 405, api.TitleMethodNotAllowed, "Not served by the fake.")
	}
}

// fakePath is a parsed management path below the version.
type fakePath struct {
	scopePlural, scopeName, plural, name, sub string
}

func parseFakePath(rest string) fakePath {
	s := strings.Split(rest, "/")
	if len(s) >= 3 {
		if _, ok := fakeKinds[s[2]]; ok {
			p := fakePath{scopePlural: s[0], scopeName: s[1], plural: s[2]}
			s = s[3:]
			if len(s) > 0 {
				p.name = s[0]
			}
			if len(s) > 1 {
				p.sub = s[1]
			}
			return p
		}
	}
	p := fakePath{plural: s[0]}
	if len(s) > 1 {
		p.name = s[1]
	}
	if len(s) > 2 {
		p.sub = s[2]
	}
	return p
}

func (p fakePath) scopeKey() string { return p.scopePlural + "/" + p.scopeName }

func (p fakePath) key() string {
	k := p.plural + "/" + p.name
	if p.scopePlural != "" {
		k = p.scopeKey() + "/" + k
	}
	return k
}

func (p fakePath) notFound(w http.ResponseWriter) {
	suffix := ""
	if p.scopePlural != "" {
		suffix = fmt.Sprintf(" in scope %s/%s", fakeKinds[p.scopePlural].kind, p.scopeName)
	}
	fakeError(w, 404, api.TitleNotFound, fmt.Sprintf("Resource %s of kind %s not found%s.", p.name, fakeKinds[p.plural].kind, suffix))
}

func fakeKey(r *api.ResourceInstance) string {
	p := fakePath{plural: fakePlural(r.Kind), name: r.Name}
	if r.Metadata.Scope != nil {
		p.scopePlural, p.scopeName = fakePlural(r.Metadata.Scope.Kind), r.Metadata.Scope.Name
	}
	return p.key()
}

func fakePlural(kind string) string {
	for plural, k := range fakeKinds {
		if k.kind == kind {
			return plural
		}
	}
	return ""
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

func (f *fakeAPI) create(w http.ResponseWriter, p fakePath, body []byte) {
	var r api.ResourceInstance
	if err := json.Unmarshal(body, &r); err != nil {
		fakeError(w, 400, api.TitleBadRequest, err.Error())
		return
	}
	if p.scopePlural != "" && f.resources[p.scopeKey()] == nil {
		fakePath{plural: p.scopePlural, name: p.scopeName}.notFound(w)
		return
	}
	if r.Name == "" {
		f.generated++
		r.Name = strings.Trim(nonName.ReplaceAllString(strings.ToLower(r.Title), "-"), "-")
		if r.Name == "" {
			r.Name = "giant-warrior-" + strconv.Itoa(f.generated)
		}
	}
	p.name = r.Name
	if f.resources[p.key()] != nil {
		fakeError(w, 409, api.TitleConflict, fmt.Sprintf("Resource %s of kind %s already exists.", r.Name, r.Kind))
		return
	}
	r.Group, r.APIVersion, r.SubResources = "management", "v1", nil
	r.Metadata.ResourceVersion = "1"
	if p.scopePlural != "" {
		r.Metadata.Scope = &api.Scope{Kind: fakeKinds[p.scopePlural].kind, Name: p.scopeName}
	}
	f.resources[p.key()] = &r
	fakeJSON(w, 201, &r)
}

func (f *fakeAPI) get(w http.ResponseWriter, p fakePath) {
	r := f.resources[p.key()]
	if r == nil {
		p.notFound(w)
		return
	}
	if n, ok := f.releaseAfter[p.key()]; ok && r.Metadata.State == api.StateDeleting {
		if n <= 1 {
			delete(f.releaseAfter, p.key())
			f.remove(p.key())
			p.notFound(w)
			return
		}
		f.releaseAfter[p.key()] = n - 1
	}
	fakeJSON(w, 200, r)
}

func (f *fakeAPI) update(w http.ResponseWriter, p fakePath, body []byte) {
	old := f.resources[p.key()]
	if old == nil {
		p.notFound(w)
		return
	}
	var r api.ResourceInstance
	if err := json.Unmarshal(body, &r); err != nil {
		fakeError(w, 400, api.TitleBadRequest, err.Error())
		return
	}
	if v := r.Metadata.ResourceVersion; v != "" && v != old.Metadata.ResourceVersion {
		fakeError(w, 428, api.TitlePrecondition, "The resourceVersion is stale.")
		return
	}
	n, _ := strconv.Atoi(old.Metadata.ResourceVersion)
	r.Group, r.APIVersion, r.SubResources = "management", "v1", old.SubResources
	r.Metadata = old.Metadata
	r.Metadata.ResourceVersion = strconv.Itoa(n + 1)
	f.resources[p.key()] = &r
	fakeJSON(w, 200, &r)
}

func (f *fakeAPI) putSub(w http.ResponseWriter, p fakePath, body []byte) {
	r := f.resources[p.key()]
	if r == nil {
		p.notFound(w)
		return
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal(body, &v); err != nil || len(v) != 1 || v[p.sub] == nil {
		fakeError(w, 400, api.TitleBadRequest, fmt.Sprintf("The body must be an object with the one key %q.", p.sub))
		return
	}
	if r.SubResources == nil {
		r.SubResources = map[string]json.RawMessage{}
	}
	r.SubResources[p.sub] = v[p.sub]
	fakeJSON(w, 200, r)
}

func (f *fakeAPI) delete(w http.ResponseWriter, p fakePath, force bool) {
	r := f.resources[p.key()]
	if r == nil {
		p.notFound(w)
		return
	}
	if len(r.Finalizers) > 0 && !force {
		r.Metadata.State = api.StateDeleting
		fakeJSON(w, 202, r)
		return
	}
	f.remove(p.key())
	w.WriteHeader(204)
}

// remove deletes the resource at key and everything in its scope.
func (f *fakeAPI) remove(key string) {
	for k := range f.resources {
		if k == key || strings.HasPrefix(k, key+"/") {
			delete(f.resources, k)
		}
	}
}

// serveDefinitions answers the three lists discovery reads.
func (f *fakeAPI) serveDefinitions(w http.ResponseWriter, path string) {
	var items []*api.ResourceInstance
	switch path {
	case "/apis/definitions/v1alpha1/groups":
		items = []*api.ResourceInstance{
			{Kind: "ResourceGroup", Name: "definitions", Metadata: api.Metadata{ResourceVersion: "1"}},
			{Kind: "ResourceGroup", Name: "management", Metadata: api.Metadata{ResourceVersion: "1"}},
		}
	case "/apis/definitions/v1alpha1/groups/management/resources", "/apis/definitions/v1alpha1/groups/management/commandlines":
		commandLines := strings.HasSuffix(path, "/commandlines")
		for _, plural := range []string{"apiservices", "environments", "integrations", "webhooks"} {
			k := fakeKinds[plural]
			scopes := k.scopes
			if len(scopes) == 0 {
				scopes = []string{""}
			}
			for _, scope := range scopes {
				name := strings.ToLower(k.kind)
				if scope != "" && len(k.scopes) > 1 {
					name += "-" + strings.ToLower(scope)
				}
				items = append(items, fakeDefinition(commandLines, name, plural, k.kind, scope, k.subs))
			}
		}
	default:
		fakeError(w, 404, api.TitleNotFound, "No such definitions.")
		return
	}
	w.Header().Set("X-Axway-Total-Count", strconv.Itoa(len(items)))
	fakeJSON(w, 200, items)
}

func fakeDefinition(commandLine bool, name, plural, kind, scope string, subs []string) *api.ResourceInstance {
	var spec any
	if commandLine {
		singular := strings.TrimSuffix(plural, "s")
		short := map[string][]string{"environments": {"env", "envs"}, "apiservices": {"apis"}, "webhooks": {"webh", "wh"}}[plural]
		spec = api.CommandLineSpec{ResourceDefinition: name,
			Names:   api.CommandNames{Plural: plural, Singular: singular, ShortNames: short},
			Columns: []api.Column{{Name: "Name", Type: "string", JSONPath: ".name"}}}
	} else {
		rd := api.ResourceDefinitionSpec{Kind: kind, Plural: plural,
			APIVersions:  []api.DefinitionVersion{{Name: "v1", Served: true}, {Name: "v1alpha1", Served: true}},
			SubResources: api.DefinitionSubResources{Names: subs}}
		if scope != "" {
			rd.Scope = &api.DefinitionScope{Kind: scope}
		}
		spec = rd
	}
	b, _ := json.Marshal(spec)
	k := "ResourceDefinition"
	if commandLine {
		k = "CommandLineInterface"
	}
	return &api.ResourceInstance{Group: "definitions", Kind: k, Name: name, Spec: b}
}

func fakeError(w http.ResponseWriter, status int, title, detail string) {
	fakeJSON(w, status, api.ErrorResponse{Errors: []api.Error{{Status: status, Title: title, Detail: detail}}})
}

func fakeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
