package discovery

import (
	"fmt"

	"github.com/centralhq/central/pkg/api"
)

// join pairs each CommandLineInterface of group with the ResourceDefinition
// it names. A CommandLineInterface naming no definition is dropped: without
// a kind and plural nothing can be addressed. A definition without one is
// kept under its plural alone, so resources of that kind read from files
// still resolve.
func join(group string, resources, commandLines []*api.ResourceInstance) ([]Definition, error) {
	specs := map[string]api.ResourceDefinitionSpec{}
	order := make([]string, 0, len(resources))
	for _, r := range resources {
		var spec api.ResourceDefinitionSpec
		if err := r.DecodeSpec(&spec); err != nil {
			return nil, fmt.Errorf("resource definition %q of group %q: %w", r.Name, group, err)
		}
		specs[r.Name] = spec
		order = append(order, r.Name)
	}

	joined := map[string]bool{}
	var defs []Definition
	for _, cl := range commandLines {
		var spec api.CommandLineSpec
		if err := cl.DecodeSpec(&spec); err != nil {
			return nil, fmt.Errorf("command line %q of group %q: %w", cl.Name, group, err)
		}
		rd, ok := specs[spec.ResourceDefinition]
		if !ok {
			continue
		}
		joined[spec.ResourceDefinition] = true
		d := definition(group, rd)
		if d.Plural == "" {
			d.Plural = spec.Names.Plural
		}
		d.Singular = spec.Names.Singular
		d.ShortNames = spec.Names.ShortNames
		d.ShortNamesAlias = spec.Names.ShortNamesAlias
		d.Columns = spec.Columns
		defs = append(defs, d)
	}
	for _, name := range order {
		if !joined[name] {
			defs = append(defs, definition(group, specs[name]))
		}
	}
	return defs, nil
}

// definition is the part of a Definition a ResourceDefinition gives.
func definition(group string, rd api.ResourceDefinitionSpec) Definition {
	d := Definition{
		Group:        group,
		Kind:         rd.Kind,
		Plural:       rd.Plural,
		Version:      pickVersion(rd.APIVersions),
		SubResources: rd.SubResources.Names,
	}
	if rd.Scope != nil {
		d.ScopeKind = rd.Scope.Kind
	}
	return d
}

// pickVersion returns the first (newest) version served and not deprecated.
func pickVersion(versions []api.DefinitionVersion) string {
	for _, v := range versions {
		if v.Served && !v.Deprecated && v.Name != "" {
			return v.Name
		}
	}
	return fallbackVersion
}

// resolveScopePlurals fills ScopePlural from the unscoped definition of each
// scope kind, preferring one in the same group, since a kind name could in
// principle exist in two groups.
func resolveScopePlurals(defs []Definition) {
	byGroupKind := map[[2]string]string{}
	byKind := map[string]string{}
	for _, d := range defs {
		if d.ScopeKind == "" {
			byGroupKind[[2]string{d.Group, d.Kind}] = d.Plural
			if _, ok := byKind[d.Kind]; !ok {
				byKind[d.Kind] = d.Plural
			}
		}
	}
	for i := range defs {
		d := &defs[i]
		if d.ScopeKind == "" {
			continue
		}
		if p, ok := byGroupKind[[2]string{d.Group, d.ScopeKind}]; ok {
			d.ScopePlural = p
		} else {
			d.ScopePlural = byKind[d.ScopeKind]
		}
	}
}
