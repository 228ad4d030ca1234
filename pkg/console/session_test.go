package console_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLogin(t *testing.T) {
	e := newEnv(t)
	u := e.user()

	p := u.get("/console/webhooks?q=x")
	if p.status != http.StatusSeeOther || p.location != "/console/login?next=%2Fconsole%2Fwebhooks%3Fq%3Dx" {
		t.Fatalf("without a session: %d %q", p.status, p.location)
	}
	p = u.get("/console/login")
	contains(t, p, `<label for="token">API token</label>`, `name="csrf"`)

	refused := u.post("/console/login", "/console/login", url.Values{"token": {"not-the-token"}})
	if refused.status != http.StatusUnauthorized {
		t.Fatalf("a wrong token: %d", refused.status)
	}
	contains(t, refused, "That token was refused")
	if c := sessionCookie(refused.resp); c != nil {
		t.Fatalf("a refused sign-in set a session cookie: %v", c)
	}

	form := url.Values{"token": {e.srv.Token()}, "next": {"/console/webhooks?q=x"}}
	ok := u.post("/console/login", "/console/login", form)
	if ok.status != http.StatusSeeOther || ok.location != "/console/webhooks?q=x" {
		t.Fatalf("sign in: %d %q %s", ok.status, ok.location, ok.body)
	}
	c := sessionCookie(ok.resp)
	if c == nil {
		t.Fatal("no session cookie")
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/console" || c.Secure {
		t.Errorf("cookie attributes: %+v", c)
	}
	if strings.Contains(c.Value, e.srv.Token()) || len(c.Value) < 40 {
		t.Errorf("the cookie must hold a random session id, not the token: %q", c.Value)
	}
	if c.MaxAge <= 0 || c.MaxAge > 12*3600 {
		t.Errorf("cookie Max-Age %d, want at most 12 h", c.MaxAge)
	}
	contains(t, u.get("/console/webhooks"), "<h1>Webhooks</h1>")

	// An open redirect is not possible through next.
	u2 := e.user()
	p = u2.post("/console/login", "/console/login", url.Values{"token": {e.srv.Token()}, "next": {"//evil.example/"}})
	if p.location != "/console/webhooks" {
		t.Fatalf("next=//evil.example/ redirected to %q", p.location)
	}

	// Signing out ends the session on the server, not just in the browser.
	sid := c.Value
	out := u.post("/console/webhooks", "/console/logout", nil)
	if out.status != http.StatusSeeOther || !strings.HasPrefix(out.location, "/console/login") {
		t.Fatalf("sign out: %d %q", out.status, out.location)
	}
	if c := sessionCookie(out.resp); c == nil || c.MaxAge >= 0 {
		t.Fatalf("sign out did not clear the cookie: %+v", c)
	}
	replay := e.user()
	replay.header.Set("Cookie", "central_console="+sid)
	if p := replay.get("/console/webhooks"); p.status != http.StatusSeeOther {
		t.Fatalf("the old session id still works after sign-out: %d", p.status)
	}
}

// A return path that leaves /console/ once a browser resolves it (dot
// segments, encoded or not) is refused, as the server decodes it.
func TestNextStaysInConsole(t *testing.T) {
	e := newEnv(t)
	u := e.user()
	u.login(e.srv.Token())
	for _, next := range []string{"/console/../../evil", "/console/%2e%2e/evil", "/console/..%2fevil", "/console/%2E%2E%2Fevil",
		"/console/x/../../evil", "/console/\\evil.example", "/console/\t/../../\t/evil.example", "http://evil.example/console/",
		"//evil.example/console/", "/console//evil.example"} {
		// Signed in, the sign-in page sends the user straight to next, as
		// the server received it from the query.
		p := u.get("/console/login?" + url.Values{"next": {next}}.Encode())
		if p.status != http.StatusSeeOther || p.location != "/console/webhooks" {
			t.Errorf("next=%q redirected to %q", next, p.location)
		}
		p = e.user().post("/console/login", "/console/login", url.Values{"token": {e.srv.Token()}, "next": {next}})
		if p.location != "/console/webhooks" {
			t.Errorf("signing in with next=%q redirected to %q", next, p.location)
		}
	}
	// The query the server decodes once: %252e reaches it as %2e.
	if p := u.get("/console/login?next=/console/%252e%252e/evil"); p.location != "/console/webhooks" {
		t.Errorf("next=/console/%%252e%%252e/evil redirected to %q", p.location)
	}
	if p := u.get("/console/login?next=/console/%2e%2e/evil"); p.location != "/console/webhooks" {
		t.Errorf("next=/console/%%2e%%2e/evil redirected to %q", p.location)
	}
	for next, want := range map[string]string{"/console/deliveries?status=failed&since=1h": "/console/deliveries?status=failed&since=1h",
		"/console/webhooks/../deliveries": "/console/deliveries"} {
		if p := u.get("/console/login?" + url.Values{"next": {next}}.Encode()); p.location != want {
			t.Errorf("next=%q redirected to %q, want %q", next, p.location, want)
		}
	}
}

