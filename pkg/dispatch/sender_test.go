package dispatch

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/netguard"
)

// The sender uses the transport alone: a redirect is the answer, not
// followed, and a receiver that cannot be reached is named once, without
// net/http's "Post URL" prefix.
func TestSendRecordsWhatTheReceiverDid(t *testing.T) {
	redirect := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
			return
		}
		t.Errorf("the redirect was followed to %s", r.URL.Path)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go redirect.Serve(ln)
	defer redirect.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := closed.Addr().String()
	closed.Close()

	s := &Sender{Guard: netguard.Policy{AllowPrivate: true}, Now: time.Now}
	p := DefaultPolicy()
	send := func(url string) result {
		return s.send(context.Background(), &outgoing{webhook: &api.WebhookSpec{URL: url}, eventID: "ev", envelope: []byte(`{}`)}, p)
	}
	r := send("http://" + ln.Addr().String() + "/moved")
	if r.success || r.attempt.StatusCode != http.StatusFound ||
		!strings.Contains(r.attempt.Error, "redirects are not followed; point the webhook at http://"+ln.Addr().String()+"/elsewhere)") {
		t.Errorf("302: %+v", r.attempt)
	}
	r = send("http://" + refused + "/hook")
	if r.attempt.ErrorClass != api.ErrorConnection || !r.out.retry ||
		!strings.HasPrefix(r.attempt.Error, "could not reach the receiver: dial tcp "+refused) || strings.Contains(r.attempt.Error, "Post") {
		t.Errorf("refused: %+v", r.attempt)
	}
}

// A redirect's Location is suggested as an absolute URL, resolved against
// the webhook's URL (a relative one alone is no URL to point a webhook at),
// and left out when there is none to suggest. The auth secret the request
// carries in its query does not reach the suggestion.
func TestSendSuggestsWhereARedirectPoints(t *testing.T) {
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if loc := r.URL.Query().Get("loc"); loc != "" {
			w.Header().Set("Location", loc)
		}
		w.WriteHeader(http.StatusPermanentRedirect)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	s := &Sender{Guard: netguard.Policy{AllowPrivate: true}, Now: time.Now}
	hook := "http://" + ln.Addr().String() + "/v1/hook"
	for _, c := range []struct{ loc, want string }{
		{"/v2/hook", "; point the webhook at http://" + ln.Addr().String() + "/v2/hook)"},
		{"v2", "; point the webhook at http://" + ln.Addr().String() + "/v1/v2)"},
		{"https://example.com/hook?a=1", "; point the webhook at https://example.com/hook?a=1)"},
		{"#top", "; point the webhook at " + hook + "?loc=%23top#top)"},
		{"http://[::1", "redirects are not followed)"}, // does not parse
		{"", "redirects are not followed)"},
	} {
		o := &outgoing{webhook: &api.WebhookSpec{URL: hook + "?loc=" + url.QueryEscape(c.loc), Auth: &api.WebhookAuth{Secret: &api.SecretRef{Name: "s", Key: "k"},
			Location: &api.WebhookLocation{In: "query", Name: "token"}}}, authKey: "s3cr3t", eventID: "ev", envelope: []byte(`{}`)}
		o.redactor = newRedactor(o.webhook, o.authKey)
		r := s.send(context.Background(), o, DefaultPolicy())
		if r.success || r.attempt.StatusCode != http.StatusPermanentRedirect || !r.out.retry ||
			!strings.HasSuffix(r.attempt.Error, c.want) || strings.Contains(r.attempt.Error, "s3cr3t") {
			t.Errorf("Location %q: %q, want it to end with %q", c.loc, r.attempt.Error, c.want)
		}
	}
}

