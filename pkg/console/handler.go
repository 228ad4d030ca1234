package console

import (
	"errors"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/centralhq/central/pkg/client"
)

// pageFunc handles one request of a signed-in user. It returns the view to
// render, or nil when it has answered itself (a redirect).
type pageFunc func(w http.ResponseWriter, r *http.Request, s *session) (*view, error)

// httpError is an error of the console's own with the status to answer.
type httpError struct {
	status int
	title  string
	detail string
}

func (e *httpError) Error() string { return e.title + ": " + e.detail }

func notFound(detail string) error {
	return &httpError{status: http.StatusNotFound, title: "Not found", detail: detail}
}

func badRequest(detail string) error {
	return &httpError{status: http.StatusBadRequest, title: "Bad request", detail: detail}
}

// page serves a GET that needs a session.
func (c *console) page(fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := c.fromRequest(r)
		if s == nil {
			c.toLogin(w, r)
			return
		}
		c.serve(w, r, s, fn)
	})
}

// action serves a POST: it needs a session, a request that no other site
// sent, and the session's CSRF token in the form.
func (c *console) action(fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := c.fromRequest(r)
		if err := c.cop.Check(r); err != nil {
			c.renderError(w, r, s, http.StatusForbidden, "Request refused",
				"This request came from another site, so it was refused. Use the console's own pages and buttons.")
			return
		}
		if s == nil {
			c.toLogin(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			c.renderError(w, r, s, http.StatusBadRequest, "Bad request", "The form could not be read.")
			return
		}
		if !sameToken(r.PostForm.Get("csrf"), s.csrf) {
			c.renderError(w, r, s, http.StatusForbidden, "Request refused",
				"The form's security token is missing or out of date. Reload the page and try again.")
			return
		}
		c.serve(w, r, s, fn)
	})
}

func (c *console) serve(w http.ResponseWriter, r *http.Request, s *session, fn pageFunc) {
	v, err := fn(w, r, s)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	if v != nil {
		c.render(w, r, s, v)
	}
}

// fail renders an error page: the console's own errors and the API's with
// their detail, anything else as a generic message with the cause logged.
func (c *console) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	var he *httpError
	var ae *client.APIError
	switch {
	case isUnauthorized(err):
		// The server no longer takes the session's token (it restarted with
		// another): the session is useless.
		c.sessions.end(s.id)
		http.SetCookie(w, c.cookie(r, sessionCookie, "", -1))
		http.Redirect(w, r, "/console/login?refused=1", http.StatusSeeOther)
	case errors.As(err, &he):
		c.renderError(w, r, s, he.status, he.title, he.detail)
	case errors.As(err, &ae):
		c.render(w, r, s, &view{Template: "error", Title: "The API refused", Status: ae.StatusCode, Data: apiErrorPage(ae)})
	default:
		c.log.Error("console: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		c.renderError(w, r, s, http.StatusInternalServerError, "Something went wrong",
			"The console could not complete this request; the server's log has the details.")
	}
}

// apiErrorPage shows an API error the way the CLI prints it: the title and
// the detail, plus the fields it points at.
func apiErrorPage(e *client.APIError) errorPage {
	p := errorPage{Status: e.StatusCode, Title: e.Error(), Detail: e.Detail()}
	if len(e.Errors) > 0 {
		p.Title = e.Errors[0].Title
		for _, x := range e.Errors {
			if ptr := x.Source["pointer"]; ptr != "" {
				p.Fields = append(p.Fields, ptr)
			}
		}
	}
	if p.Title == p.Detail {
		p.Detail = ""
	}
	return p
}

// problem is an error shown inside a page (above a form) rather than as a
// page of its own.
type problem struct {
	Title  string
	Detail string
	// Field is the form field the API's error points at, if any.
	Field string
}

// asProblem turns an API error into a problem for a form; other errors are
// returned for fail to handle.
func asProblem(err error) (*problem, error) {
	var ae *client.APIError
	if !errors.As(err, &ae) || isUnauthorized(err) {
		return nil, err
	}
	p := apiErrorPage(ae)
	out := &problem{Title: p.Title, Detail: p.Detail}
	if out.Detail == "" {
		out.Title, out.Detail = "The API refused", p.Title
	}
	for _, ptr := range p.Fields {
		out.Field = fieldOfPointer(ptr)
		break
	}
	return out, nil
}

// fieldOfPointer maps a JSON pointer into a webhook to the form field that
// edits it: "/spec/url" -> "url".
func fieldOfPointer(ptr string) string {
	switch {
	case ptr == "/name":
		return "name"
	case ptr == "/title":
		return "title"
	case ptr == "/spec/url":
		return "url"
	case strings.HasPrefix(ptr, "/spec/headers"):
		return "headers"
	}
	return ""
}

// toLogin sends a request without a session to the sign-in page, which
// brings the user back to a GET page afterwards.
func (c *console) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/console/login"
	if r.Method == http.MethodGet && r.URL.Path != "/console/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// redirect answers a POST with a 303 to a page, with a message to show there.
func (c *console) redirect(w http.ResponseWriter, r *http.Request, s *session, to, kind, msg string) (*view, error) {
	if msg != "" {
		c.sessions.setFlash(s, kind, msg)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil, nil
}

// safeNext returns next when it is a console page, else the default page,
// so the sign-in form and the return fields cannot send users elsewhere.
// The path is judged decoded and cleaned: a browser resolves "%2e%2e" as
// "..", and the server reads "%2f" as "/".
func safeNext(next string) string {
	const home = "/console/webhooks"
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	// Browsers drop tabs and newlines from a URL and read "\" as "/".
	odd := func(r rune) bool { return r <= ' ' || r == 0x7f || r == '\\' }
	if strings.ContainsFunc(next, odd) || strings.ContainsFunc(u.Path, odd) || strings.Contains(u.Path, "//") ||
		!strings.HasPrefix(path.Clean(u.Path), "/console/") {
		return home
	}
	return next
}
