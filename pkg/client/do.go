package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
)

// Do sends one request and decodes a JSON answer into out. It is the escape
// hatch for endpoints without a typed method (/deliveries and the like) and
// the base of every typed one, so all share the same headers and errors.
//
// path is relative to the base URL ("/apis/...", "/events"); an absolute URL
// is used as is. body is sent as JSON: []byte and json.RawMessage verbatim,
// anything else marshalled. out may be nil; an empty body leaves it
// untouched. The returned response's body is already closed; its status and
// headers remain readable, also alongside an *APIError.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) (*http.Response, error) {
	resp, err := c.send(ctx, method, path, query, body, nil)
	if err != nil {
		return resp, err
	}
	defer resp.Body.Close()
	if out == nil {
		return resp, nil
	}
	if _, err := decodeBody(resp, out); err != nil {
		return resp, err
	}
	return resp, nil
}

// send returns the response of a 2xx with its body open for the caller to
// decode and close; anything else becomes an error, with the body closed.
// header, when set, adds to the request's headers or overrides them (a
// PATCH's Content-Type).
func (c *Client) send(ctx context.Context, method, path string, query url.Values, body any, header http.Header) (*http.Response, error) {
	u, err := c.url(path, query)
	if err != nil {
		return nil, c.transportError(err)
	}
	var r io.Reader
	if body != nil {
		b, err := encodeBody(body)
		if err != nil {
			return nil, fmt.Errorf("encoding the body of %s %s: %w", method, path, err)
		}
		r = bytes.NewReader(b)
	}
	// Whether a connection was made tells a server that took too long to
	// answer from one that could not be reached.
	var connected atomic.Bool
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected.Store(true) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, u, r)
	if err != nil {
		return nil, c.transportError(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if id := correlationID(ctx); id != "" {
		req.Header.Set("X-Correlation-Id", id)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	hc := c.httpClient(ctx)
	resp, err := hc.Do(req)
	if err != nil {
		err = c.transportError(err)
		var ce *ConnectionError
		// The client's own timeout, not the caller's deadline, which may
		// be shorter.
		if errors.As(err, &ce) && connected.Load() && ctx.Err() == nil && timedOut(err) {
			ce.Waited = hc.Timeout
		}
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return resp, readAPIError(resp, method, resp.Request.URL.String())
	}
	return resp, nil
}

// url resolves path against the base URL (an absolute URL is used as is)
// and appends query after any query the path already has.
func (c *Client) url(path string, query url.Values) (string, error) {
	u, err := url.Parse(path)
	if err != nil {
		return "", err
	}
	if !u.IsAbs() {
		rel := u.String()
		if !strings.HasPrefix(rel, "/") {
			rel = "/" + rel
		}
		if u, err = url.Parse(c.base + rel); err != nil {
			return "", err
		}
	}
	if len(query) > 0 {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += query.Encode()
	}
	return u.String(), nil
}

func encodeBody(body any) ([]byte, error) {
	switch b := body.(type) {
	case []byte:
		return b, nil
	case json.RawMessage:
		return b, nil
	}
	return json.Marshal(body)
}

// decodeBody decodes a JSON body into out and reports whether there was one:
// 204s and bodiless 202s are success too.
func decodeBody(resp *http.Response, out any) (bool, error) {
	err := json.NewDecoder(resp.Body).Decode(out)
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading the answer to %s %s: %w", resp.Request.Method, resp.Request.URL, err)
	}
	return true, nil
}
