package apiserver

import (
	"net/http"

	"github.com/centralhq/central/pkg/registry"
)

// target is what a request path names: a kind, optionally in a scope, and
// optionally one resource of it and one of its subresources.
type target struct {
	version   string
	kind      *registry.Kind
	scopeKind *registry.Kind // nil on unscoped paths
	scopeName string
	name      string
	sub       string
}

func (t target) scopeKindName() string {
	if t.scopeKind == nil {
		return ""
	}
	return t.scopeKind.Kind
}

// resolve reads the path values the route matched.
func resolve(r *http.Request) (target, error) {
	group, version := r.PathValue("group"), r.PathValue("version")
	if group == "definitions" {
		return target{}, errorf(http.StatusNotFound, "The definitions group serves the groups (/apis/definitions/v1alpha1/groups), each group's resources and commandlines (…/groups/{group}/resources), and both across groups (/apis/definitions/v1alpha1/resources, …/commandlines).")
	}
	if group != registry.Group {
		return target{}, errorf(http.StatusNotFound, "The server has no group %q; it serves %q.", group, registry.Group)
	}
	if !registry.ServesVersion(version) {
		return target{}, errorf(http.StatusNotFound, "The server does not serve version %q of group %q; it serves %v.", version, group, registry.Versions)
	}
	t := target{version: version, name: r.PathValue("name"), sub: r.PathValue("sub")}
	if a := r.PathValue("a"); a != "" { // the ambiguous five-segment form
		b, c := r.PathValue("b"), r.PathValue("c")
		if k, ok := registry.ByPlural(c); ok {
			return withScope(t, k, a, b)
		}
		k, err := kindOf(a)
		if err != nil {
			return target{}, err
		}
		t.kind, t.name, t.sub = k, b, c
		return t, nil
	}
	k, err := kindOf(r.PathValue("plural"))
	if err != nil {
		return target{}, err
	}
	if sp := r.PathValue("scopePlural"); sp != "" {
		return withScope(t, k, sp, r.PathValue("scopeName"))
	}
	t.kind = k
	return t, nil
}

func kindOf(plural string) (*registry.Kind, error) {
	k, ok := registry.ByPlural(plural)
	if !ok {
		return nil, errorf(http.StatusNotFound, "The server doesn't have a resource type %q.", plural)
	}
	return k, nil
}

func withScope(t target, k *registry.Kind, scopePlural, scopeName string) (target, error) {
	sk, err := kindOf(scopePlural)
	if err != nil {
		return target{}, err
	}
	if !k.HasScope(sk.Kind) {
		if !k.Scoped() {
			return target{}, errorf(http.StatusNotFound, "%s is not a scoped kind: use /%s/%s/%s.", k.Kind, registry.Group, t.version, k.Plural)
		}
		return target{}, errorf(http.StatusNotFound, "%s cannot live in a %s; its scopes are %v.", k.Kind, sk.Kind, k.Scopes)
	}
	t.kind, t.scopeKind, t.scopeName = k, sk, scopeName
	return t, nil
}

// handleFive serves GET on the ambiguous five-segment paths.
func (s *Server) handleFive(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := resolve(r)
	if err != nil {
		return nil, err
	}
	if t.scopeKind != nil {
		return s.list(w, r, t)
	}
	return s.subResourceGet(r, t)
}

// The methods a collection and a subresource serve, for the Allow header of
// their 405s. (A resource's own path serves GET, PUT, PATCH and DELETE.)
const (
	collectionMethods  = "GET, HEAD, POST"
	subResourceMethods = "GET, HEAD, PUT"
)

// handlePatchElsewhere answers a PATCH on a path that names no resource: a
// collection or a subresource. A JSON Patch changes one resource, at its
// own path; a subresource is written whole, with PUT.
func (s *Server) handlePatchElsewhere(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := resolve(r)
	if err != nil {
		return nil, err
	}
	if t.sub == "" {
		return nil, notAllowed(collectionMethods, "%s is a collection of %s: PATCH one of them, at %s/{name}.", r.URL.Path, t.kind.Plural, r.URL.Path)
	}
	if !t.kind.HasSubResource(t.sub) {
		return nil, errorf(http.StatusNotFound, "%s has no subresource %q; its subresources are %v and any x-* name.", t.kind.Kind, t.sub, t.kind.SubResources)
	}
	if t.scopeKind == nil && t.kind.Scoped() {
		return nil, errorf(http.StatusNotFound, "%s is a scoped kind: write its subresources under its scope, with PUT.", t.kind.Kind)
	}
	return nil, notAllowed(subResourceMethods, "%s is a subresource, which PATCH does not change: write it whole with PUT %s and the body {%q: value} (null removes it).",
		t.sub, r.URL.Path, t.sub)
}
