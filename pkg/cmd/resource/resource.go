// Package resource holds what the resource commands (get, apply, create,
// delete) share: reading --scope, turning a typed word into the server's
// kinds, naming a resource in messages, and the kinds table.
package resource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/printers"
)

// Scope is a parsed --scope: "NAME" or "KIND/NAME".
type Scope struct{ Kind, Name string }

// ParseScope reads a --scope value; "" is no scope. A name no resource can
// have is refused here, before it becomes part of a path (CheckName).
func ParseScope(s string) (Scope, error) {
	if s == "" {
		return Scope{}, nil
	}
	kind, name, found := strings.Cut(s, "/")
	if found && (kind == "" || name == "") {
		return Scope{}, errors.New("invalid scope (-s/--scope) parameter value.\nPlease use \"--scope <scope kind>/<scope name>\" or \"--scope <scope name>\" formats.")
	}
	if !found {
		kind, name = "", s
	}
	if err := api.CheckName(name); err != nil {
		return Scope{}, fmt.Errorf("-s/--scope: %w", err)
	}
	return Scope{Kind: kind, Name: name}, nil
}

// CheckName refuses a resource name no resource can have before it is
// sent: ".." would come back as the server's path-cleaning redirect, ""
// as the collection.
func CheckName(name string) error {
	if name == "" {
		return errors.New("resource name is required.")
	}
	return api.CheckName(name)
}

// Resolve returns the definitions a typed word names (one per scope kind).
func Resolve(set *discovery.Set, word string) ([]discovery.Definition, error) {
	defs := set.Find(word)
	if len(defs) == 0 {
		// The Amplify CLI's line, then ours on a line of its own.
		hint := `"central get" lists them.`
		if near := closest(set, word); near != "" {
			hint = fmt.Sprintf("Did you mean %q? %s", near, hint)
		}
		return nil, fmt.Errorf("the server doesn't have a resource type %q\n%s", word, hint)
	}
	return defs, nil
}

