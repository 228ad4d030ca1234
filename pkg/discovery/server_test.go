package discovery

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

// fakeServer serves the definitions group the way the API server does, and
// counts requests per path so tests can tell a cache hit from a fetch.
type fakeServer struct {
	t *testing.T

	mu       sync.Mutex
	versions map[string]string                  // group → resourceVersion
	served   map[string][]*api.ResourceInstance // path → list
	hits     map[string]int
}

func newFakeServer(t *testing.T) (*fakeServer, *client.Client) {
	f := &fakeServer{t: t, versions: map[string]string{"management": "7", "catalog": "3"}, hits: map[string]int{}}
	f.served = map[string][]*api.ResourceInstance{
		"/apis/definitions/v1alpha1/groups/management/resources": {
			rd("environment", "Environment", "environments", "", v("v1", true, false), v("v1alpha1", true, false)),
			rd("integration", "Integration", "integrations", "", v("v1", true, true), v("v1alpha1", true, false)),
			rd("webhook-environment", "Webhook", "webhooks", "Environment", v("v1", false, false), v("v1alpha1", true, false)),
			rd("webhook-integration", "Webhook", "webhooks", "Integration", v("v1alpha1", true, false)),
			rd("secret", "Secret", "secrets", "Integration"),
			rd("internalthing", "InternalThing", "internalthings", ""),
		},
		"/apis/definitions/v1alpha1/groups/management/commandlines": {
			cli("environment", "environments", "environment", []string{"env", "envs"}, []string{"env"}),
			cli("integration", "integrations", "integration", []string{"integ"}, nil),
			cli("webhook-environment", "webhooks", "webhook", []string{"webh", "wh"}, []string{"webh"}),
			cli("webhook-integration", "webhooks", "webhook", []string{"webh", "wh"}, []string{"webh"}),
			cli("secret", "secrets", "secret", []string{"secret"}, nil),
			cli("nosuchdefinition", "ghosts", "ghost", nil, nil),
		},
		"/apis/definitions/v1alpha1/groups/catalog/resources": {
			rd("asset", "Asset", "assets", "", v("v1alpha1", true, false)),
			rd("releasetag", "ReleaseTag", "releasetags", "Asset", v("v1alpha1", true, false)),
		},
		"/apis/definitions/v1alpha1/groups/catalog/commandlines": {
			cli("asset", "assets", "asset", []string{"asset"}, nil),
			cli("releasetag", "releasetags", "releasetag", []string{"releasetag"}, nil),
		},
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, client.New(srv.URL, client.Options{})
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hits[r.URL.Path]++
	var items []*api.ResourceInstance
	switch p := r.URL.Path; {
	case p == "/apis/definitions/v1alpha1/groups":
		items = append(items, group("definitions", "1"))
		for name, rv := range f.versions {
			items = append(items, group(name, rv))
		}
	case strings.HasPrefix(p, "/apis/definitions/v1alpha1/groups/definitions/"):
		f.t.Errorf("the definitions group was fetched: %s", p)
	default:
		var ok bool
		if items, ok = f.served[p]; !ok {
			w.WriteHeader(http.StatusNotFound)
			_ = json.NewEncoder(w).Encode(api.ErrorResponse{Errors: []api.Error{{Status: 404, Title: api.TitleNotFound}}})
			return
		}
	}
	w.Header().Set("X-Axway-Total-Count", strconv.Itoa(len(items)))
	_ = json.NewEncoder(w).Encode(items)
}

// fetches returns how many times the definitions of any group were fetched.
func (f *fakeServer) fetches() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for p, c := range f.hits {
		if strings.HasSuffix(p, "/resources") {
			n += c
		}
	}
	return n
}

func (f *fakeServer) setVersion(group, rv string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.versions[group] = rv
}

func v(name string, served, deprecated bool) api.DefinitionVersion {
	return api.DefinitionVersion{Name: name, Served: served, Deprecated: deprecated}
}

func group(name, rv string) *api.ResourceInstance {
	return &api.ResourceInstance{Kind: "ResourceGroup", Name: name, Metadata: api.Metadata{ResourceVersion: rv}}
}

func rd(name, kind, plural, scopeKind string, versions ...api.DefinitionVersion) *api.ResourceInstance {
	spec := api.ResourceDefinitionSpec{Kind: kind, Plural: plural, APIVersions: versions,
		SubResources: api.DefinitionSubResources{Names: []string{"status"}}}
	if scopeKind != "" {
		spec.Scope = &api.DefinitionScope{Kind: scopeKind}
	}
	return withSpec(&api.ResourceInstance{Kind: "ResourceDefinition", Name: name}, spec)
}

func cli(rdName, plural, singular string, short, alias []string) *api.ResourceInstance {
	spec := api.CommandLineSpec{ResourceDefinition: rdName,
		Names:   api.CommandNames{Plural: plural, Singular: singular, ShortNames: short, ShortNamesAlias: alias},
		Columns: []api.Column{{Name: "Name", Type: "string", JSONPath: ".name"}}}
	return withSpec(&api.ResourceInstance{Kind: "CommandLineInterface", Name: rdName}, spec)
}

func withSpec(r *api.ResourceInstance, spec any) *api.ResourceInstance {
	b, err := json.Marshal(spec)
	if err != nil {
		panic(err)
	}
	r.Spec = b
	return r
}
