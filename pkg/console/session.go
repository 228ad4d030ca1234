package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/centralhq/central/pkg/client"
)

const (
	// sessionCookie holds the session id, never the token.
	sessionCookie = "central_console"
	// loginCookie holds the sign-in form's CSRF token until the session
	// exists (a double-submit check: a foreign page can neither read nor set
	// it).
	loginCookie = "central_console_login"
	// sessionTTL is how long a session lasts from sign-in, whatever its use.
	sessionTTL = 12 * time.Hour
	// maxSessions bounds memory: past it, the oldest sessions end first.
	maxSessions = 10000
)

// session is one signed-in browser. The token stays here, in memory, and
// dies with the process: a restart signs everyone out.
type session struct {
	id      string
	csrf    string
	expires time.Time
	// api calls the API in-process with the session's token.
	api *client.Client

	// flash is a one-shot message for the next page, set under sessions.mu.
	flash *flash
}

// flash is a message shown once, on the page a POST redirects to.
type flash struct {
	// Kind is "ok" or "error"; it picks the style and the role.
	Kind string
	Text string
}

// sessions maps session ids to sessions.
type sessions struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*session
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{now: now, m: map[string]*session{}}
}

// randomToken returns 32 random bytes, URL-safe: unguessable ids and CSRF
// tokens.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create starts a session for a verified API client.
func (ss *sessions) create(api *client.Client) *session {
	now := ss.now()
	s := &session{id: randomToken(), csrf: randomToken(), expires: now.Add(sessionTTL), api: api}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.pruneLocked(now)
	ss.m[s.id] = s
	return s
}

// pruneLocked drops expired sessions and, past maxSessions, those closest
// to expiring.
func (ss *sessions) pruneLocked(now time.Time) {
	for id, s := range ss.m {
		if !now.Before(s.expires) {
			delete(ss.m, id)
		}
	}
	for len(ss.m) >= maxSessions {
		var oldest *session
		for _, s := range ss.m {
			if oldest == nil || s.expires.Before(oldest.expires) {
				oldest = s
			}
		}
		delete(ss.m, oldest.id)
	}
}

// get returns the live session with the id, or nil.
func (ss *sessions) get(id string) *session {
	if id == "" {
		return nil
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[id]
	if s == nil {
		return nil
	}
	if !ss.now().Before(s.expires) {
		delete(ss.m, id)
		return nil
	}
	return s
}

// end forgets a session.
func (ss *sessions) end(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, id)
}

// setFlash leaves a message for the session's next page.
func (ss *sessions) setFlash(s *session, kind, text string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s.flash = &flash{Kind: kind, Text: text}
}

// takeFlash returns and clears the session's message.
func (ss *sessions) takeFlash(s *session) *flash {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	f := s.flash
	s.flash = nil
	return f
}

// fromRequest returns the request's live session, or nil.
func (c *console) fromRequest(r *http.Request) *session {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	return c.sessions.get(ck.Value)
}

// cookie builds one of the console's cookies for an answer to r: HttpOnly,
// SameSite=Strict, limited to the console's path, Secure when r came over
// HTTPS. maxAge < 0 deletes it.
func (c *console) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/console", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: overHTTPS(r)}
}

// overHTTPS says whether r reached the server over TLS, itself or through a
// reverse proxy saying so in X-Forwarded-Proto. Anyone may send that header,
// but believing it can only make a cookie stricter.
func overHTTPS(r *http.Request) bool {
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return r.TLS != nil || strings.EqualFold(strings.TrimSpace(proto), "https")
}

// sameToken compares a submitted token with the expected one in constant
// time; an empty expected token never matches.
func sameToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
