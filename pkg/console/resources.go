package console

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/printers"
)

// resourceLink is the console page of one resource.
func resourceLink(group, plural, scopeKind, scopeName, name string) string {
	u := "/console/resources/" + url.PathEscape(group) + "/" + url.PathEscape(plural)
	if name != "" {
		u += "/" + url.PathEscape(name)
	}
	if scopeName != "" {
		u += "?" + url.Values{"scope": {scopeKind + "/" + scopeName}}.Encode()
	}
	return u
}

// kindRow is one kind on the kinds page; a kind that lives in several scope
// kinds is one row.
type kindRow struct {
	Kind, Plural, Group, Version string
	Scopes                       []string
	Link                         string
}

func (c *console) kindList(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	p, err := c.paths(ctx, s)
	if err != nil {
		return nil, err
	}
	var rows []kindRow
	seen := map[string]int{}
	for _, d := range p.set.Definitions {
		key := d.Group + "/" + d.Plural
		i, ok := seen[key]
		if !ok {
			i = len(rows)
			seen[key] = i
			rows = append(rows, kindRow{Kind: d.Kind, Plural: d.Plural, Group: d.Group, Version: d.Version,
				Link: resourceLink(d.Group, d.Plural, "", "", "")})
		}
		if d.ScopeKind != "" {
			rows[i].Scopes = append(rows[i].Scopes, d.ScopeKind)
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Kind < rows[j].Kind })
	return &view{Template: "resources", Title: "Resources", Section: "resources", Data: rows}, nil
}

// definitionsOf returns the definitions of the kind at group/plural, one
// per scope kind.
func definitionsOf(set *discovery.Set, group, plural string) []discovery.Definition {
	var out []discovery.Definition
	for _, d := range set.Definitions {
		if d.Group == group && d.Plural == plural {
			out = append(out, d)
		}
	}
	return out
}

// pickDefinition returns the definition for the scope "Kind/name" (or the
// first when scope is empty) and the scope's name.
func pickDefinition(defs []discovery.Definition, scope string) (discovery.Definition, string, error) {
	if scope == "" {
		return defs[0], "", nil
	}
	kind, name, ok := strings.Cut(scope, "/")
	for _, d := range defs {
		if ok && d.ScopeKind == kind && name != "" {
			return d, name, nil
		}
	}
	return discovery.Definition{}, "", badRequest(fmt.Sprintf("%s do not live in %q: the scope must be Kind/name with one of the kind's scope kinds.", defs[0].Plural, scope))
}

// resourceListPage is the data of a kind's list.
type resourceListPage struct {
	Kind    string
	Scoped  bool
	Scope   string // chosen, "Kind/name"; empty for all
	Scopes  []option
	Columns []string
	Rows    []resourceRow
	Hidden  []hidden
}

type resourceRow struct {
	Link  string
	Cells []string
}

func (c *console) resourceList(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	p, err := c.paths(ctx, s)
	if err != nil {
		return nil, err
	}
	defs := definitionsOf(p.set, r.PathValue("group"), r.PathValue("plural"))
	if len(defs) == 0 {
		return nil, notFound(fmt.Sprintf("The server has no kind %s/%s.", r.PathValue("group"), r.PathValue("plural")))
	}
	scope := r.URL.Query().Get("scope")
	def, scopeName, err := pickDefinition(defs, scope)
	if err != nil {
		return nil, err
	}
	items, err := s.api.List(ctx, p.set.Path(def, scopeName, ""), client.ListOptions{PageSize: 500})
	if err != nil {
		return nil, err
	}
	page := resourceListPage{Kind: def.Kind, Scoped: def.Scoped(), Scope: scope}
	if page.Scoped {
		if page.Scopes, err = scopeOptions(ctx, s.api, p, defs, scope); err != nil {
			return nil, err
		}
	}
	var cols []api.Column
	for _, col := range def.Columns {
		if !col.Hidden {
			cols = append(cols, col)
			page.Columns = append(page.Columns, col.Name)
		}
	}
	for _, it := range items {
		doc, err := genericJSON(shown(it))
		if err != nil {
			return nil, err
		}
		row := resourceRow{Link: resourceLink(def.Group, def.Plural, it.ScopeKind(), it.ScopeName(), it.Name)}
		for _, col := range cols {
			row.Cells = append(row.Cells, c.cellText(col, doc))
		}
		page.Rows = append(page.Rows, row)
	}
	return &view{Template: "resource_list", Title: def.Plural, Section: "resources", Data: page}, nil
}

