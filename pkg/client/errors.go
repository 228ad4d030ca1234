package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// maxErrorBody caps how much of a failed response is read: a proxy's error
// page or a misbehaving server must not fill memory just to be discarded.
const maxErrorBody = 1 << 20

// APIError is a response the server (or a proxy in front of it) answered
// with a status outside 2xx.
type APIError struct {
	StatusCode int
	Method     string
	URL        string
	// Errors holds the entries of the Amplify error body; it is empty when
	// the body had another shape, such as a proxy's HTML page.
	Errors []api.Error
}

// Error returns the first entry as "Title: detail", or the HTTP status text
// when the body carried no entries.
func (e *APIError) Error() string {
	if len(e.Errors) > 0 {
		return e.Errors[0].Error()
	}
	return e.statusText()
}

// Detail returns the first entry's detail, or its title when it has none:
// the one line the CLI prints, like the Amplify CLI's "detail || title".
func (e *APIError) Detail() string {
	if len(e.Errors) > 0 {
		if e.Errors[0].Detail != "" {
			return e.Errors[0].Detail
		}
		if e.Errors[0].Title != "" {
			return e.Errors[0].Title
		}
	}
	return e.statusText()
}

func (e *APIError) statusText() string {
	if t := http.StatusText(e.StatusCode); t != "" {
		return t
	}
	return fmt.Sprintf("HTTP status %d", e.StatusCode)
}

// HasStatus reports whether err is an *APIError with the given status code,
// the common test of "create or update" and "already gone" paths.
func HasStatus(err error, code int) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == code
}

// Detail is what an error says to a user: the API's detail when the server
// answered, the error itself otherwise.
func Detail(err error) string {
	var e *APIError
	if errors.As(err, &e) {
		return e.Detail()
	}
	return err.Error()
}

// readAPIError builds the error of a non-2xx response from at most
// maxErrorBody bytes of its body.
func readAPIError(resp *http.Response, method, u string) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, Method: method, URL: u}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body api.ErrorResponse
	if json.Unmarshal(b, &body) == nil {
		e.Errors = body.Errors
	}
	if len(e.Errors) > 0 || method == http.MethodHead {
		return e // a HEAD's answer has no body to tell by
	}
	detail := fmt.Sprintf("%s %s answered %d %s without an API error: it is not a central server, or a proxy answered for it; "+
		"check the base URL (--base-url, CENTRAL_BASE_URL or config base-url)", method, u, resp.StatusCode, e.statusText())
	if loc := resp.Header.Get("Location"); loc != "" {
		// Redirects are not followed; say where the server pointed, which
		// usually means the base URL is wrong (http vs https, a path prefix).
		detail = fmt.Sprintf("the server redirected to %s; check the base URL", loc)
	}
	e.Errors = []api.Error{{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode), Detail: detail}}
	return e
}

// ConnectionError means no HTTP answer came back: the server refused the
// connection, could not be resolved, or did not answer in time.
type ConnectionError struct {
	// URL is the server's base URL.
	URL string
	Err error
	// Waited is, when the client connected but gave up waiting for the
	// answer, its timeout; zero otherwise.
	Waited time.Duration
}

// Error names the server and the cause and, when nothing listens there, how
// to start one.
func (e *ConnectionError) Error() string {
	if e.Waited > 0 {
		return fmt.Sprintf("the central server at %s sent no answer within %s (--timeout or CENTRAL_TIMEOUT waits longer).", e.URL, e.Waited)
	}
	msg := fmt.Sprintf("couldn't connect to the central server at %s: %s.", e.URL, connectionReason(e.Err))
	if errors.Is(e.Err, syscall.ECONNREFUSED) {
		msg += ` Is it running? Start one with "central serve".`
	}
	return msg
}

// Unwrap returns the transport error, so errors.Is(err,
// context.DeadlineExceeded) and friends keep working.
func (e *ConnectionError) Unwrap() error { return e.Err }

// connectionReason shortens a transport error: *url.Error repeats the method
// and URL, which the message already names.
func connectionReason(err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &dns):
		return "no such host " + dns.Name
	case timedOut(err):
		return "no answer in time"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// timedOut reports whether err is a deadline or a timeout.
func timedOut(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// transportError classifies a failure to get any response. A cancelled
// context is the caller's own doing (Ctrl-C), so it passes through as is.
func (c *Client) transportError(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return &ConnectionError{URL: c.base, Err: err}
}