// Transports are kept by connect timeout, rounded up to connectStep: many
// distinct timeouts keep at most maxTransports of them, and a timeout is
// dialled with the rounded value its transport is kept by.
func TestSenderKeepsFewTransports(t *testing.T) {
	s := &Sender{Guard: netguard.Policy{AllowPrivate: true}, Now: time.Now}
	if a, b := s.transport(time.Millisecond), s.transport(connectStep); a != b || a.TLSHandshakeTimeout != connectStep+5*time.Second {
		t.Errorf("1ms and %s: %p, %p, TLS handshake timeout %s", connectStep, a, b, a.TLSHandshakeTimeout)
	}
	if a, b := s.transport(connectStep), s.transport(connectStep+time.Millisecond); a == b || b.TLSHandshakeTimeout != 2*connectStep+5*time.Second {
		t.Errorf("%s and %s: %p, %p, TLS handshake timeout %s", connectStep, connectStep+time.Millisecond, a, b, b.TLSHandshakeTimeout)
	}
	for d := time.Millisecond; d <= MaxTimeout; d += 7 * time.Millisecond {
		s.transport(d)
	}
	if len(s.transports) > maxTransports {
		t.Errorf("%d transports, want at most %d", len(s.transports), maxTransports)
	}
	for d := range s.transports {
		if d%connectStep != 0 || d <= 0 {
			t.Errorf("a transport kept by %s, not a positive multiple of %s", d, connectStep)
		}
	}
}

// What a webhook's spec adds to a request is checked again when the
// webhook is read for sending (a spec saved before the API checked it,
// checkHeaders): a bad header is an attempt that failed for good, not a
// connection error retried for a day. The auth secret in the query is
// appended to the URL's own query as written. The receiver's headers are
// kept up to HeaderStoreLimit.
func TestSendChecksWhatTheSpecAdds(t *testing.T) {
	var gotQuery string
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery = r.URL.RawQuery
		for i := range 40 {
			w.Header().Set(fmt.Sprintf("X-Big-%02d", i), strings.Repeat("v", 1000))
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/hook"
	s := &Sender{Guard: netguard.Policy{AllowPrivate: true}, Now: time.Now}
	send := func(o *outgoing) result { // as prepare makes it from a webhook read
		o.eventID, o.envelope = "ev", []byte(`{}`)
		o.buildErr = checkHeaders(o.webhook, o.authKey)
		o.redactor = newRedactor(o.webhook, o.authKey)
		return s.send(context.Background(), o, DefaultPolicy())
	}
	for name, o := range map[string]*outgoing{
		"line break in a header": {webhook: &api.WebhookSpec{URL: url, Headers: map[string]string{"X-A": "a\r\nInjected: 1"}}},
		"bad header name":        {webhook: &api.WebhookSpec{URL: url, Headers: map[string]string{"X A": "a"}}},
		"forged signature":       {webhook: &api.WebhookSpec{URL: url, Headers: map[string]string{"webhook-signature": "v1,forged"}}},
		"auth over webhook-id": {webhook: &api.WebhookSpec{URL: url, Auth: &api.WebhookAuth{Secret: &api.SecretRef{Name: "s", Key: "k"},
			Location: &api.WebhookLocation{In: "header", Name: "webhook-id"}}}, authKey: "s3cr3t"},
	} {
		r := send(o)
		if r.success || r.out.retry || r.attempt.ErrorClass != api.ErrorConfig || !strings.HasPrefix(r.attempt.Error, "could not build the request") || strings.Contains(r.attempt.Error, "s3cr3t") {
			t.Errorf("%s: %+v retry=%v", name, r.attempt, r.out.retry)
		}
	}
	r := send(&outgoing{webhook: &api.WebhookSpec{URL: url + "?b=2&a=1;x&sig=a%2Fb", Auth: &api.WebhookAuth{Secret: &api.SecretRef{Name: "s", Key: "k"},
		Location: &api.WebhookLocation{In: "query", Name: "token"}}}, authKey: "s3 cr/t"})
	if !r.success || gotQuery != "b=2&a=1;x&sig=a%2Fb&token=s3+cr%2Ft" {
		t.Errorf("auth in the query: %q, %+v", gotQuery, r.attempt)
	}
	size := 0
	for k, v := range r.attempt.ResponseHeaders {
		size += len(k) + len(v)
	}
	if size > HeaderStoreLimit || len(r.attempt.ResponseHeaders) == 0 || r.attempt.ResponseHeaders["X-Big-00"] == "" {
		t.Errorf("kept %d bytes of headers in %d, want at most %d, from X-Big-00 on", size, len(r.attempt.ResponseHeaders), HeaderStoreLimit)
	}
}

// A receiver may echo the request, whose query carries the auth secret: a
// redirect's Location, a header re-encoding it, the body, a response that
// is not HTTP at all. None of it keeps the secret in the attempt record,
// nor in the redirect's suggestion made from the Location, which leaves
// the auth parameter out (the webhook adds it) and keeps the others.
func TestSendRedactsTheQuerySecret(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "http://"+r.Host+"/other?"+r.URL.RawQuery)
		w.Header().Set("Link", "<http://"+r.Host+"/a?token=s3cr3t%2fx%20y&b=1>; rel=next") // as another encoder would
		w.Header().Set("X-Echo", r.URL.Query().Get("token"))
		w.WriteHeader(http.StatusTemporaryRedirect)
		fmt.Fprintf(w, "moved from %s", r.URL)
	}))
	defer srv.Close()
	echo, err := net.Listen("tcp", "127.0.0.1:0") // sends the request line back, no HTTP answer
	if err != nil {
		t.Fatal(err)
	}
	defer echo.Close()
	go func() {
		for {
			c, err := echo.Accept()
			if err != nil {
				return
			}
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Write([]byte(line))
			c.Close()
		}
	}()
	send := func(url string) result { return sendWithAuth(url, "query", "s3cr3t/x y") }
	host := strings.TrimPrefix(srv.URL, "http://")
	r := send(srv.URL + "/hook?a=1")
	if r.attempt.StatusCode != http.StatusTemporaryRedirect || r.attempt.ResponseHeaders["Location"] != "http://"+host+"/other?a=1&token=REDACTED" ||
		r.attempt.ResponseHeaders["Link"] != "<http://"+host+"/a?token=REDACTED&b=1>; rel=next" || r.attempt.ResponseHeaders["X-Echo"] != "REDACTED" ||
		!strings.HasSuffix(r.attempt.Error, "; point the webhook at http://"+host+"/other?a=1)") {
		t.Errorf("redirect: %+v", r.attempt)
	}
	if b, _ := json.Marshal(r.attempt); strings.Contains(string(b), "s3cr3t") {
		t.Errorf("redirect: the secret is kept: %s", b)
	}
	r = send("http://" + echo.Addr().String() + "/hook")
	if r.attempt.ErrorClass != api.ErrorConnection || !strings.Contains(r.attempt.Error, "token=REDACTED") || strings.Contains(r.attempt.Error, "s3cr3t") {
		t.Errorf("echo: %+v", r.attempt)
	}
}

