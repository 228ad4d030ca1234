package listen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/signature"
)

const (
	current  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	previous = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
)

var now = time.Date(2024, 5, 1, 10, 15, 30, 0, time.UTC)

// lines is a writer that hands over each complete line on a channel, so the
// test waits for output instead of sleeping.
type lines struct {
	mu  sync.Mutex
	buf []byte
	c   chan string
}

func newLines() *lines { return &lines{c: make(chan string, 100)} }

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.c <- string(l.buf[:i])
		l.buf = l.buf[i+1:]
	}
}

func (l *lines) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-l.c:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("no output line within 10 s")
		return ""
	}
}

// listener is a running "hooks listen".
type listener struct {
	url    string
	out    *lines
	errOut *bytes.Buffer
	stop   func() error
}

func start(t *testing.T, o *ListenOptions) *listener {
	t.Helper()
	out := newLines()
	var errOut bytes.Buffer
	o.IO = &iostreams.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: &errOut}
	o.Now = func() time.Time { return now }
	o.Addr = "127.0.0.1:0"
	if o.Status == 0 {
		o.Status = http.StatusNoContent
	}
	ready := make(chan string, 1)
	o.Ready = func(addr string) { ready <- addr }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- listenRun(ctx, o) }()
	l := &listener{out: out, errOut: &errOut}
	select {
	case addr := <-ready:
		l.url = "http://" + addr
	case err := <-done:
		cancel()
		t.Fatalf("listen stopped: %v", err)
	}
	var once sync.Once
	var stopErr error
	l.stop = func() error {
		once.Do(func() { cancel(); stopErr = <-done })
		return stopErr
	}
	t.Cleanup(func() { _ = l.stop() })
	return l
}

