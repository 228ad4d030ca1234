package apiserver

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"sync"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/registry"
)

// definitions are the resources of the definitions group, built once from
// the registry. Their resourceVersion is a hash of their content, so a
// client's cache is invalidated exactly when a server's kinds change.
type definitions struct {
	groups       []*api.ResourceInstance
	resources    map[string][]*api.ResourceInstance // by group
	commandlines map[string][]*api.ResourceInstance
}

var (
	defsOnce sync.Once
	defs     definitions
)

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func definitionResource(kind, name, scopeGroup string, spec any) *api.ResourceInstance {
	r := &api.ResourceInstance{Group: api.DefinitionsGroup, APIVersion: "v1alpha1", Kind: kind, Name: name, Title: name, Spec: mustJSON(spec)}
	r.Metadata.ID = fmt.Sprintf("%x", fnv.New64a().Sum([]byte(kind+"/"+scopeGroup+"/"+name)))
	plural := map[string]string{"ResourceGroup": "groups", "ResourceDefinition": "resources", "CommandLineInterface": "commandlines"}[kind]
	if scopeGroup != "" {
		r.Metadata.Scope = &api.Scope{Kind: "ResourceGroup", Name: scopeGroup, SelfLink: "/definitions/v1alpha1/groups/" + scopeGroup}
		r.Metadata.SelfLink = fmt.Sprintf("/definitions/v1alpha1/groups/%s/%s/%s", scopeGroup, plural, name)
	} else {
		r.Metadata.SelfLink = "/definitions/v1alpha1/groups/" + name
	}
	return r
}

func buildDefinitions() definitions {
	d := definitions{resources: map[string][]*api.ResourceInstance{}, commandlines: map[string][]*api.ResourceInstance{}}
	versions := make([]api.DefinitionVersion, 0, len(registry.Versions))
	for _, v := range registry.Versions {
		versions = append(versions, api.DefinitionVersion{Name: v, Served: true})
	}
	h := fnv.New64a()
	for _, k := range registry.Kinds() {
		scopes := k.Scopes
		if len(scopes) == 0 {
			scopes = []string{""}
		}
		for _, scope := range scopes {
			name := strings.ToLower(k.Kind)
			if len(k.Scopes) > 1 {
				name = strings.ToLower(scope) + strings.ToLower(k.Kind)
			}
			rd := api.ResourceDefinitionSpec{Kind: k.Kind, Plural: k.Plural, APIVersions: versions,
				SubResources: api.DefinitionSubResources{Names: k.SubResources}}
			if scope != "" {
				rd.Scope = &api.DefinitionScope{Kind: scope}
			}
			cl := api.CommandLineSpec{ResourceDefinition: name, Columns: k.Columns(),
				Names: api.CommandNames{Plural: k.Plural, Singular: k.Singular(), ShortNames: k.ShortNames, ShortNamesAlias: k.ShortNamesAlias}}
			d.resources[registry.Group] = append(d.resources[registry.Group], definitionResource("ResourceDefinition", name, registry.Group, rd))
			d.commandlines[registry.Group] = append(d.commandlines[registry.Group], definitionResource("CommandLineInterface", name, registry.Group, cl))
			h.Write(mustJSON(rd))
			h.Write(mustJSON(cl))
		}
	}
	version := fmt.Sprint(h.Sum64() % 1_000_000_000)
	for _, g := range []string{registry.Group, api.DefinitionsGroup} {
		grp := definitionResource("ResourceGroup", g, "", api.ResourceGroupSpec{})
		grp.Metadata.ResourceVersion = version
		d.groups = append(d.groups, grp)
	}
	for _, list := range [][]*api.ResourceInstance{d.resources[registry.Group], d.commandlines[registry.Group]} {
		for _, r := range list {
			r.Metadata.ResourceVersion = version
		}
	}
	return d
}

func (s *Server) definitionRoutes(mux *http.ServeMux) {
	defsOnce.Do(func() { defs = buildDefinitions() })
	const base = "/apis/definitions/v1alpha1/groups"
	mux.Handle("GET "+base, s.wrap(func(w http.ResponseWriter, r *http.Request) (any, error) {
		return pageOf(r, defs.groups)
	}))
	mux.Handle("GET "+base+"/{name}", s.wrap(func(w http.ResponseWriter, r *http.Request) (any, error) {
		return findDefinition(defs.groups, "ResourceGroup", r.PathValue("name"))
	}))
	for plural, byGroup := range map[string]map[string][]*api.ResourceInstance{"resources": defs.resources, "commandlines": defs.commandlines} {
		var all []*api.ResourceInstance // across groups, in the groups' order
		for _, g := range defs.groups {
			all = append(all, byGroup[g.Name]...)
		}
		mux.Handle("GET /apis/definitions/v1alpha1/"+plural, s.wrap(func(w http.ResponseWriter, r *http.Request) (any, error) {
			return pageOf(r, all)
		}))
		mux.Handle("GET "+base+"/{group}/"+plural, s.wrap(func(w http.ResponseWriter, r *http.Request) (any, error) {
			if _, err := findDefinition(defs.groups, "ResourceGroup", r.PathValue("group")); err != nil {
				return nil, err
			}
			return pageOf(r, byGroup[r.PathValue("group")])
		}))
		mux.Handle("GET "+base+"/{group}/"+plural+"/{name}", s.wrap(func(w http.ResponseWriter, r *http.Request) (any, error) {
			return findDefinition(byGroup[r.PathValue("group")], plural, r.PathValue("name"))
		}))
	}
}

func findDefinition(list []*api.ResourceInstance, kind, name string) (*api.ResourceInstance, error) {
	for _, r := range list {
		if r.Name == name {
			return r, nil
		}
	}
	return nil, notFound(kind, name, "", "")
}

// pageOf pages a fixed list like any resource list.
func pageOf(r *http.Request, all []*api.ResourceInstance) (any, error) {
	p, err := parseListParams(r.URL.Query())
	if err != nil {
		return nil, err
	}
	total := len(all)
	from := min((p.page-1)*p.pageSize, total)
	to := min(from+p.pageSize, total)
	h := http.Header{}
	h.Set("X-Axway-Total-Count", fmt.Sprint(total))
	h.Set("Link", pageLinks(r.URL, p, total))
	page := all[from:to]
	if page == nil {
		page = []*api.ResourceInstance{}
	}
	return response{status: http.StatusOK, body: page, headers: h}, nil
}
