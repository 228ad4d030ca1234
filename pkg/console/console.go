// Package console serves the web console under /console/: server-rendered
// pages to manage webhooks, read and retry deliveries, browse resources and
// approve subscriptions.
//
// The console holds no store of its own and never touches the server's: every
// page is made of calls to the public API, sent in-process to the API's
// handler with the signed-in user's token. So every action goes through the
// same validation, events and deliveries as the CLI's, and the console can do
// nothing the token could not do over HTTP.
//
// Sign-in takes an API token and keeps it server-side, in memory, under a
// random session id that is all the browser's cookie holds. Every POST carries
// the session's CSRF token and must not come from another site.
package console

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/centralhq/central/pkg/client"
)

// Prefix is the path the console is served under; mount New's handler there.
const Prefix = "/console/"

// Options configures the console.
type Options struct {
	// API is the API server's handler (apiserver.Server.Handler()), called
	// in-process for every API request the console makes.
	API http.Handler
	// Logger receives errors that are not the user's doing; nil is
	// slog.Default().
	Logger *slog.Logger
	// Now is the clock for session expiry and time filters; nil is time.Now.
	Now func() time.Time
}

// console is the handler New returns.
type console struct {
	opts     Options
	log      *slog.Logger
	now      func() time.Time
	sessions *sessions
	pages    *pages
	kinds    *kindCache
	cop      *http.CrossOriginProtection
	mux      *http.ServeMux
}

// New returns the console's handler. It serves every path under Prefix and
// expects to be mounted there without stripping the prefix, outside the API's
// bearer-token check: the console has its own sign-in.
func New(o Options) http.Handler {
	c := &console{opts: o, log: o.Logger, now: o.Now}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.sessions = newSessions(c.now)
	c.pages = mustParsePages(c.now)
	c.kinds = &kindCache{now: c.now}
	c.cop = http.NewCrossOriginProtection()
	c.mux = http.NewServeMux()
	c.routes()
	return c.secured(c.mux)
}

func (c *console) routes() {
	m := c.mux
	m.Handle("GET /console/assets/", assetHandler())
	m.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/webhooks", http.StatusSeeOther)
	})
	m.HandleFunc("GET /console/login", c.loginForm)
	m.HandleFunc("POST /console/login", c.login)
	m.Handle("POST /console/logout", c.action(c.logout))

	m.Handle("GET /console/webhooks", c.page(c.webhookList))
	m.Handle("GET /console/webhooks/new", c.page(c.webhookNew))
	m.Handle("POST /console/webhooks", c.action(c.webhookCreate))
	const wh = "/console/webhooks/{scopeKind}/{scopeName}/{name}"
	m.Handle("GET "+wh, c.page(c.webhookShow))
	m.Handle("GET "+wh+"/edit", c.page(c.webhookEdit))
	m.Handle("POST "+wh+"/edit", c.action(c.webhookUpdate))
	m.Handle("POST "+wh+"/enabled", c.action(c.webhookSetEnabled))
	m.Handle("GET "+wh+"/delete", c.page(c.webhookDeleteConfirm))
	m.Handle("POST "+wh+"/delete", c.action(c.webhookDelete))
	m.Handle("POST "+wh+"/rotatesecret", c.action(c.webhookRotateSecret))
	m.Handle("POST "+wh+"/test", c.action(c.webhookTest))

	m.Handle("GET /console/deliveries", c.page(c.deliveryList))
	m.Handle("GET /console/deliveries/retry", c.page(c.deliveryRetryConfirm))
	m.Handle("POST /console/deliveries/retry", c.action(c.deliveryRetryAll))
	m.Handle("GET /console/deliveries/purge", c.page(c.deliveryPurgeConfirm))
	m.Handle("POST /console/deliveries/purge", c.action(c.deliveryPurge))
	m.Handle("GET /console/deliveries/{id}", c.page(c.deliveryShow))
	m.Handle("POST /console/deliveries/{id}/retry", c.action(c.deliveryRetryOne))

	m.Handle("GET /console/events/{seq}", c.page(c.eventShow))

	m.Handle("GET /console/resources", c.page(c.kindList))
	m.Handle("GET /console/resources/{group}/{plural}", c.page(c.resourceList))
	m.Handle("GET /console/resources/{group}/{plural}/{name}", c.page(c.resourceShow))

	m.Handle("GET /console/subscriptions", c.page(c.subscriptionList))
	m.Handle("POST /console/subscriptions/{env}/{name}/state", c.action(c.subscriptionMove))

	m.Handle("/console/", c.page(func(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
		return nil, notFound("There is no console page at " + r.URL.Path + ".")
	}))
}

// secured adds the headers every answer carries and turns a panic into an
// error page: a bug must never show a stack trace to the browser.
func (c *console) secured(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// No scripts at all; styles and images only from the console itself.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				c.log.Error("console: panic", "path", r.URL.Path, "panic", v)
				c.renderError(w, r, nil, http.StatusInternalServerError, "Something went wrong",
					"The console failed to build this page; the server's log has the details.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// apiCtx bounds the API calls of one page: they are in-process and fast, but
// a page must not hang on a stuck store. The calls share one correlation id,
// so the events an action causes can be found together in the log.
func apiCtx(r *http.Request) (context.Context, context.CancelFunc) {
	ctx := client.WithCorrelationID(r.Context(), "console-"+randomToken()[:22])
	return context.WithTimeout(ctx, 20*time.Second)
}

// isUnauthorized reports whether the API refused the session's token, which
// happens when the server was restarted with another one.
func isUnauthorized(err error) bool {
	var e *client.APIError
	return errors.As(err, &e) && e.StatusCode == http.StatusUnauthorized
}
