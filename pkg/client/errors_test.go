package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
)

var envPath = Path{Group: "management", Version: "v1alpha1", Plural: "environments", Name: "x"}

func TestAPIErrorFromJSONBody(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, api.ErrorResponse{Errors: []api.Error{{
			Status: 404, Title: api.TitleNotFound, Detail: "Resource x of kind Environment not found.",
			Meta: api.ErrorMeta{TransactionID: "tx1"},
		}}})
	}, Options{})
	_, err := c.Get(context.Background(), envPath)
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %T %v, want *APIError", err, err)
	}
	if ae.StatusCode != 404 || ae.Method != http.MethodGet || !strings.HasSuffix(ae.URL, envPath.String()) {
		t.Errorf("APIError = %+v", ae)
	}
	if got, want := ae.Error(), "Not found error: Resource x of kind Environment not found."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := ae.Detail(); got != "Resource x of kind Environment not found." {
		t.Errorf("Detail() = %q", got)
	}
	if ae.Errors[0].Meta.TransactionID != "tx1" {
		t.Errorf("transaction id lost: %+v", ae.Errors)
	}
	if !HasStatus(err, http.StatusNotFound) || HasStatus(err, http.StatusConflict) {
		t.Error("HasStatus disagrees with the status code")
	}
}

func TestAPIErrorTitleOnly(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusPreconditionRequired, api.ErrorResponse{Errors: []api.Error{{Status: 428, Title: api.TitlePrecondition}}})
	}, Options{})
	_, err := c.Update(context.Background(), envPath, &api.ResourceInstance{Name: "x"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 428 {
		t.Fatalf("err = %v", err)
	}
	if ae.Error() != api.TitlePrecondition || ae.Detail() != api.TitlePrecondition {
		t.Errorf("Error() = %q, Detail() = %q", ae.Error(), ae.Detail())
	}
}

func TestAPIErrorFromNonJSONBody(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_, _ = w.Write([]byte("<html><body>413 Request Entity Too Large</body></html>"))
	}, Options{})
	_, err := c.Create(context.Background(), envPath, &api.ResourceInstance{Name: "x"})
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 413 {
		t.Fatalf("err = %#v", err)
	}
	// Not the API's answer: the base URL may be wrong, or a proxy answered.
	want := "POST " + ae.URL + " answered 413 Request Entity Too Large without an API error: it is not a central server, " +
		"or a proxy answered for it; check the base URL (--base-url, CENTRAL_BASE_URL or config base-url)"
	if ae.Error() != "Request Entity Too Large: "+want || ae.Detail() != want {
		t.Errorf("Error() = %q, Detail() = %q", ae.Error(), ae.Detail())
	}
}

func TestAPIErrorBodyIsCapped(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		// A JSON error shape padded past the cap: only the cap is read, so it
		// no longer parses and the status stands in.
		_, _ = w.Write([]byte(`{"errors":[{"status":502,"title":"` + strings.Repeat("x", 2<<20) + `"}]}`))
	}, Options{})
	_, err := c.Get(context.Background(), envPath)
	var ae *APIError
	if !errors.As(err, &ae) || !strings.HasPrefix(ae.Error(), "Bad Gateway: GET ") {
		t.Fatalf("err = %v", err)
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/apis", http.StatusMovedPermanently)
	}, Options{})
	_, err := c.Get(context.Background(), envPath)
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusMovedPermanently {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(ae.Detail(), "https://elsewhere.example/apis") {
		t.Errorf("Detail() = %q, want the redirect target", ae.Detail())
	}
}

func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + l.Addr().String()
	l.Close()

	_, err = New(base, Options{}).Get(context.Background(), envPath)
	var ce *ConnectionError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %T %v, want *ConnectionError", err, err)
	}
	want := "couldn't connect to the central server at " + base +
		`: connection refused. Is it running? Start one with "central serve".`
	if ce.Error() != want || ce.URL != base {
		t.Errorf("Error() = %q\nwant      %q", ce.Error(), want)
	}
	if errors.Unwrap(ce) == nil {
		t.Error("Unwrap() = nil")
	}
}

// TestTimeoutIsConnectionError: a server that took the connection but did
// not answer within the client's timeout is said to be slow, not out of
// reach.
func TestTimeoutIsConnectionError(t *testing.T) {
	c, srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // answer only once the client gives up
	}, Options{Timeout: 50 * time.Millisecond})
	_, err := c.Get(context.Background(), envPath)
	var ce *ConnectionError
	if !errors.As(err, &ce) || ce.Waited != 50*time.Millisecond {
		t.Fatalf("err = %v, want a timeout *ConnectionError", err)
	}
	if want := "the central server at " + srv.URL + " sent no answer within 50ms (--timeout or CENTRAL_TIMEOUT waits longer)."; ce.Error() != want {
		t.Errorf("Error() = %q\nwant      %q", ce.Error(), want)
	}
}

// TestWithTimeout: a request's own timeout replaces the client's, here a
// long one that alone would keep the test waiting.
func TestWithTimeout(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}, Options{Timeout: time.Hour})
	_, err := c.Get(WithTimeout(context.Background(), 50*time.Millisecond), envPath)
	var ce *ConnectionError
	if !errors.As(err, &ce) || ce.Waited != 50*time.Millisecond || !strings.Contains(ce.Error(), "no answer within 50ms") {
		t.Fatalf("err = %v, want a timeout *ConnectionError after 50ms", err)
	}
}

// TestCallerDeadlineIsNotTheClientTimeout: when the caller's own deadline
// ends the wait, the client's timeout is not named.
func TestCallerDeadlineIsNotTheClientTimeout(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}, Options{Timeout: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Get(ctx, envPath)
	var ce *ConnectionError
	if !errors.As(err, &ce) || ce.Waited != 0 || !strings.Contains(ce.Error(), "no answer in time") {
		t.Fatalf("err = %v, want a *ConnectionError with no answer in time", err)
	}
}

func TestCancelledContextPassesThrough(t *testing.T) {
	c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, api.ResourceInstance{})
	}, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Get(ctx, envPath)
	var ce *ConnectionError
	if !errors.Is(err, context.Canceled) || errors.As(err, &ce) {
		t.Fatalf("err = %T %v, want context.Canceled", err, err)
	}
}