// sendWithAuth sends to url with the auth secret key in the query
// parameter or the header named "token", as prepare makes the outgoing.
func sendWithAuth(url, in, key string) result {
	o := &outgoing{webhook: &api.WebhookSpec{URL: url, Auth: &api.WebhookAuth{Secret: &api.SecretRef{Name: "s", Key: "k"},
		Location: &api.WebhookLocation{In: in, Name: "token"}}}, authKey: key, eventID: "ev", envelope: []byte(`{}`)}
	o.redactor = newRedactor(o.webhook, o.authKey)
	s := &Sender{Guard: netguard.Policy{AllowPrivate: true}, Now: time.Now}
	return s.send(context.Background(), o, DefaultPolicy())
}

// A secret shorter than minRedactLen is hidden as its query parameter's
// value alone: elsewhere, replacing it would mangle the record and show
// the secret by where the replacements fall.
func TestSendRedactsAShortSecretInItsParameterOnly(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", "/other?"+r.URL.RawQuery)
		w.WriteHeader(http.StatusTemporaryRedirect)
		fmt.Fprintf(w, `{"url":%q,"kind":"a"}`, r.URL.String())
	}))
	defer srv.Close()
	r := sendWithAuth(srv.URL+"/hook?b=1", "query", "a")
	if h := r.attempt.ResponseHeaders; h["Content-Type"] != "application/json" || h["Location"] != "/other?b=1&token=REDACTED" ||
		r.attempt.ResponseBody != `{"url":"/hook?b=1&token=REDACTED","kind":"a"}` ||
		!strings.HasSuffix(r.attempt.Error, "; point the webhook at "+srv.URL+"/other?b=1)") {
		t.Errorf("%+v", r.attempt)
	}
}

// Retry-After is read as the receiver sent it, though the copy kept is
// redacted (a secret may be a number).
func TestSendReadsRetryAfterBeforeRedacting(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", r.Header.Get("token"))
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	r := sendWithAuth(srv.URL, "header", "12345678")
	if r.retryAfter != 12345678*time.Second || r.attempt.ResponseHeaders["Retry-After"] != "REDACTED" {
		t.Errorf("Retry-After %s, kept %+v", r.retryAfter, r.attempt.ResponseHeaders)
	}
}

