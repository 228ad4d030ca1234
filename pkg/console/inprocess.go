package console

import (
	"net/http"
	"net/http/httptest"

	"github.com/centralhq/central/pkg/client"
)

// apiBase is the base URL of in-process API calls. No connection is ever
// made to it; it only gives the requests a well-formed URL.
const apiBase = "http://central.in-process"

// inProcess is a RoundTripper that serves each request with the API's
// handler in the calling goroutine: the console uses the public API without
// a network hop, and without knowing the address the server listens on.
type inProcess struct{ h http.Handler }

// RoundTrip serves req as an incoming request and returns what the handler
// wrote.
func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	if in.Body == nil {
		in.Body = http.NoBody
	}
	// An incoming request carries RequestURI and Host as a server would set
	// them; handlers may read either.
	in.RequestURI = req.URL.RequestURI()
	in.Host = req.URL.Host
	in.RemoteAddr = "127.0.0.1:0"
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, in)
	if req.Body != nil {
		req.Body.Close()
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// newAPIClient returns a client of the API at h with the user's token.
func newAPIClient(h http.Handler, token string) *client.Client {
	return client.New(apiBase, client.Options{
		HTTPClient: &http.Client{Transport: inProcess{h}},
		Token:      token,
		UserAgent:  "central-console",
	})
}