func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == "central_console" {
			return c
		}
	}
	return nil
}

// Behind a proxy terminating TLS, the console sees plain HTTP: the proxy's
// X-Forwarded-Proto makes the cookies Secure, as TLS to the server itself does.
func TestSecureCookieBehindHTTPSProxy(t *testing.T) {
	e := newEnv(t)
	u := e.user()
	if c := sessionCookie(u.post("/console/login", "/console/login", url.Values{"token": {e.srv.Token()}}).resp); c == nil || c.Secure {
		t.Fatalf("plain sign-in: %+v", c)
	}
	u = e.user()
	// The sign-in form is fetched over plain HTTP: the jar would not send
	// its CSRF cookie back over http if it were Secure.
	form := url.Values{"token": {e.srv.Token()}, "csrf": {u.csrf("/console/login")}}
	u.header.Set("X-Forwarded-Proto", "https")
	p := u.do("POST", "/console/login", form)
	c := sessionCookie(p.resp)
	if p.status != http.StatusSeeOther || c == nil || !c.Secure || !c.HttpOnly {
		t.Fatalf("sign-in with X-Forwarded-Proto: https: %d %+v", p.status, c)
	}
	for _, ck := range p.resp.Cookies() {
		if !ck.Secure {
			t.Errorf("cookie %s is not Secure", ck.Name)
		}
	}
}

func TestSessionRequired(t *testing.T) {
	e := newEnv(t)
	u := e.user()
	for _, path := range []string{"/console/webhooks", "/console/webhooks/new", "/console/webhooks/Integration/x/y",
		"/console/deliveries", "/console/deliveries/dlv_1", "/console/deliveries/retry", "/console/resources",
		"/console/resources/management/environments", "/console/subscriptions", "/console/nosuch"} {
		p := u.get(path)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/console/login") {
			t.Errorf("GET %s without a session: %d %q", path, p.status, p.location)
		}
	}
	for _, path := range []string{"/console/webhooks", "/console/webhooks/Integration/x/y/enabled", "/console/deliveries/retry",
		"/console/deliveries/purge", "/console/subscriptions/e/s/state", "/console/logout"} {
		p := u.do("POST", path, url.Values{"csrf": {"x"}})
		if p.status != http.StatusSeeOther || p.location != "/console/login" {
			t.Errorf("POST %s without a session: %d %q", path, p.status, p.location)
		}
	}
	// The stylesheet is served without a session: the sign-in page needs it.
	if p := u.get("/console/assets/console.css"); p.status != 200 || !strings.Contains(p.resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", p.status, p.resp.Header.Get("Content-Type"))
	}
}

func TestSessionExpires(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, func(c *envConfig) { c.console.Now = clock })
	u := e.user()
	u.login(e.srv.Token())
	mu.Lock()
	now = now.Add(11 * time.Hour)
	mu.Unlock()
	if p := u.get("/console/webhooks"); p.status != 200 {
		t.Fatalf("after 11 h: %d", p.status)
	}
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	if p := u.get("/console/webhooks"); p.status != http.StatusSeeOther {
		t.Fatalf("after 12 h the session must be over: %d", p.status)
	}
}