// scopeOptions lists the resources the kind can live in, for the scope
// filter.
func scopeOptions(ctx context.Context, c *client.Client, p paths, defs []discovery.Definition, selected string) ([]option, error) {
	out := []option{{Value: "", Label: "All scopes", Selected: selected == ""}}
	for _, d := range defs {
		path, err := p.of(d.ScopeKind, "", "", "")
		if err != nil {
			continue
		}
		items, err := c.List(ctx, path, client.ListOptions{PageSize: 500})
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			v := d.ScopeKind + "/" + it.Name
			out = append(out, option{Value: v, Label: v, Selected: v == selected})
		}
	}
	return out, nil
}

// genericJSON is the resource as the wire shows it, subresources included,
// for the definitions' column paths.
func genericJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	err = dec.Decode(&out)
	return out, err
}

// cellText renders a column of the kind's CommandLineInterface definition,
// as the CLI's table does: dates as an age, strings as they are, anything
// else as compact JSON.
func (c *console) cellText(col api.Column, doc any) string {
	v := lookupPath(doc, col.JSONPath)
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if col.Type == "date" {
			if t, err := api.ParseTime(x); err == nil {
				return printers.Age(t.Time, c.now())
			}
		}
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// lookupPath follows a column path like ".metadata.scope.name" through a
// generic JSON value; a missing step gives nil. (pkg/printers has the same
// walk unexported.)
func lookupPath(v any, path string) any {
	for _, seg := range strings.Split(path, ".") {
		if seg == "" {
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[seg]
	}
	return v
}

// shown is a resource as the console may show it: a Secret with its values
// hidden, as events carry it, since a page is easier to glance at over a
// shoulder or leave open than an API answer.
func shown(r *api.ResourceInstance) *api.ResourceInstance {
	if r.Kind == "Secret" {
		return api.RedactSecret(r)
	}
	return r
}

// resourcePage is the data of one resource's page.
type resourcePage struct {
	Kind, Name, Title string
	Scope             string
	ScopeLink         string
	ListLink          string
	YAML              string
	Events            []eventRow
	Scanned           int
	// Redacted tells that YAML hides the values of a Secret.
	Redacted bool
}

func (c *console) resourceShow(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	p, err := c.paths(ctx, s)
	if err != nil {
		return nil, err
	}
	defs := definitionsOf(p.set, r.PathValue("group"), r.PathValue("plural"))
	if len(defs) == 0 {
		return nil, notFound(fmt.Sprintf("The server has no kind %s/%s.", r.PathValue("group"), r.PathValue("plural")))
	}
	def, scopeName, err := pickDefinition(defs, r.URL.Query().Get("scope"))
	if err != nil {
		return nil, err
	}
	if def.Scoped() && scopeName == "" {
		return nil, badRequest(fmt.Sprintf("%s live in a scope: add ?scope=Kind/name.", def.Plural))
	}
	res, err := s.api.Get(ctx, p.set.Path(def, scopeName, r.PathValue("name")))
	if err != nil {
		return nil, err
	}
	var y bytes.Buffer
	if err := (printers.YAML{}).Print(&y, shown(res)); err != nil {
		return nil, err
	}
	page := resourcePage{Kind: res.Kind, Name: res.Name, Title: res.Title, YAML: y.String(),
		ListLink: resourceLink(def.Group, def.Plural, "", "", ""), Redacted: res.Kind == "Secret"}
	if scopeName != "" {
		page.Scope = def.ScopeKind + "/" + scopeName
		if sp, err := p.of(def.ScopeKind, "", "", ""); err == nil {
			page.ScopeLink = resourceLink(sp.Group, sp.Plural, "", "", scopeName)
		}
	}
	page.Events, page.Scanned, err = c.eventsOf(ctx, s, res)
	if err != nil {
		return nil, err
	}
	return &view{Template: "resource", Title: res.Kind + " " + res.Name, Section: "resources", Data: page}, nil
}
