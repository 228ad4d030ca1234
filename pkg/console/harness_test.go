package console_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/console"
	"github.com/centralhq/central/pkg/server"
)

// env is a real server (store, API, dispatcher) with the console mounted
// beside its API the way pkg/server mounts it, and a client of the API for
// setting up data.
type env struct {
	t   *testing.T
	srv *server.Server
	// URL is the base URL of the console's server (console and API).
	URL string
	api *client.Client
}

// envConfig is what a test may change about its env.
type envConfig struct {
	server  server.Config
	console console.Options
	// wrapAPI, when set, stands between the console and the API.
	wrapAPI func(http.Handler) http.Handler
}

type envOption func(*envConfig)

func newEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	cfg := envConfig{server: server.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(),
		RetrySchedule: []time.Duration{}, PollInterval: 10 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := server.New(ctx, cfg.server)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	apiHandler := s.API.Handler()
	co := cfg.console
	co.API, co.Logger = apiHandler, cfg.server.Logger
	if cfg.wrapAPI != nil {
		co.API = cfg.wrapAPI(apiHandler)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, console.New(co))
	mux.Handle("/", apiHandler)
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return &env{t: t, srv: s, URL: hs.URL, api: client.New(s.URL(), client.Options{Token: s.Token()})}
}

// must sends an API request for setup and fails the test unless it works.
func (e *env) must(method, path string, body any) {
	e.t.Helper()
	if _, err := e.api.Do(context.Background(), method, path, nil, body, nil); err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
}

const mgmt = "/apis/management/v1"

// deliveries lists the delivery log through the API.
func (e *env) deliveries(query string) []api.Delivery {
	e.t.Helper()
	q, _ := url.ParseQuery(query)
	q.Set("pageSize", "1000")
	var out []api.Delivery
	if _, err := e.api.Do(context.Background(), "GET", "/deliveries", q, nil, &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// waitFor polls cond until it holds: the dispatcher works in its own
// goroutines and the delivery log is where its progress shows.
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s; deliveries: %+v", what, e.deliveries(""))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// receiver answers webhook requests with a status the test can change.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	got    int
}

func newReceiver(t *testing.T, status int) *receiver {
	r := &receiver{status: status}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		r.mu.Lock()
		st := r.status
		r.got++
		r.mu.Unlock()
		w.WriteHeader(st)
		if st >= 300 {
			io.WriteString(w, "receiver says no")
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) answer(status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = status
}

// user is a browser without JavaScript: a cookie jar, redirects not
// followed, so each answer can be checked.
type user struct {
	t    *testing.T
	base string
	c    *http.Client
	// header is added to every request.
	header http.Header
}

func (e *env) user() *user {
	jar, _ := cookiejar.New(nil)
	return &user{t: e.t, base: e.URL, header: http.Header{},
		c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is an answer: its status, Location and body.
type page struct {
	status   int
	location string
	body     string
	resp     *http.Response
}

func (u *user) do(method, path string, form url.Values) page {
	u.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u.base+path, body)
	if err != nil {
		u.t.Fatal(err)
	}
	for k, v := range u.header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := u.c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b), resp: resp}
}

func (u *user) get(path string) page { u.t.Helper(); return u.do("GET", path, nil) }

// post sends a form with the CSRF token of the page at from.
func (u *user) post(from, path string, form url.Values) page {
	u.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if from != "" {
		form.Set("csrf", u.csrf(from))
	}
	return u.do("POST", path, form)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the CSRF token from a page's forms.
func (u *user) csrf(path string) string {
	u.t.Helper()
	p := u.get(path)
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		u.t.Fatalf("GET %s: no CSRF field in %d %s", path, p.status, p.body)
	}
	return m[1]
}

// login signs in with token and expects it to work.
func (u *user) login(token string) {
	u.t.Helper()
	p := u.post("/console/login", "/console/login", url.Values{"token": {token}})
	if p.status != http.StatusSeeOther || p.location != "/console/webhooks" {
		u.t.Fatalf("sign in: %d %s %s", p.status, p.location, p.body)
	}
}

// follow GETs the page a redirect points at.
func (u *user) follow(p page) page {
	u.t.Helper()
	if p.status != http.StatusSeeOther {
		u.t.Fatalf("want a redirect, got %d: %s", p.status, p.body)
	}
	return u.get(p.location)
}

func contains(t *testing.T, p page, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(p.body, w) {
			t.Errorf("the page lacks %q; status %d, body:\n%s", w, p.status, p.body)
			return
		}
	}
}

// count is how many requests the receiver got.
func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got
}
