// Package discovery learns from the server which kinds it serves, and how the
// CLI names, addresses and prints them, from the definitions group. The CLI
// hard-codes no kind list: a kind added to the server is usable at once.
package discovery

import (
	"slices"
	"sort"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

// Definition is one kind in one scope kind: a ResourceDefinition joined with
// its CommandLineInterface. A kind that lives in two scope kinds (Webhook in
// Environment and in Integration) has two Definitions.
type Definition struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
	// Plural is the URL segment of the kind (the ResourceDefinition's
	// spec.plural) and the word users type most.
	Plural   string `json:"plural"`
	Singular string `json:"singular,omitempty"`
	// ShortNames are every accepted abbreviation; ShortNamesAlias, when set,
	// are the ones to show in help (the rest still work).
	ShortNames      []string `json:"shortNames,omitempty"`
	ShortNamesAlias []string `json:"shortNamesAlias,omitempty"`
	// ScopeKind is the kind this one lives in, "" when unscoped.
	ScopeKind string `json:"scopeKind,omitempty"`
	// ScopePlural is the URL segment of ScopeKind, taken from its unscoped
	// definition; "" when unscoped or when the server defines no such kind.
	ScopePlural string `json:"scopePlural,omitempty"`
	// Version is the API version to call: the newest served and not
	// deprecated, else "v1alpha1".
	Version      string       `json:"version"`
	SubResources []string     `json:"subResources,omitempty"`
	Columns      []api.Column `json:"columns,omitempty"`
}

// Scoped reports whether the kind lives inside another resource.
func (d Definition) Scoped() bool { return d.ScopeKind != "" }

// matches reports whether word selects d: exact and case-sensitive, like the
// Amplify CLI, so "Env" is not "env".
func (d Definition) matches(word string) bool {
	return word != "" && (word == d.Plural || word == d.Singular ||
		slices.Contains(d.ShortNames, word) || slices.Contains(d.ShortNamesAlias, word))
}

// Set is every kind the server serves to the CLI.
type Set struct {
	// Definitions are sorted by Plural, then ScopeKind (unscoped first),
	// then Group.
	Definitions []Definition `json:"definitions"`
}

// newSet sorts defs into a Set.
func newSet(defs []Definition) *Set {
	sort.SliceStable(defs, func(i, j int) bool {
		if defs[i].Plural != defs[j].Plural {
			return defs[i].Plural < defs[j].Plural
		}
		if defs[i].ScopeKind != defs[j].ScopeKind {
			return defs[i].ScopeKind < defs[j].ScopeKind
		}
		// Groups are fetched in parallel; the group keeps the order stable.
		return defs[i].Group < defs[j].Group
	})
	return &Set{Definitions: defs}
}

// Find returns the definitions a typed word selects: by plural, singular,
// short name or short-name alias. A word selects one definition per scope
// kind of its kind; none means the server has no such resource type.
func (s *Set) Find(word string) []Definition {
	var out []Definition
	for _, d := range s.Definitions {
		if d.matches(word) {
			out = append(out, d)
		}
	}
	return out
}

// ForKind returns the definition of kind in scopeKind ("" for unscoped), as
// needed to address a resource read from a file, which names its kind rather
// than a typed word.
func (s *Set) ForKind(kind, scopeKind string) (Definition, bool) {
	for _, d := range s.Definitions {
		if d.Kind == kind && d.ScopeKind == scopeKind {
			return d, true
		}
	}
	return Definition{}, false
}

// Kinds returns the distinct kinds, sorted, for "unsupported kind" messages.
func (s *Set) Kinds() []string {
	return s.distinct(func(d Definition) string { return d.Kind })
}

// ScopeKinds returns the distinct kinds that other kinds live in, sorted, to
// validate the kind half of --scope Kind/name.
func (s *Set) ScopeKinds() []string {
	return s.distinct(func(d Definition) string { return d.ScopeKind })
}

func (s *Set) distinct(field func(Definition) string) []string {
	var out []string
	for _, d := range s.Definitions {
		if v := field(d); v != "" {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Path returns where the resource name (or, when name is "", the collection)
// of d lives. Without a scope name, or for an unscoped kind, the path is
// unscoped: for a scoped kind that lists across all its scopes.
func (s *Set) Path(d Definition, scopeName, name string) client.Path {
	p := client.Path{Group: d.Group, Version: d.Version, Plural: d.Plural, Name: name}
	if d.ScopeKind != "" && scopeName != "" {
		p.ScopePlural, p.ScopeName = d.ScopePlural, scopeName
	}
	return p
}