// An escaped secret is hidden whatever the case of its escapes: Go writes
// %2F, another encoder %2f.
func TestSendRedactsEscapesInEitherCase(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", "Secret%2fValue%201")
		fmt.Fprint(w, "Secret%2fValue+1 Secret%2FValue%201 Secret/Value 1")
	}))
	defer srv.Close()
	r := sendWithAuth(srv.URL, "header", "Secret/Value 1")
	if r.attempt.ResponseHeaders["X-Echo"] != "REDACTED" || r.attempt.ResponseBody != "REDACTED REDACTED REDACTED" {
		t.Errorf("%+v", r.attempt)
	}
}

// The redaction pattern is compiled once per read of the webhook, not for
// each response: redacting costs a few allocations, not a compile's.
func TestRedactDoesNotCompile(t *testing.T) {
	o := &outgoing{webhook: &api.WebhookSpec{Auth: &api.WebhookAuth{Secret: &api.SecretRef{Name: "s", Key: "k"},
		Location: &api.WebhookLocation{In: "query", Name: "token"}}}, authKey: "s3cr3t/x y"}
	o.redactor = newRedactor(o.webhook, o.authKey)
	loc := "http://example.com/other?a=1&token=s3cr3t%2Fx+y"
	if n := testing.AllocsPerRun(100, func() { o.redact(loc) }); n > 20 {
		t.Errorf("%v allocations a redaction", n)
	}
}

// A timeout names the connect timeout in force, rounded up to connectStep,
// not the one asked for.
func TestSendTimeoutNamesTheConnectTimeoutInForce(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	s := &Sender{Guard: netguard.Policy{AllowPrivate: true}, Now: time.Now}
	p := DefaultPolicy()
	p.ConnectTimeout, p.RequestTimeout = 250*time.Millisecond, 50*time.Millisecond
	r := s.send(context.Background(), &outgoing{webhook: &api.WebhookSpec{URL: srv.URL}, eventID: "ev", envelope: []byte(`{}`)}, p)
	if r.attempt.ErrorClass != api.ErrorTimeout || !r.out.retry || r.attempt.Error != "no answer within 50ms (connect timeout 300ms)" {
		t.Errorf("%+v", r.attempt)
	}
}

// The redactor's hints only skip answers the pattern would leave alone:
// for every secret and echo of it, redact gives what the pattern alone
// gives, and hides the secret.
func TestRedactHintsSkipOnlyWhatCannotMatch(t *testing.T) {
	lowerEscapes := regexp.MustCompile(`%[0-9A-F]{2}`)
	for _, secret := range []string{"s3cr3t-abcdef", "/leading-slash", "%41already-escaped", "a b c d e f", "short", "ÄÖÜ-unicode-key"} {
		for _, in := range []string{"", "query"} {
			auth := &api.WebhookAuth{Secret: &api.SecretRef{Name: "s", Key: "k"}}
			if in != "" {
				auth.Location = &api.WebhookLocation{In: in, Name: "to ken"}
			}
			o := &outgoing{redactor: newRedactor(&api.WebhookSpec{Auth: auth}, secret)}
			if o.redactor == nil {
				if len(secret) >= minRedactLen || in != "" {
					t.Errorf("%q in %q: no redactor", secret, in)
				}
				continue
			}
			q, p := url.QueryEscape(secret), url.PathEscape(secret)
			lower := lowerEscapes.ReplaceAllStringFunc(q, strings.ToLower)
			for _, s := range []string{"nothing to see", secret, q, p, lower, "a?to+ken=" + q + "&b=1", "x;to+ken=anything", "pre " + secret + " post"} {
				want := o.redactor.re.ReplaceAllString(s, redacted)
				if got := o.redact(s); got != want {
					t.Errorf("%q in %q: redact(%q) = %q, the pattern gives %q", secret, in, s, got, want)
				}
				if got := string(o.redactBody([]byte(s))); got != want {
					t.Errorf("%q in %q: redactBody(%q) = %q, the pattern gives %q", secret, in, s, got, want)
				}
				if len(secret) >= minRedactLen && strings.Contains(o.redact(s), secret) {
					t.Errorf("%q in %q: redact(%q) kept the secret", secret, in, s)
				}
			}
		}
	}
}
