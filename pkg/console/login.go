package console

import (
	"net/http"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

// loginPage is the data of the sign-in form.
type loginPage struct {
	CSRF    string
	Next    string
	Problem string
	Notice  string
}

// verifyPath is the cheap call that tells whether a token is good.
var verifyPath = client.Path{Group: api.DefinitionsGroup, Version: "v1alpha1", Plural: "groups"}

func (c *console) loginForm(w http.ResponseWriter, r *http.Request) {
	if c.fromRequest(r) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	p := loginPage{Next: r.URL.Query().Get("next")}
	switch {
	case r.URL.Query().Get("refused") != "":
		p.Notice = "The server no longer accepts the token you signed in with. Sign in again."
	case r.URL.Query().Get("out") != "":
		p.Notice = "You are signed out."
	}
	c.showLogin(w, r, p, http.StatusOK)
}

// showLogin renders the form with a fresh double-submit token in a cookie
// and in the form.
func (c *console) showLogin(w http.ResponseWriter, r *http.Request, p loginPage, status int) {
	// An existing token is kept, so two sign-in tabs do not undo each other.
	if ck, err := r.Cookie(loginCookie); err == nil && len(ck.Value) == len(randomToken()) {
		p.CSRF = ck.Value
	} else {
		p.CSRF = randomToken()
	}
	http.SetCookie(w, c.cookie(r, loginCookie, p.CSRF, 3600))
	c.render(w, r, nil, &view{Template: "login", Title: "Sign in", Data: p, Status: status})
}

func (c *console) login(w http.ResponseWriter, r *http.Request) {
	if err := c.cop.Check(r); err != nil {
		c.renderError(w, r, nil, http.StatusForbidden, "Request refused",
			"This sign-in came from another site, so it was refused. Open the console's sign-in page yourself.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		c.renderError(w, r, nil, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostForm.Get("csrf"), ck.Value) {
		c.renderError(w, r, nil, http.StatusForbidden, "Request refused",
			"The sign-in form's security token is missing or out of date. Reload the sign-in page and try again.")
		return
	}
	next := r.PostForm.Get("next")
	token := strings.TrimSpace(r.PostForm.Get("token"))
	if token == "" {
		c.showLogin(w, r, loginPage{Next: next, Problem: "Enter an API token."}, http.StatusBadRequest)
		return
	}
	api := newAPIClient(c.opts.API, token)
	ctx, cancel := apiCtx(r)
	defer cancel()
	if _, err := api.Do(ctx, http.MethodGet, verifyPath.String(), nil, nil, nil); err != nil {
		if isUnauthorized(err) {
			c.log.Warn("console: sign-in with a refused token", "remote", r.RemoteAddr)
			c.showLogin(w, r, loginPage{Next: next, Problem: "That token was refused. Check it and try again."}, http.StatusUnauthorized)
			return
		}
		c.log.Error("console: checking a token", "err", err)
		c.showLogin(w, r, loginPage{Next: next, Problem: "The token could not be checked: " + err.Error()}, http.StatusBadGateway)
		return
	}
	// A new id at every sign-in: an id planted before it is worth nothing.
	if old := c.fromRequest(r); old != nil {
		c.sessions.end(old.id)
	}
	s := c.sessions.create(api)
	c.log.Info("console: signed in", "remote", r.RemoteAddr)
	http.SetCookie(w, c.cookie(r, sessionCookie, s.id, int(sessionTTL.Seconds())))
	http.SetCookie(w, c.cookie(r, loginCookie, "", -1))
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

func (c *console) logout(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	c.sessions.end(s.id)
	c.log.Info("console: signed out", "remote", r.RemoteAddr)
	http.SetCookie(w, c.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/console/login?out=1", http.StatusSeeOther)
	return nil, nil
}
