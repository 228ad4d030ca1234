package dispatch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/netguard"
)

// Response bodies are read up to ReadLimit (the rest is discarded unread)
// and kept up to StoreLimit in the attempt record; response headers are
// read up to ReadLimit and kept up to HeaderStoreLimit.
const (
	ReadLimit        = 64 << 10
	StoreLimit       = 20 << 10
	HeaderStoreLimit = 8 << 10
)

// Sender makes HTTP attempts through the destination guard. It never follows
// redirects and never uses a proxy: a proxy would make the guard check the
// proxy's address instead of the receiver's.
type Sender struct {
	Guard netguard.Policy
	Now   func() time.Time

	mu         sync.Mutex
	transports map[time.Duration]*http.Transport // by connect timeout
}

// A webhook may set any connect timeout up to MaxTimeout, and a transport
// (with its idle connections) is kept for each one used: rounding the
// timeout up to connectStep and keeping at most maxTransports bounds them.
// The one evicted to make room is any of them, not the least recently
// used: tracking use would cost every lookup, the hot path, which stays
// one map read.
const (
	connectStep   = 100 * time.Millisecond
	maxTransports = 16
)

// connectTimeout is the connect timeout in force for the one asked for:
// rounded up to connectStep, not to the nearest, so a webhook never gets
// less time than it asked for, and a short timeout never becomes 0, no
// timeout at all. The rounded value is the dial's timeout too, so one
// transport serves every timeout it stands for alike.
func connectTimeout(d time.Duration) time.Duration {
	if r := d % connectStep; r > 0 {
		d += connectStep - r
	}
	return d
}

func (s *Sender) transport(connect time.Duration) *http.Transport {
	connect = connectTimeout(connect)
	s.mu.Lock()
	if t, ok := s.transports[connect]; ok {
		s.mu.Unlock()
		return t
	}
	if s.transports == nil {
		s.transports = map[time.Duration]*http.Transport{}
	}
	var evicted *http.Transport
	if len(s.transports) >= maxTransports {
		for k, t := range s.transports {
			evicted = t
			delete(s.transports, k)
			break
		}
	}
	t := &http.Transport{
		Proxy:               nil,
		DialContext:         s.Guard.DialContext(&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}),
		TLSHandshakeTimeout: connect + 5*time.Second,
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
		// A receiver's headers are not worth a megabyte (net/http's default).
		MaxResponseHeaderBytes: ReadLimit,
	}
	s.transports[connect] = t
	s.mu.Unlock()
	// Requests under way on it finish; closing its connections (a TLS
	// close_notify each) is no reason to hold up every other send.
	if evicted != nil {
		evicted.CloseIdleConnections()
	}
	return t
}

// result is one attempt's record plus what the response asked for.
type result struct {
	attempt    api.Attempt
	retryAfter time.Duration
	out        outcome
	success    bool
}

