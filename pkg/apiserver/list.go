package apiserver

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/registry"
	"github.com/centralhq/central/pkg/rsql"
	"github.com/centralhq/central/pkg/store"
)

// Page sizes of lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 1000
)

// listParams are a list request's query parameters, checked.
type listParams struct {
	page, pageSize int
	sortField      string
	desc           bool
	query          rsql.Expr
	fields         []string
}

var sortFields = []string{"name", "title", "metadata.audit.createTimestamp", "metadata.audit.modifyTimestamp"}

func parseListParams(q url.Values) (listParams, error) {
	p := listParams{page: 1, pageSize: DefaultPageSize}
	var err error
	if v := q.Get("page"); v != "" {
		if p.page, err = strconv.Atoi(v); err != nil || p.page < 1 {
			return p, invalid("", "page must be a whole number from 1; got %q.", v)
		}
	}
	if v := q.Get("pageSize"); v != "" {
		if p.pageSize, err = strconv.Atoi(v); err != nil || p.pageSize < 1 || p.pageSize > MaxPageSize {
			return p, invalid("", "pageSize must be a whole number from 1 to %d; got %q.", MaxPageSize, v)
		}
	}
	// Any page past the data is empty, so capping the number changes no
	// answer; it keeps the offset, (page-1)*pageSize, from overflowing here
	// and in the stores, which page deliveries with LIMIT and OFFSET.
	p.page = min(p.page, math.MaxInt/p.pageSize)
	if v := q.Get("sort"); v != "" {
		field, dir, _ := strings.Cut(v, ",")
		ok := false
		for _, f := range sortFields {
			ok = ok || f == field
		}
		if !ok {
			return p, invalid("", "Cannot sort by %q: sort by one of %s, as field,ASC or field,DESC.", field, strings.Join(sortFields, ", "))
		}
		switch strings.ToUpper(dir) {
		case "", "ASC":
		case "DESC":
			p.desc = true
		default:
			return p, invalid("", "Sort order %q is neither ASC nor DESC.", dir)
		}
		p.sortField = field
	}
	if p.query, err = rsql.Parse(q.Get("query")); err != nil {
		return p, invalid("", "%v", err)
	}
	if v := q.Get("fields"); v != "" {
		p.fields = strings.Split(v, ",")
	}
	return p, nil
}

// asDocument is the generic JSON form of a resource that queries and field
// selection walk.
func asDocument(r *api.ResourceInstance) map[string]any {
	b, _ := json.Marshal(r)
	var doc map[string]any
	_ = json.Unmarshal(b, &doc)
	return doc
}

// find lists the target's resources that pass the query, sorted.
func (s *Server) find(r *http.Request, t target, p listParams) ([]*api.ResourceInstance, error) {
	f := store.ResourceFilter{Org: s.Org, Group: registry.Group, Kind: t.kind.Kind, ScopeKind: t.scopeKindName(), ScopeName: t.scopeName}
	// metadata.scope.owner is the scope's owner, which the resource does
	// not carry: the scopes' owners are read first when the query names it.
	var scopeOwners map[api.Scope]*api.Owner
	if p.query.String() != "" {
		f.Match = func(r *api.ResourceInstance) bool {
			doc := asDocument(r)
			if sc := r.Metadata.Scope; sc != nil {
				if o := scopeOwners[api.Scope{Kind: sc.Kind, Name: sc.Name}]; o != nil {
					doc["metadata"].(map[string]any)["scope"].(map[string]any)["owner"] = map[string]any{"type": o.Type, "id": o.ID}
				}
			}
			return p.query.Match(doc)
		}
	}
	askOwner := strings.Contains(p.query.String(), "metadata.scope.owner")
	var out []*api.ResourceInstance
	err := s.Store.View(r.Context(), func(tx store.Tx) error {
		var err error
		if t.scopeKind != nil {
			scope, err := getResource(r.Context(), tx, s.Org, t.scopeKind, "", "", t.scopeName)
			if err != nil {
				return err
			}
			if askOwner {
				scopeOwners = map[api.Scope]*api.Owner{{Kind: t.scopeKind.Kind, Name: t.scopeName}: scope.Owner}
			}
		} else if askOwner {
			if scopeOwners, err = s.scopeOwners(r.Context(), tx, t.kind.Scopes); err != nil {
				return err
			}
		}
		out, err = tx.ResourceList(r.Context(), f)
		return err
	})
	if err != nil {
		return nil, err
	}
	if p.sortField != "" {
		key := func(r *api.ResourceInstance) string {
			switch p.sortField {
			case "name":
				return r.Name
			case "title":
				return r.Title
			case "metadata.audit.createTimestamp":
				return r.Metadata.Audit.CreateTimestamp.UTC().Format("2006-01-02T15:04:05.000")
			}
			return r.Metadata.Audit.ModifyTimestamp.UTC().Format("2006-01-02T15:04:05.000")
		}
		sort.SliceStable(out, func(i, j int) bool {
			if p.desc {
				return key(out[i]) > key(out[j])
			}
			return key(out[i]) < key(out[j])
		})
	}
	for _, res := range out {
		atVersion(res, t.version)
	}
	return out, nil
}

