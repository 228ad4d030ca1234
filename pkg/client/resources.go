package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/centralhq/central/pkg/api"
)

// Get returns the resource at p; p.Name must be set.
func (c *Client) Get(ctx context.Context, p Path) (*api.ResourceInstance, error) {
	return c.resource(ctx, http.MethodGet, p.String(), nil, nil, nil)
}

// Create posts r to the collection at p (p.Name is ignored, the name travels
// in r) and returns the resource as stored, with its metadata filled in.
func (c *Client) Create(ctx context.Context, p Path, r *api.ResourceInstance) (*api.ResourceInstance, error) {
	p.Name = ""
	return c.resource(ctx, http.MethodPost, p.String(), nil, r, nil)
}

// Update replaces the resource at p with r. When r carries a
// metadata.resourceVersion the server refuses a stale one with 428, so a
// read-modify-write cannot silently undo someone else's change.
func (c *Client) Update(ctx context.Context, p Path, r *api.ResourceInstance) (*api.ResourceInstance, error) {
	return c.resource(ctx, http.MethodPut, p.String(), nil, r, nil)
}

// PatchOp is one operation of a JSON Patch. Op is "add" (adds or replaces;
// "-" as the last token appends to an array), "replace" or "remove" (both
// fail when the path is missing) or "x-build-object-tree" (makes every
// missing segment of the path an empty object). Path is a JSON pointer
// into the resource, such as "/spec/url", "/tags/-" or "/attributes/team".
type PatchOp struct {
	Op   string `json:"op"`
	Path string `json:"path"`
	// Value is the value of add and replace. A nil Value is not sent, so a
	// JSON null is json.RawMessage("null").
	Value any `json:"value,omitempty"`
}

// Patch applies ops to the resource at p, in order and all or none, and
// returns the resource as stored. The server patches title, attributes,
// tags, finalizers, owner and spec; name, kind, metadata and subresources
// are refused with 400. When resourceVersion is not empty it is sent as
// If-Match, and the server refuses with 428 a resource that has changed
// since.
func (c *Client) Patch(ctx context.Context, p Path, ops []PatchOp, resourceVersion string) (*api.ResourceInstance, error) {
	if ops == nil {
		ops = []PatchOp{} // the body is an array, even empty
	}
	h := ifMatch(resourceVersion)
	h.Set("Content-Type", api.PatchMediaType)
	return c.resource(ctx, http.MethodPatch, p.String(), nil, ops, h)
}

// ifMatch is the header that makes a write conditional on resourceVersion,
// or none when it is empty.
func ifMatch(resourceVersion string) http.Header {
	h := http.Header{}
	if resourceVersion != "" {
		h.Set("If-Match", strconv.Quote(resourceVersion))
	}
	return h
}

// SubResourceGet returns the raw value of the subresource sub of the
// resource at p, or nil when the resource has none.
func (c *Client) SubResourceGet(ctx context.Context, p Path, sub string) (json.RawMessage, error) {
	var body map[string]json.RawMessage
	if _, err := c.Do(ctx, http.MethodGet, p.sub(sub), nil, nil, &body); err != nil {
		return nil, err
	}
	return body[sub], nil
}

// SubResourcePut replaces the subresource sub of the resource at p with v
// (null removes it) and returns the whole resource. Subresources are only
// written this way: a PUT of the resource itself leaves them alone. When
// resourceVersion is not empty it is sent as If-Match, and the server
// refuses with 428 a resource that has changed since.
func (c *Client) SubResourcePut(ctx context.Context, p Path, sub string, v json.RawMessage, resourceVersion string) (*api.ResourceInstance, error) {
	if len(v) == 0 {
		v = json.RawMessage("null")
	}
	return c.resource(ctx, http.MethodPut, p.sub(sub), nil, map[string]json.RawMessage{sub: v}, ifMatch(resourceVersion))
}

// Delete deletes the resource at p; force also ignores finalizers, on it and
// on the resources in its scope. When finalizers hold the resource the
// server answers 202 and held is the resource in state DELETING; otherwise
// held is nil.
func (c *Client) Delete(ctx context.Context, p Path, force bool) (held *api.ResourceInstance, err error) {
	var q url.Values
	if force {
		q = url.Values{"forceDelete": {"true"}}
	}
	var r api.ResourceInstance
	resp, err := c.send(ctx, http.MethodDelete, p.String(), q, nil, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return nil, nil
	}
	ok, err := decodeBody(resp, &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		// A 202 without a body still means "not gone yet"; report what is known.
		r = api.ResourceInstance{Name: p.Name, Metadata: api.Metadata{State: api.StateDeleting}}
	}
	return &r, nil
}

// Events returns up to pageSize events of the log with a sequence id above
// afterSequence, oldest first; pageSize <= 0 means DefaultPageSize. Callers
// poll with the last sequence id they saw.
func (c *Client) Events(ctx context.Context, afterSequence int64, pageSize int) ([]*api.Event, error) {
	if pageSize <= 0 {
		pageSize = DefaultPageSize
	}
	q := url.Values{
		"query":    {fmt.Sprintf("sequenceID>%d", afterSequence)},
		"sort":     {"sequenceID,ASC"},
		"pageSize": {strconv.Itoa(pageSize)},
	}
	var events []*api.Event
	if _, err := c.Do(ctx, http.MethodGet, "/events", q, nil, &events); err != nil {
		return nil, err
	}
	return events, nil
}

// resource sends a request answered with one resource.
func (c *Client) resource(ctx context.Context, method, path string, q url.Values, body any, header http.Header) (*api.ResourceInstance, error) {
	var r api.ResourceInstance
	resp, err := c.send(ctx, method, path, q, body, header)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	ok, err := decodeBody(resp, &r)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s %s: the server answered %d without a resource", method, path, resp.StatusCode)
	}
	return &r, nil
}
