package client

import (
	"net/url"
	"strconv"
	"strings"
)

// Path addresses a resource collection or one resource under /apis. The
// scope segment is written only when both ScopePlural and ScopeName are set;
// an unscoped list of a scoped kind returns its resources in every scope.
type Path struct {
	Group, Version string
	// ScopePlural and ScopeName name the resource this one lives in, e.g.
	// "environments" and "prod".
	ScopePlural, ScopeName string
	Plural                 string
	// Name selects one resource; empty addresses the collection.
	Name string
}

// String renders the path, e.g.
// "/apis/management/v1alpha1/environments/prod/webhooks/hook1". Segments are
// escaped, so a stray character in a user-typed name cannot change the route.
func (p Path) String() string {
	var b strings.Builder
	b.WriteString("/apis/")
	b.WriteString(url.PathEscape(p.Group))
	b.WriteByte('/')
	b.WriteString(url.PathEscape(p.Version))
	if p.ScopePlural != "" && p.ScopeName != "" {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(p.ScopePlural))
		b.WriteByte('/')
		b.WriteString(url.PathEscape(p.ScopeName))
	}
	b.WriteByte('/')
	b.WriteString(url.PathEscape(p.Plural))
	if p.Name != "" {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(p.Name))
	}
	return b.String()
}

// sub renders the path of one of the resource's subresources.
func (p Path) sub(name string) string { return p.String() + "/" + url.PathEscape(name) }

// DefaultPageSize is the page size of List when ListOptions.PageSize is not
// set; it matches the Amplify CLI's.
const DefaultPageSize = 50

// ListOptions filters and shapes a List.
type ListOptions struct {
	// Query is an RSQL filter, e.g. `name=="prod*"`.
	Query string
	// Sort is "field,ASC" or "field,DESC".
	Sort string
	// Fields limits the returned fields, e.g. {"name", "metadata.scope"}.
	Fields []string
	// PageSize is the number of resources per request; DefaultPageSize when
	// zero or negative.
	PageSize int
}

func (o ListOptions) pageSize() int {
	if o.PageSize <= 0 {
		return DefaultPageSize
	}
	return o.PageSize
}

// values returns the query parameters of page 1.
func (o ListOptions) values() url.Values {
	q := url.Values{}
	q.Set("page", "1")
	q.Set("pageSize", strconv.Itoa(o.pageSize()))
	if o.Query != "" {
		q.Set("query", o.Query)
	}
	if o.Sort != "" {
		q.Set("sort", o.Sort)
	}
	if len(o.Fields) > 0 {
		q.Set("fields", strings.Join(o.Fields, ","))
	}
	return q
}