// send makes one attempt; it never returns an error, every failure becomes
// part of the attempt record.
func (s *Sender) send(ctx context.Context, o *outgoing, p Policy) result {
	start := s.Now()
	r := result{attempt: api.Attempt{StartedAt: api.NewTime(start), Note: o.note}}
	finish := func() result {
		r.attempt.DurationMs = s.Now().Sub(start).Milliseconds()
		return r
	}
	ctx, cancel := context.WithTimeout(ctx, p.RequestTimeout)
	defer cancel()
	req, err := o.build(ctx, start)
	if err != nil {
		r.attempt.ErrorClass, r.attempt.Error = api.ErrorConfig, "could not build the request: "+err.Error()
		return finish()
	}
	// The transport alone, without an http.Client: a redirect comes back as
	// the answer, and there is no header copy kept for following one.
	resp, err := s.transport(p.ConnectTimeout).RoundTrip(req)
	if err != nil {
		r.attempt.ErrorClass, r.attempt.Error, r.out.retry = classifyError(err, p)
		r.out.overload = r.attempt.ErrorClass == api.ErrorTimeout
		r.attempt.Error = o.redact(r.attempt.Error) // a response that is not HTTP is quoted
		return finish()
	}
	defer resp.Body.Close()
	var body []byte
	if resp.ContentLength != 0 { // a 204's empty body is not read into a buffer
		body, _ = io.ReadAll(io.LimitReader(resp.Body, ReadLimit))
	}
	// What the dispatcher reads is read before the copy kept is redacted:
	// a secret may equal a Retry-After.
	loc, retryAfter := resp.Header.Get("Location"), resp.Header.Get("Retry-After")
	for _, v := range resp.Header {
		if len(v) > 0 { // the first value alone is kept (flatten)
			v[0] = o.redact(v[0])
		}
	}
	r.attempt.StatusCode = resp.StatusCode
	r.attempt.ResponseHeaders = flatten(resp.Header)
	body = o.redactBody(body) // before the cut, so that no part of a secret is left
	if len(body) > StoreLimit {
		body = body[:StoreLimit]
	}
	r.attempt.ResponseBody = strings.ToValidUTF8(string(body), "\uFFFD")
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		r.success = true
		return finish()
	}
	r.out = classify(resp.StatusCode)
	r.attempt.ErrorClass = api.ErrorHTTP
	r.attempt.Error = fmt.Sprintf("the receiver answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		r.attempt.Error += " (redirects are not followed" + o.redact(redirectHint(o.webhook, loc)) + ")"
	}
	r.retryAfter = parseRetryAfter(retryAfter, start)
	return finish()
}

// redirectHint suggests the URL a redirect points at, made absolute (a
// Location may be relative), or nothing when there is no usable Location.
// It is resolved against the webhook's URL as written, without user info,
// not against the request's: that one may carry the auth secret in its
// query, which a Location such as "#x" would keep. The auth secret's query
// parameter is left out (the webhook adds it), the others kept as they are;
// the caller redacts the rest.
func redirectHint(spec *api.WebhookSpec, loc string) string {
	if loc == "" {
		return ""
	}
	base, err := url.Parse(spec.URL)
	if err != nil {
		return ""
	}
	base.User = nil
	u, err := base.Parse(loc)
	if err != nil {
		return ""
	}
	if a := spec.Auth; a != nil && a.Location != nil && a.Location.In == "query" && u.RawQuery != "" {
		params := strings.Split(u.RawQuery, "&")
		u.RawQuery = strings.Join(slices.DeleteFunc(params, func(p string) bool {
			k, _, _ := strings.Cut(p, "=")
			k, err := url.QueryUnescape(k)
			return err == nil && k == a.Location.Name
		}), "&")
	}
	return "; point the webhook at " + u.String()
}

// classifyError names a transport failure and says whether to retry.
func classifyError(err error, p Policy) (api.ErrorClass, string, bool) {
	var refused *netguard.RefusedError
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &refused):
		return api.ErrorDestination, refused.Error(), false
	case errors.As(err, &dnsErr):
		return api.ErrorDNS, "the webhook's host did not resolve: " + dnsErr.Error(), true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return api.ErrorTimeout, fmt.Sprintf("no answer within %s (connect timeout %s)", p.RequestTimeout, connectTimeout(p.ConnectTimeout)), true
	}
	return api.ErrorConnection, "could not reach the receiver: " + err.Error(), true
}

// flatten keeps the first value of each response header: at most 50, of
// HeaderStoreLimit bytes in all, by name in order when they are more.
func flatten(h http.Header) map[string]string {
	size := 0
	for k, v := range h {
		if len(v) > 0 {
			size += len(k) + len(v[0])
		}
	}
	out := make(map[string]string, min(len(h), 50))
	if size <= HeaderStoreLimit && len(h) <= 50 {
		for k, v := range h {
			if len(v) > 0 {
				out[k] = v[0]
			}
		}
		return out
	}
	size = 0
	for _, k := range slices.Sorted(maps.Keys(h)) {
		v := h[k]
		if len(v) == 0 || size+len(k)+len(v[0]) > HeaderStoreLimit {
			continue
		}
		out[k], size = v[0], size+len(k)+len(v[0])
		if len(out) == 50 {
			break
		}
	}
	return out
}