// scopeOwners reads the owners of every resource of the given scope kinds.
func (s *Server) scopeOwners(ctx context.Context, tx store.Tx, kinds []string) (map[api.Scope]*api.Owner, error) {
	owners := map[api.Scope]*api.Owner{}
	for _, kind := range kinds {
		scopes, err := tx.ResourceList(ctx, store.ResourceFilter{Org: s.Org, Group: registry.Group, Kind: kind})
		if err != nil {
			return nil, err
		}
		for _, sc := range scopes {
			if sc.Owner != nil {
				owners[api.Scope{Kind: kind, Name: sc.Name}] = sc.Owner
			}
		}
	}
	return owners, nil
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := resolve(r)
	if err != nil {
		return nil, err
	}
	return s.list(w, r, t)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, t target) (any, error) {
	if r.Method == http.MethodHead {
		return s.count(r, t)
	}
	p, err := parseListParams(r.URL.Query())
	if err != nil {
		return nil, err
	}
	all, err := s.find(r, t, p)
	if err != nil {
		return nil, err
	}
	total := len(all)
	from := min((p.page-1)*p.pageSize, total)
	to := min(from+p.pageSize, total)
	page := make([]any, 0, to-from)
	for _, res := range all[from:to] {
		if p.fields != nil {
			page = append(page, selectFields(asDocument(res), p.fields))
		} else {
			page = append(page, res)
		}
	}
	h := http.Header{}
	h.Set("X-Axway-Total-Count", strconv.Itoa(total))
	h.Set("Link", pageLinks(r.URL, p, total))
	return response{status: http.StatusOK, body: page, headers: h}, nil
}

// count answers HEAD on a list: the total alone, in X-Axway-Total-Count.
func (s *Server) count(r *http.Request, t target) (any, error) {
	if c := r.URL.Query().Get("count"); c != "" && c != "all" && c != "accessible" {
		return nil, invalid("", "count must be all or accessible; got %q.", c)
	}
	p, err := parseListParams(r.URL.Query())
	if err != nil {
		return nil, err
	}
	all, err := s.find(r, t, p)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("X-Axway-Total-Count", strconv.Itoa(len(all)))
	return response{status: http.StatusOK, headers: h}, nil
}

// pageLinks builds the Link header: next (when there is one), self, first, last.
func pageLinks(u *url.URL, p listParams, total int) string {
	last := max(1, (total+p.pageSize-1)/p.pageSize)
	link := func(page int, rel string) string {
		q := u.Query()
		q.Set("page", strconv.Itoa(page))
		q.Set("pageSize", strconv.Itoa(p.pageSize))
		return fmt.Sprintf("<%s?%s>; rel=%q", u.Path, q.Encode(), rel)
	}
	var links []string
	if p.page < last {
		links = append(links, link(p.page+1, "next"))
	}
	links = append(links, link(p.page, "self"), link(1, "first"), link(last, "last"))
	return strings.Join(links, ", ")
}

// selectFields keeps only the named (dotted) paths of doc. Unknown paths are
// ignored, as the Amplify API does.
func selectFields(doc map[string]any, fields []string) map[string]any {
	out := map[string]any{}
	for _, f := range fields {
		path := strings.Split(strings.TrimSpace(f), ".")
		copyPath(doc, out, path)
	}
	return out
}

func copyPath(src, dst map[string]any, path []string) {
	v, ok := src[path[0]]
	if !ok {
		return
	}
	if len(path) == 1 {
		dst[path[0]] = v
		return
	}
	child, ok := v.(map[string]any)
	if !ok {
		return
	}
	next, _ := dst[path[0]].(map[string]any)
	if next == nil {
		next = map[string]any{}
		dst[path[0]] = next
	}
	copyPath(child, next, path[1:])
}