func event(t *testing.T, typ api.EventType, sub string) []byte {
	t.Helper()
	payload, _ := json.Marshal(api.ResourceInstance{Group: "management", Kind: "APIService", Name: "petstore",
		Metadata: api.Metadata{Scope: &api.Scope{Kind: "Environment", Name: "prod"}}})
	ev := api.Event{ID: "ev1", Time: api.NewTime(now), Version: "v1", Product: "AmplifyCentral", Type: typ, Payload: payload}
	if sub != "" {
		ev.Metadata = &api.EventMetadata{Subresource: sub}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// post sends body with headers h and returns the status code.
func post(t *testing.T, url string, body []byte, h http.Header) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func signed(t *testing.T, secret, id string, body []byte) http.Header {
	t.Helper()
	s, err := signature.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	h := s.Headers(id, now, body)
	h.Set("Content-Type", "application/json")
	h.Set("X-Team", "payments")
	return h
}

// forwarded is what the application behind --forward-to received.
type forwarded struct {
	path   string
	header http.Header
	body   []byte
}

func TestListenChecksSignaturesAndForwards(t *testing.T) {
	got := make(chan forwarded, 10)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- forwarded{r.URL.Path, r.Header, b}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer app.Close()
	l := start(t, &ListenOptions{Secrets: []string{current, previous}, ForwardTo: app.URL + "/webhooks"})

	wantReady := "Ready! Listening on " + l.url + " (Ctrl-C to stop)\nChecking signatures with 2 secrets.\nForwarding events to " + app.URL + "/webhooks\n"
	if l.errOut.String() != wantReady {
		t.Errorf("stderr = %q, want %q", l.errOut.String(), wantReady)
	}

	// A genuine event: printed, checked, forwarded byte for byte.
	body := event(t, api.ResourceCreated, "")
	h := signed(t, current, "msg_1", body)
	if code := post(t, l.url+"/any/path", body, h); code != http.StatusNoContent {
		t.Errorf("status = %d, want 204", code)
	}
	if line, want := l.out.next(t), "10:15:30  ResourceCreated  APIService/petstore in Environment/prod  webhook-id: msg_1  signature: valid"; line != want {
		t.Errorf("line = %q\nwant   %q", line, want)
	}
	if line := l.out.next(t); line != "  -> forwarded: 202 Accepted" {
		t.Errorf("forward line = %q", line)
	}
	f := <-got
	if f.path != "/webhooks" || !bytes.Equal(f.body, body) {
		t.Errorf("forwarded %s %s", f.path, f.body)
	}
	for _, k := range []string{signature.HeaderID, signature.HeaderTimestamp, signature.HeaderSignature, "Content-Type", "X-Team"} {
		if f.header.Get(k) != h.Get(k) {
			t.Errorf("forwarded %s = %q, want %q", k, f.header.Get(k), h.Get(k))
		}
	}

	// Tampered: the signature no longer matches.
	tampered := bytes.Replace(body, []byte("petstore"), []byte("petshop!"), 1)
	post(t, l.url, tampered, h)
	if line := l.out.next(t); !strings.HasSuffix(line, "APIService/petshop! in Environment/prod  webhook-id: msg_1  signature: INVALID (no signature matches the secret)") {
		t.Errorf("tampered line = %q", line)
	}
	l.out.next(t) // forwarded anyway: the app decides
	<-got

	// Signed with the previous secret during a rotation: still valid.
	sub := event(t, api.SubResourceUpdated, "x-agent-details")
	post(t, l.url, sub, signed(t, previous, "msg_2", sub))
	if line := l.out.next(t); line != "10:15:30  SubResourceUpdated[x-agent-details]  APIService/petstore in Environment/prod  webhook-id: msg_2  signature: valid" {
		t.Errorf("rotated line = %q", line)
	}
	l.out.next(t)
	<-got

	// Unsigned, and not even JSON.
	post(t, l.url, []byte("hello\x1b[2J"), http.Header{"Content-Type": {"text/plain"}})
	if line := l.out.next(t); line != `10:15:30  (not JSON: "hello\x1b[2J")  webhook-id: -  signature: unsigned` {
		t.Errorf("plain line = %q", line)
	}
	l.out.next(t)
	<-got

	if err := l.stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
}

func TestListenWithoutSecrets(t *testing.T) {
	l := start(t, &ListenOptions{Status: http.StatusInternalServerError})
	body := event(t, api.ResourceDeleted, "")
	if code := post(t, l.url, body, signed(t, current, "msg_3", body)); code != http.StatusInternalServerError {
		t.Errorf("status = %d, want the --status 500", code)
	}
	if line := l.out.next(t); !strings.HasSuffix(line, "webhook-id: msg_3  signature: not checked") {
		t.Errorf("line = %q", line)
	}
	post(t, l.url, []byte(`{"hello":"world"}`), nil)
	if line := l.out.next(t); line != `10:15:30  (JSON without an event type: "{\"hello\":\"world\"}")  webhook-id: -  signature: unsigned` {
		t.Errorf("line = %q", line)
	}
	resp, err := http.Get(l.url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET status = %d", resp.StatusCode)
	}
	if err := l.stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	select {
	case line := <-l.out.c:
		t.Errorf("unexpected line %q", line)
	default:
	}
}

func TestListenForwardFailureIsNotFatal(t *testing.T) {
	app := httptest.NewServer(http.NotFoundHandler())
	appURL := app.URL
	app.Close() // nothing listens there any more
	l := start(t, &ListenOptions{ForwardTo: appURL})
	body := event(t, api.ResourceCreated, "")
	if code := post(t, l.url, body, nil); code != http.StatusNoContent {
		t.Errorf("status = %d", code)
	}
	l.out.next(t)
	if line := l.out.next(t); !strings.HasPrefix(line, "  -> forward failed: ") {
		t.Errorf("line = %q", line)
	}
	if code := post(t, l.url, body, nil); code != http.StatusNoContent {
		t.Errorf("still listening? status = %d", code)
	}
}

func TestListenAddressInUse(t *testing.T) {
	l := start(t, &ListenOptions{})
	ios, _, _, _ := iostreams.Test()
	err := listenRun(context.Background(), &ListenOptions{IO: ios, Now: time.Now, Addr: strings.TrimPrefix(l.url, "http://"), Status: 204})
	if err == nil || !strings.Contains(err.Error(), "can't listen on") {
		t.Errorf("err = %v", err)
	}
}

func TestListenFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--status", "99"}, "--status must be an HTTP status code from 200 to 599"},
		{[]string{"--secret", current, "--secret", "whsec_short"}, "--secret number 2 is not a webhook signing secret"},
		{[]string{"--forward-to", "localhost:3000"}, "--forward-to must be an http(s) URL"},
	}
	for _, tt := range tests {
		ios, _, _, _ := iostreams.Test()
		cmd := NewCmdListen(&factory.Factory{IOStreams: ios, Now: time.Now}, func(*ListenOptions) error {
			t.Errorf("%v: ran", tt.args)
			return nil
		})
		cmd.SetArgs(tt.args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		var fe *clierr.FlagError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: err = %v, want a FlagError with %q", tt.args, err, tt.want)
		}
		if strings.Contains(err.Error(), "whsec_short") {
			t.Errorf("the error shows the secret: %v", err)
		}
	}
}

func TestListenDefaults(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *ListenOptions
	cmd := NewCmdListen(&factory.Factory{IOStreams: ios, Now: time.Now}, func(o *ListenOptions) error { got = o; return nil })
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Addr != "127.0.0.1:9000" || got.Status != http.StatusNoContent || len(got.Secrets) != 0 {
		t.Errorf("defaults = %+v", got)
	}
}

func TestListenBadSecretNamesTheCommands(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := NewCmdListen(&factory.Factory{IOStreams: ios, Now: time.Now}, func(*ListenOptions) error { return nil })
	cmd.SetArgs([]string{"--secret", "notasecret"})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	if err == nil || strings.Contains(err.Error(), "GenerateSecret") ||
		!strings.Contains(err.Error(), `"central create webhook --generate-secret"`) || !strings.Contains(err.Error(), "central get secret WEBHOOK-signing") {
		t.Errorf("err = %v, want one naming the commands that give a secret", err)
	}
}