// When the server stops taking the session's token (a restart with another
// one), the next page ends the session and says why.
func TestRefusedTokenEndsSession(t *testing.T) {
	var mu sync.Mutex
	refuse := false
	e := newEnv(t, func(c *envConfig) {
		c.wrapAPI = func(api http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				no := refuse
				mu.Unlock()
				if no {
					w.WriteHeader(http.StatusUnauthorized)
					io.WriteString(w, `{"errors":[{"status":401,"title":"Unauthorized error"}]}`)
					return
				}
				api.ServeHTTP(w, r)
			})
		}
	})
	u := e.user()
	u.login(e.srv.Token())
	mu.Lock()
	refuse = true
	mu.Unlock()
	p := u.get("/console/webhooks")
	if p.status != http.StatusSeeOther || p.location != "/console/login?refused=1" {
		t.Fatalf("refused token: %d %q", p.status, p.location)
	}
	contains(t, u.get(p.location), "no longer accepts the token")
	if p := u.get("/console/webhooks"); p.status != http.StatusSeeOther {
		t.Fatalf("the session outlived its token: %d", p.status)
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	e.must("POST", mgmt+"/integrations", map[string]any{"name": "monitor"})
	e.must("POST", mgmt+"/integrations/monitor/webhooks", map[string]any{"name": "jira",
		"spec": map[string]any{"url": "http://127.0.0.1:9/hook", "enabled": true}})
	u := e.user()
	u.login(e.srv.Token())
	const action = "/console/webhooks/Integration/monitor/jira/enabled"
	token := u.csrf("/console/webhooks")
	// The real token with its first character changed (a random token
	// starts with "x" once in 64).
	wrong := "x" + token[1:]
	if token[0] == 'x' {
		wrong = "y" + token[1:]
	}
	disable := func(csrf string, header http.Header) page {
		t.Helper()
		u.header = header
		defer func() { u.header = http.Header{} }()
		form := url.Values{"enabled": {"false"}}
		if csrf != "" {
			form.Set("csrf", csrf)
		}
		return u.do("POST", action, form)
	}
	cases := []struct {
		name   string
		csrf   string
		header http.Header
	}{
		{"no token", "", nil},
		{"wrong token", wrong, nil},
		{"token of another session", otherSessionToken(t, e), nil},
		{"foreign Origin", token, http.Header{"Origin": {"http://evil.example"}}},
		{"cross-site fetch", token, http.Header{"Sec-Fetch-Site": {"cross-site"}}},
	}
	for _, tc := range cases {
		p := disable(tc.csrf, tc.header)
		if p.status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.name, p.status)
		}
		contains(t, p, "Request refused")
	}
	if !webhookEnabled(t, e, "monitor", "jira") {
		t.Fatal("a refused request changed the webhook")
	}
	// The same request from the console's own page goes through.
	p := disable(token, http.Header{"Origin": {e.URL}, "Sec-Fetch-Site": {"same-origin"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("same-origin with the token: %d %s", p.status, p.body)
	}
	if webhookEnabled(t, e, "monitor", "jira") {
		t.Fatal("the webhook is still enabled")
	}

	// The sign-in form is protected too: its token is in a cookie and the form.
	v := e.user()
	if p := v.do("POST", "/console/login", url.Values{"token": {e.srv.Token()}, "csrf": {"made-up"}}); p.status != http.StatusForbidden {
		t.Fatalf("sign-in without the form's token: %d", p.status)
	}
	v.header.Set("Origin", "http://evil.example")
	if p := v.post("/console/login", "/console/login", url.Values{"token": {e.srv.Token()}}); p.status != http.StatusForbidden {
		t.Fatalf("sign-in from another site: %d", p.status)
	}
}

func otherSessionToken(t *testing.T, e *env) string {
	t.Helper()
	o := e.user()
	o.login(e.srv.Token())
	return o.csrf("/console/webhooks")
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	u := e.user()
	p := u.get("/console/login")
	h := p.resp.Header
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP: %q", csp)
	}
	if h.Get("Cache-Control") != "no-store" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", h)
	}
	// Nothing on the page loads from elsewhere.
	for _, bad := range []string{"http://", "https://", "<script"} {
		if strings.Contains(p.body, bad) {
			t.Errorf("the sign-in page contains %q", bad)
		}
	}
}
