// Package cmdtest holds test helpers for command packages: an HTTP fake of
// the central API and a Factory built on it. It is imported only by tests.
package cmdtest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// API stands in for the API server at the transport level: an httptest
// server on 127.0.0.1 that serves canned resource definitions (Environment
// and Integration unscoped, APIService in Environment, Webhook in
// Environment and in Integration), keeps management resources in memory,
// and records every request. Its methods are safe for concurrent use.
type API struct {
	// URL is the base URL of the server, such as "http://127.0.0.1:41234".
	URL string

	srv   *httptest.Server
	conns atomic.Int64 // connections open on srv

	mu        sync.Mutex
	resources map[string]*api.ResourceInstance // by path below the version: "environments/prod/apiservices/x"
	requests  []Request
	// answers forces the answer to "METHOD /path" with a status and a
	// generic error body.
	answers map[string]int
	// releaseAfter deletes a resource held in DELETING after that many GETs
	// of it, as controllers removing their finalizers would.
	releaseAfter map[string]int
	generated    int
}

// Request is one request the fake received.
type Request struct {
	Method, Path, Query, Body string
	IfMatch                   string // the If-Match header, as sent
}

// kinds are the management kinds the fake serves, by plural.
var kinds = map[string]struct {
	kind   string
	scopes []string
	subs   []string
}{
	"environments": {kind: "Environment", subs: []string{"policies", "stages"}},
	"integrations": {kind: "Integration"},
	"apiservices":  {kind: "APIService", scopes: []string{"Environment"}, subs: []string{"details"}},
	"webhooks":     {kind: "Webhook", scopes: []string{"Environment", "Integration"}},
}

