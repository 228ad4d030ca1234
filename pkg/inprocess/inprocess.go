// Package inprocess serves HTTP requests with a handler in the calling
// goroutine: a client of the API in the same process (the console, the
// benchmark's setup) makes no network hop and needs no address.
package inprocess

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// Transport is an http.RoundTripper that serves each request with Handler
// and returns what it wrote.
type Transport struct{ Handler http.Handler }

// RoundTrip serves req as an incoming request.
func (t Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	if in.Body == nil {
		in.Body = http.NoBody
	}
	// An incoming request carries RequestURI and Host as a server would set
	// them; handlers may read either.
	in.RequestURI = req.URL.RequestURI()
	in.Host = req.URL.Host
	in.RemoteAddr = "127.0.0.1:0"
	w := &response{header: http.Header{}}
	t.Handler.ServeHTTP(w, in)
	if req.Body != nil {
		req.Body.Close()
	}
	if w.code == 0 {
		w.code = http.StatusOK
	}
	h := w.sent
	if h == nil {
		h = w.header.Clone()
	}
	return &http.Response{
		Status:        strconv.Itoa(w.code) + " " + http.StatusText(w.code),
		StatusCode:    w.code,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(w.body.Bytes())),
		ContentLength: int64(w.body.Len()),
		Request:       req,
	}, nil
}

// response is what a handler writes: the header as it was when the status
// was written, as a server would have sent it, and the whole body.
type response struct {
	header http.Header
	sent   http.Header
	code   int
	body   bytes.Buffer
}

func (w *response) Header() http.Header { return w.header }

func (w *response) WriteHeader(code int) {
	if w.code != 0 {
		return
	}
	w.code, w.sent = code, w.header.Clone()
}

func (w *response) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	// A server names the type of a body that has none, from its first bytes.
	if w.body.Len() == 0 && len(b) > 0 && w.sent.Get("Content-Type") == "" && w.sent.Get("Transfer-Encoding") == "" {
		w.sent.Set("Content-Type", http.DetectContentType(b))
	}
	return w.body.Write(b)
}

// Flush does nothing: the body is returned whole when the handler ends.
func (w *response) Flush() {}
