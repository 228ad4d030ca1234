package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/centralhq/central/pkg/api"
)

// maxConcurrentPages bounds the pages of one List in flight at once: enough
// to hide latency, few enough not to flood the server (the Amplify CLI's 8).
const maxConcurrentPages = 8

// totalCountHeader carries the size of a whole list on GET and HEAD.
const totalCountHeader = "X-Axway-Total-Count"

// List returns every resource of the collection at p, across all pages, in
// the server's order. Page 1 tells the total (X-Axway-Total-Count); the other
// pages are then fetched concurrently. A server that sends no total is
// followed through its Link rel="next" headers instead, one page at a time.
func (c *Client) List(ctx context.Context, p Path, o ListOptions) ([]*api.ResourceInstance, error) {
	q := o.values()
	first, hdr, err := c.page(ctx, p.String(), q)
	if err != nil {
		return nil, err
	}
	total, err := strconv.Atoi(hdr.Get(totalCountHeader))
	if err != nil {
		return c.followNext(ctx, first, hdr)
	}
	size := o.pageSize()
	// A server that caps the page size sends fewer items than asked; the
	// page numbers it understands follow its size, not ours.
	if n := len(first); n > 0 && n < size && n < total {
		size = n
	}
	pages := (total + size - 1) / size
	if pages <= 1 {
		return first, nil
	}
	rest, err := c.pages(ctx, p.String(), q, 2, pages)
	if err != nil {
		return nil, err
	}
	all := make([]*api.ResourceInstance, 0, total)
	all = append(all, first...)
	for _, items := range rest {
		all = append(all, items...)
	}
	return all, nil
}

// pages fetches pages from..to with at most maxConcurrentPages requests at
// once and returns them in page order. The first failure cancels the others.
func (c *Client) pages(ctx context.Context, path string, q url.Values, from, to int) ([][]*api.ResourceInstance, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([][]*api.ResourceInstance, to-from+1)
	slots := make(chan struct{}, maxConcurrentPages)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
loop:
	for i := range out {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			break loop
		}
		pq := cloneValues(q)
		pq.Set("page", strconv.Itoa(from+i))
		wg.Go(func() {
			defer func() { <-slots }()
			items, _, err := c.page(ctx, path, pq)
			if err != nil {
				once.Do(func() { firstErr = err; cancel() })
				return
			}
			out[i] = items
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// followNext walks Link rel="next" from the first page. Each URL is fetched
// once, so a server that links in a circle cannot loop the client forever.
func (c *Client) followNext(ctx context.Context, all []*api.ResourceInstance, hdr http.Header) ([]*api.ResourceInstance, error) {
	base, err := url.Parse(c.base + "/")
	if err != nil {
		return nil, fmt.Errorf("invalid base URL %q: %w", c.base, err)
	}
	seen := map[string]bool{}
	for {
		next := nextLink(hdr)
		if next == "" {
			return all, nil
		}
		ref, err := url.Parse(next)
		if err != nil {
			return nil, fmt.Errorf("invalid Link header %q: %w", next, err)
		}
		u := base.ResolveReference(ref).String()
		if seen[u] {
			return all, nil
		}
		seen[u] = true
		var items []*api.ResourceInstance
		items, hdr, err = c.page(ctx, u, nil)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return all, nil
		}
		all = append(all, items...)
	}
}

// page GETs one page of a list.
func (c *Client) page(ctx context.Context, path string, q url.Values) ([]*api.ResourceInstance, http.Header, error) {
	var items []*api.ResourceInstance
	resp, err := c.Do(ctx, http.MethodGet, path, q, nil, &items)
	if err != nil {
		return nil, nil, err
	}
	return items, resp.Header, nil
}

// Count returns how many resources of the collection at p match query (all
// when empty) with a HEAD, without transferring them.
func (c *Client) Count(ctx context.Context, p Path, query string) (int, error) {
	q := url.Values{}
	if query != "" {
		q.Set("query", query)
	}
	resp, err := c.Do(ctx, http.MethodHead, p.String(), q, nil, nil)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(resp.Header.Get(totalCountHeader))
	if err != nil {
		return 0, fmt.Errorf("HEAD %s: the server sent no valid %s header", p, totalCountHeader)
	}
	return n, nil
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}