// NewAPI starts a fake API server that holds no resources; it is closed
// when the test ends.
func NewAPI(t testing.TB) *API {
	t.Helper()
	f := &API{resources: map[string]*api.ResourceInstance{}, answers: map[string]int{}, releaseAfter: map[string]int{}}
	srv := httptest.NewUnstartedServer(f) // listens on 127.0.0.1
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			f.conns.Add(1)
		case http.StateClosed, http.StateHijacked:
			f.conns.Add(-1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	f.srv, f.URL = srv, srv.URL
	return f
}

// Seed stores r as if created earlier: its kind, name and scope give its
// path. It sets r's group and version, and its resourceVersion to "1" if
// it has none.
func (f *API) Seed(r *api.ResourceInstance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.Group, r.APIVersion = "management", "v1"
	if r.Metadata.ResourceVersion == "" {
		r.Metadata.ResourceVersion = "1"
	}
	f.resources[keyOf(r)] = r
}

// Has reports whether the resource at key exists. A key is the resource's
// path below the API version: "environments/prod", or
// "environments/prod/apiservices/petstore" for a scoped one.
func (f *API) Has(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.resources[key] != nil
}

// Fail makes the fake answer every request call ("METHOD /path", such as
// "PUT /apis/management/v1/environments/prod/stages") with status and a
// generic error whose detail is "forced by the test.".
func (f *API) Fail(call string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[call] = status
}

// ReleaseAfter makes the resource at key (see Has), once a DELETE has left
// it held by its finalizers, disappear at the gets-th GET of it, as
// controllers removing their finalizers would: that GET is answered 404.
func (f *API) ReleaseAfter(key string, gets int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.releaseAfter[key] = gets
}

// Calls returns "METHOD /path[?query]" of every request outside the
// definitions group (discovery's reads), in order.
func (f *API) Calls() []string {
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

// Requests returns every request received, discovery's included, in order.
func (f *API) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// ClearRequests forgets the requests received so far. It first closes the
// server's connections and waits for them to end, so that a request a
// client gave up on (a poll cut short by its deadline) is either recorded
// before the clearing or never.
func (f *API) ClearRequests() {
	for deadline := time.Now().Add(5 * time.Second); f.conns.Load() > 0 && time.Now().Before(deadline); {
		f.srv.CloseClientConnections()
		time.Sleep(time.Millisecond)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = nil
}

// Body returns the body of the last "METHOD /path" request, or "" if there
// was none.
func (f *API) Body(method, path string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.requests) - 1; i >= 0; i-- {
		if r := f.requests[i]; r.Method == method && r.Path == path {
			return r.Body
		}
	}
	return ""
}

// ServeHTTP records r and answers it as the API server would: discovery's
// definition lists, and create, get, update, delete and subresource PUTs of
// management resources.
func (f *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	f.requests = append(f.requests, Request{r.Method, r.URL.Path, r.URL.RawQuery, string(body), r.Header.Get("If-Match")})
	if status, ok := f.answers[r.Method+" "+r.URL.Path]; ok {
		writeError(w, status, "Forced error", "forced by the test.")
		return
	}
	if strings.HasPrefix(r.URL.Path, "/apis/definitions/") {
		f.serveDefinitions(w, r.URL.Path)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/apis/management/")
	if !ok {
		writeError(w, 404, api.TitleNotFound, "No such route.")
		return
	}
	_, rest, _ = strings.Cut(rest, "/") // the version
	t := parsePath(rest)
	switch {
	case t.name == "" && r.Method == http.MethodPost:
		f.create(w, t, body)
	case t.name == "" && r.Method == http.MethodGet:
		f.list(w, t)
	case t.name == "":
		writeError(w, 405, api.TitleMethodNotAllowed, "Not served by the fake.")
	case t.sub != "" && r.Method == http.MethodPut:
		f.putSub(w, t, strings.Trim(r.Header.Get("If-Match"), `"`), body)
	case t.sub != "":
		writeError(w, 405, api.TitleMethodNotAllowed, "Not served by the fake.")
	case r.Method == http.MethodGet:
		f.get(w, t)
	case r.Method == http.MethodPut:
		f.update(w, t, body)
	case r.Method == http.MethodDelete:
		f.delete(w, t, r.URL.Query().Get("forceDelete") == "true")
	default:
		writeError(w, 405, api.TitleMethodNotAllowed, "Not served by the fake.")
	}
}

// resPath is a parsed management path below the version.
type resPath struct {
	scopePlural, scopeName, plural, name, sub string
}

func parsePath(rest string) resPath {
	s := strings.Split(rest, "/")
	if len(s) >= 3 {
		if _, ok := kinds[s[2]]; ok {
			p := resPath{scopePlural: s[0], scopeName: s[1], plural: s[2]}
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
	p := resPath{plural: s[0]}
	if len(s) > 1 {
		p.name = s[1]
	}
	if len(s) > 2 {
		p.sub = s[2]
	}
	return p
}

func (p resPath) scopeKey() string { return p.scopePlural + "/" + p.scopeName }

func (p resPath) key() string {
	k := p.plural + "/" + p.name
	if p.scopePlural != "" {
		k = p.scopeKey() + "/" + k
	}
	return k
}

func (p resPath) notFound(w http.ResponseWriter) {
	suffix := ""
	if p.scopePlural != "" {
		suffix = fmt.Sprintf(" in scope %s/%s", kinds[p.scopePlural].kind, p.scopeName)
	}
	writeError(w, 404, api.TitleNotFound, fmt.Sprintf("Resource %s of kind %s not found%s.", p.name, kinds[p.plural].kind, suffix))
}

func keyOf(r *api.ResourceInstance) string {
	p := resPath{plural: pluralOf(r.Kind), name: r.Name}
	if r.Metadata.Scope != nil {
		p.scopePlural, p.scopeName = pluralOf(r.Metadata.Scope.Kind), r.Metadata.Scope.Name
	}
	return p.key()
}

func pluralOf(kind string) string {
	for plural, k := range kinds {
		if k.kind == kind {
			return plural
		}
	}
	return ""
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

func (f *API) create(w http.ResponseWriter, p resPath, body []byte) {
	var r api.ResourceInstance
	if err := json.Unmarshal(body, &r); err != nil {
		writeError(w, 400, api.TitleBadRequest, err.Error())
		return
	}
	if p.scopePlural != "" && f.resources[p.scopeKey()] == nil {
		resPath{plural: p.scopePlural, name: p.scopeName}.notFound(w)
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
		writeError(w, 409, api.TitleConflict, fmt.Sprintf("Resource %s of kind %s already exists.", r.Name, r.Kind))
		return
	}
	r.Group, r.APIVersion, r.SubResources = "management", "v1", nil
	r.Metadata.ResourceVersion = "1"
	if p.scopePlural != "" {
		r.Metadata.Scope = &api.Scope{Kind: kinds[p.scopePlural].kind, Name: p.scopeName}
	}
	f.resources[p.key()] = &r
	writeJSON(w, 201, &r)
}

func (f *API) get(w http.ResponseWriter, p resPath) {
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
	writeJSON(w, 200, r)
}

// list answers a list: every resource of the kind in the scope, or across
// all scopes when the path has none, by key order, on one page (no total
// count header) and without filtering by query.
func (f *API) list(w http.ResponseWriter, p resPath) {
	items := []*api.ResourceInstance{}
	for _, key := range slices.Sorted(maps.Keys(f.resources)) {
		r := f.resources[key]
		if pluralOf(r.Kind) != p.plural {
			continue
		}
		if p.scopePlural != "" && (r.Metadata.Scope == nil || pluralOf(r.Metadata.Scope.Kind) != p.scopePlural || r.Metadata.Scope.Name != p.scopeName) {
			continue
		}
		items = append(items, r)
	}
	writeJSON(w, 200, items)
}

func (f *API) update(w http.ResponseWriter, p resPath, body []byte) {
	old := f.resources[p.key()]
	if old == nil {
		p.notFound(w)
		return
	}
	var r api.ResourceInstance
	if err := json.Unmarshal(body, &r); err != nil {
		writeError(w, 400, api.TitleBadRequest, err.Error())
		return
	}
	if v := r.Metadata.ResourceVersion; v != "" && v != old.Metadata.ResourceVersion {
		writeError(w, 428, api.TitlePrecondition, "The resourceVersion is stale.")
		return
	}
	n, _ := strconv.Atoi(old.Metadata.ResourceVersion)
	r.Group, r.APIVersion, r.SubResources = "management", "v1", old.SubResources
	r.Metadata = old.Metadata
	r.Metadata.ResourceVersion = strconv.Itoa(n + 1)
	f.resources[p.key()] = &r
	writeJSON(w, 200, &r)
}

func (f *API) putSub(w http.ResponseWriter, p resPath, ifMatch string, body []byte) {
	r := f.resources[p.key()]
	if r == nil {
		p.notFound(w)
		return
	}
	if ifMatch != "" && ifMatch != r.Metadata.ResourceVersion {
		writeError(w, 428, api.TitlePrecondition, "The resourceVersion is stale.")
		return
	}
	var v map[string]json.RawMessage
	if err := json.Unmarshal(body, &v); err != nil || len(v) != 1 || v[p.sub] == nil {
		writeError(w, 400, api.TitleBadRequest, fmt.Sprintf("The body must be an object with the one key %q.", p.sub))
		return
	}
	if r.SubResources == nil {
		r.SubResources = map[string]json.RawMessage{}
	}
	if string(v[p.sub]) == "null" {
		delete(r.SubResources, p.sub)
	} else {
		r.SubResources[p.sub] = v[p.sub]
	}
	n, _ := strconv.Atoi(r.Metadata.ResourceVersion)
	r.Metadata.ResourceVersion = strconv.Itoa(n + 1)
	writeJSON(w, 200, r)
}

func (f *API) delete(w http.ResponseWriter, p resPath, force bool) {
	r := f.resources[p.key()]
	if r == nil {
		p.notFound(w)
		return
	}
	if len(r.Finalizers) > 0 && !force {
		r.Metadata.State = api.StateDeleting
		writeJSON(w, 202, r)
		return
	}
	f.remove(p.key())
	w.WriteHeader(204)
}

// remove deletes the resource at key and everything in its scope.
func (f *API) remove(key string) {
	for k := range f.resources {
		if k == key || strings.HasPrefix(k, key+"/") {
			delete(f.resources, k)
		}
	}
}

// serveDefinitions answers the three lists discovery reads.
func (f *API) serveDefinitions(w http.ResponseWriter, path string) {
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
			k := kinds[plural]
			scopes := k.scopes
			if len(scopes) == 0 {
				scopes = []string{""}
			}
			for _, scope := range scopes {
				name := strings.ToLower(k.kind)
				if scope != "" && len(k.scopes) > 1 {
					name += "-" + strings.ToLower(scope)
				}
				items = append(items, definition(commandLines, name, plural, k.kind, scope, k.subs))
			}
		}
	default:
		writeError(w, 404, api.TitleNotFound, "No such definitions.")
		return
	}
	w.Header().Set("X-Axway-Total-Count", strconv.Itoa(len(items)))
	writeJSON(w, 200, items)
}

func definition(commandLine bool, name, plural, kind, scope string, subs []string) *api.ResourceInstance {
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

func writeError(w http.ResponseWriter, status int, title, detail string) {
	writeJSON(w, status, api.ErrorResponse{Errors: []api.Error{{Status: status, Title: title, Detail: detail}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