// closest returns the plural nearest to a mistyped word (at most two edits
// away), or "".
func closest(set *discovery.Set, word string) string {
	plurals := make([]string, len(set.Definitions))
	for i, d := range set.Definitions {
		plurals[i] = d.Plural
	}
	return nearest(word, plurals)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// FilterScope keeps the definitions a --scope can apply to, checking the
// scope kind exists and fits the resource.
func FilterScope(set *discovery.Set, defs []discovery.Definition, scope Scope) ([]discovery.Definition, error) {
	if scope.Kind == "" {
		return defs, nil
	}
	known := false
	for _, k := range set.Kinds() {
		known = known || k == scope.Kind
	}
	if !known {
		return nil, fmt.Errorf("unsupported kind value %q in the \"--scope\" param.\nCurrently supported values are (case sensitive): %s", scope.Kind, strings.Join(set.ScopeKinds(), ", "))
	}
	var out []discovery.Definition
	var scopes []string
	for _, d := range defs {
		if d.ScopeKind != "" {
			scopes = append(scopes, d.ScopeKind)
		}
		if d.ScopeKind == scope.Kind || d.ScopeKind == "" {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("scope kind %q is invalid.\n%q resource might exist in the following scopes: %s", scope.Kind, defs[0].Kind, strings.Join(scopes, ", "))
	}
	return out, nil
}

// AllScoped reports whether every definition is scoped.
func AllScoped(defs []discovery.Definition) bool {
	for _, d := range defs {
		if !d.Scoped() {
			return false
		}
	}
	return true
}

// NoScope is the error for a --scope given with the name of a resource whose
// kind has no scope: delete, edit and get refuse it rather than ignore it.
func NoScope(kind string) error {
	return fmt.Errorf("can't find matching resource definitions: %s has no scope, leave out -s/--scope.", kind)
}

// Label names a resource as the Amplify CLI's messages do:
// "Kind/name" in the scope "ScopeKind/scopeName".
func Label(r *api.ResourceInstance) string { return NameLabel(r) + ScopePhrase(r) }

// NameLabel is Label without its scope phrase: the "Kind/name" that starts
// an error line. The Amplify CLI names the scope only in success lines; an
// error's detail names it already ("… not found in scope Environment/prod.").
func NameLabel(r *api.ResourceInstance) string {
	name := r.Name
	if name == "" {
		name = "Unknown name"
	}
	return fmt.Sprintf("%q", r.Kind+"/"+name)
}

// ScopePhrase is the rest of Label: ` in the scope "Kind/name"` for a
// scoped resource, else "".
func ScopePhrase(r *api.ResourceInstance) string {
	if sc := r.Metadata.Scope; sc != nil && sc.Kind != "" {
		return fmt.Sprintf(" in the scope %q", sc.Kind+"/"+sc.Name)
	}
	return ""
}

// PrintKinds writes the table of resources the server supports.
func PrintKinds(w io.Writer, set *discovery.Set) error {
	rows := make([][]string, 0, len(set.Definitions))
	for _, d := range set.Definitions {
		short := d.ShortNamesAlias
		if len(short) == 0 {
			short = d.ShortNames
		}
		rows = append(rows, []string{d.Plural, strings.Join(short, ","), d.Kind, fmt.Sprint(d.Scoped()), d.ScopeKind, d.Group})
	}
	return printers.PlainTable(w, []string{"RESOURCE", "SHORT NAMES", "RESOURCE KIND", "SCOPED", "SCOPE KIND", "RESOURCE GROUP"}, rows)
}

// Target is one resource that "TYPE NAME -s SCOPE" names.
type Target struct {
	Def  discovery.Definition
	Path client.Path
	// Ref holds the kind, name and scope that name the resource in messages.
	Ref *api.ResourceInstance
}

// Find finds what "TYPE NAME -s SCOPE" names: the resource in each
// definition of TYPE that fits the scope, as the Amplify CLI's delete does.
// A scope NAME alone may fit several scope kinds: then only those that
// exist are kept (when none does, the first "not found" is the error), and
// there may still be several.
func Find(ctx context.Context, c *client.Client, set *discovery.Set, typ, name string, scope Scope) ([]Target, error) {
	targets, err := targets(set, typ, name, scope)
	if err != nil || len(targets) == 1 {
		return targets, err
	}
	return existing(ctx, c, targets)
}

func targets(set *discovery.Set, typ, name string, scope Scope) ([]Target, error) {
	defs, err := Resolve(set, typ)
	if err != nil {
		return nil, err
	}
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if scope.Name == "" && AllScoped(defs) {
		return nil, fmt.Errorf("scope name param (-s/--scope) is required for the scoped %q resource.", defs[0].Kind)
	}
	if scope.Name != "" {
		if defs, err = FilterScope(set, defs, scope); err != nil {
			return nil, err
		}
	}
	var targets []Target
	for _, d := range defs {
		// With a scope only scoped definitions fit, without one only unscoped.
		if d.Scoped() != (scope.Name != "") {
			continue
		}
		ref := &api.ResourceInstance{Kind: d.Kind, Name: name}
		if d.Scoped() {
			ref.Metadata.Scope = &api.Scope{Kind: d.ScopeKind, Name: scope.Name}
		}
		targets = append(targets, Target{Def: d, Path: set.Path(d, scope.Name, name), Ref: ref})
	}
	if len(targets) == 0 { // only unscoped definitions, and a scope
		return nil, NoScope(defs[0].Kind)
	}
	return targets, nil
}

func existing(ctx context.Context, c *client.Client, targets []Target) ([]Target, error) {
	var found []Target
	var notFound error
	for _, t := range targets {
		_, err := c.Get(ctx, t.Path)
		switch {
		case err == nil:
			found = append(found, t)
		case client.HasStatus(err, 404):
			if notFound == nil {
				notFound = err
			}
		default:
			return nil, err
		}
	}
	if len(found) == 0 {
		return nil, notFound
	}
	return found, nil
}
