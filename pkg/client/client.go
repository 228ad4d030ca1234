// Package client talks to a central API server over HTTP: resource CRUD under
// /apis, paginated lists, subresources and the event log. Every failure comes
// back as a typed error (*APIError, *ConnectionError) so the CLI maps errors
// to messages and exit codes in one place, with errors.As.
package client

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// DefaultTimeout bounds a whole request, body included, when neither Options
// nor the injected http.Client set one: a hung server must not hang the CLI.
const DefaultTimeout = 30 * time.Second

// DefaultUserAgent is sent when Options.UserAgent is empty.
const DefaultUserAgent = "central/dev"

// Options configures a Client. The zero value works against an
// unauthenticated local server.
type Options struct {
	// HTTPClient carries transport settings (TLS, proxies, test transports).
	// It is copied, never modified; nil means a fresh client, never
	// http.DefaultClient, whose global state other code may change.
	HTTPClient *http.Client
	// Token is sent as "Authorization: Bearer <token>" when not empty.
	Token string
	// OrgID is sent as X-Axway-Tenant-Id when not empty.
	OrgID string
	// UserAgent is "central/<version>"; DefaultUserAgent when empty.
	UserAgent string
	// Timeout overrides HTTPClient.Timeout; when both are zero DefaultTimeout
	// applies.
	Timeout time.Duration
}

// Client calls one API server. It is safe for concurrent use.
type Client struct {
	base string
	hc   *http.Client
	// header is sent with every request: Accept, User-Agent and, when set,
	// the token and the organization.
	header http.Header
}

// New returns a client for the server at baseURL, such as
// "http://127.0.0.1:8080" (a trailing slash is ignored).
func New(baseURL string, o Options) *Client {
	// The client is a copy, so the caller's stays untouched.
	var hc http.Client
	if o.HTTPClient != nil {
		hc = *o.HTTPClient
	}
	if hc.Transport == nil {
		// Its own pool, sized for List's concurrent pages; the default keeps
		// only two idle connections per host.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = maxConcurrentPages
		hc.Transport = t
	}
	switch {
	case o.Timeout > 0:
		hc.Timeout = o.Timeout
	case hc.Timeout == 0:
		hc.Timeout = DefaultTimeout
	}
	// A followed redirect turns a POST into a GET and hides a wrong base URL;
	// the 3xx comes back as an *APIError instead.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	ua := o.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	header := http.Header{"Accept": {"application/json"}, "User-Agent": {ua}}
	if o.Token != "" {
		header.Set("Authorization", "Bearer "+o.Token)
	}
	if o.OrgID != "" {
		header.Set("X-Axway-Tenant-Id", o.OrgID)
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), hc: &hc, header: header}
}

// BaseURL returns the server's base URL without a trailing slash, for
// messages and for naming per-server caches.
func (c *Client) BaseURL() string { return c.base }

type correlationKey struct{}

// WithCorrelationID returns a context whose requests carry X-Correlation-Id:
// id, so one CLI command's calls can be found together in the server's logs
// and in the events they cause.
func WithCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

func correlationID(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey{}).(string)
	return id
}

// Timeout is how long a request may take, unless WithTimeout says otherwise.
func (c *Client) Timeout() time.Duration { return c.hc.Timeout }

type timeoutKey struct{}

// WithTimeout returns a context whose requests may each take up to d
// instead of the client's own timeout (Options.Timeout, DefaultTimeout):
// for a request slow by design, such as a webhook test, which the server
// answers only once the receiver has.
func WithTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, timeoutKey{}, d)
}

// httpClient returns the client to send a request of ctx with: c's own,
// or a copy with the timeout WithTimeout set.
func (c *Client) httpClient(ctx context.Context) *http.Client {
	d, ok := ctx.Value(timeoutKey{}).(time.Duration)
	if !ok || d <= 0 {
		return c.hc
	}
	hc := *c.hc // shares the transport and its connections
	hc.Timeout = d
	return &hc
}
