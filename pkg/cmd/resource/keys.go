package resource

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/loader"
)

// Fields are the top-level keys of a resource document that are the
// resource's own fields, in document order; every other key is a
// subresource (api.IsSubResourceKey). They are read from the JSON tags of
// api.ResourceInstance, so a field added there is known here at once.
var Fields = sync.OnceValue(func() []string {
	t := reflect.TypeFor[api.ResourceInstance]()
	var out []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" && !api.IsSubResourceKey(name) {
			out = append(out, name)
		}
	}
	return out
})

// IsSubResource reports whether key names a subresource of def: one the
// server's definition lists, or any "x-" name, as the server accepts them.
func IsSubResource(def discovery.Definition, key string) bool {
	return (strings.HasPrefix(key, "x-") && len(key) > 2) || slices.Contains(def.SubResources, key)
}

// CheckTopLevelKeys refuses the top-level keys of a resource document of
// def that are neither fields of a resource nor subresources of def. Such a
// key is nearly always a typo ("sepc"): written anyway, the resource would
// be saved without it and the server would then refuse it as a
// subresource, leaving the resource half written. The error names the keys,
// a near miss when there is one, and the keys that are valid.
func CheckTopLevelKeys(def discovery.Definition, keys []string) error {
	var bad []string
	for _, k := range keys {
		if api.IsSubResourceKey(k) && !IsSubResource(def, k) {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	valid := append(slices.Clone(Fields()), def.SubResources...)
	named := make([]string, len(bad))
	for i, k := range bad {
		named[i] = fmt.Sprintf("%q", k)
		if near := nearest(k, valid); near != "" {
			named[i] += fmt.Sprintf(" (did you mean %q?)", near)
		}
	}
	what := fmt.Sprintf("Unknown top-level key %s: neither a field nor a sub-resource of %s.", named[0], def.Kind)
	if len(bad) > 1 {
		what = fmt.Sprintf("Unknown top-level keys %s: neither fields nor sub-resources of %s.", strings.Join(named, ", "), def.Kind)
	}
	subs := "any x-* name"
	if len(def.SubResources) > 0 {
		subs = strings.Join(def.SubResources, ", ") + " and " + subs
	}
	return fmt.Errorf("%s\nValid keys are (case sensitive): %s; sub-resources: %s.", what, strings.Join(Fields(), ", "), subs)
}

// checkEntryKeys is CheckTopLevelKeys for an entry of a file, naming the
// file and the entry.
func checkEntryKeys(def discovery.Definition, e loader.Entry) error {
	doc := e.Resource
	keys := make([]string, 0, len(doc.SubResources))
	for k := range doc.SubResources {
		keys = append(keys, k)
	}
	if err := CheckTopLevelKeys(def, keys); err != nil {
		return &loader.EntryError{Source: e.Source, Index: e.Index, Kind: doc.Kind, Name: doc.Name, Err: err}
	}
	return nil
}

// nearest returns the word of words nearest to a mistyped one, at most two
// edits away, or "".
func nearest(word string, words []string) string {
	best, bestDist := "", 3
	for _, w := range words {
		if dist := editDistance(word, w); dist < bestDist {
			best, bestDist = w, dist
		}
	}
	return best
}
