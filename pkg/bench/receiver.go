package bench

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// receiver is an HTTP server on 127.0.0.1 with one sink per path.
type receiver struct {
	srv *http.Server
	url string
	mux *http.ServeMux
}

func newReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{mux: http.NewServeMux(), url: "http://" + ln.Addr().String()}
	r.srv = &http.Server{Handler: r.mux, ReadHeaderTimeout: 10 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

// add serves s at path and returns its URL.
func (r *receiver) add(path string, s *sink) string {
	r.mux.Handle("POST "+path, s)
	return r.url + path
}

func (r *receiver) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if r.srv.Shutdown(ctx) != nil {
		r.srv.Close()
	}
}

// sink answers every request with status (after delay), counts them and
// their bytes, and hands each body to onArrive when set.
type sink struct {
	status int
	delay  time.Duration
	// onArrive sees each body and when it arrived; it must not keep body.
	onArrive func(body []byte, at time.Time)

	count atomic.Int64
	bytes atomic.Int64
	// last is when the latest request arrived (unix nanoseconds).
	last atomic.Int64
}

var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (s *sink) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	buf := bodies.Get().(*bytes.Buffer)
	buf.Reset()
	n, _ := io.Copy(buf, req.Body)
	at := time.Now()
	if s.onArrive != nil {
		s.onArrive(buf.Bytes(), at)
	}
	bodies.Put(buf)
	if s.delay > 0 {
		select {
		case <-time.After(s.delay):
		case <-req.Context().Done():
		}
	}
	s.bytes.Add(n)
	s.last.Store(at.UnixNano())
	s.count.Add(1)
	status := s.status
	if status == 0 {
		status = http.StatusNoContent
	}
	w.WriteHeader(status)
}

// meanBody is the average request body in bytes.
func (s *sink) meanBody() int64 {
	if n := s.count.Load(); n > 0 {
		return s.bytes.Load() / n
	}
	return 0
}

// waitCount waits until the sink has seen n requests or the deadline
// passes, and returns how many it saw.
func (s *sink) waitCount(ctx context.Context, n int64, deadline time.Time) int64 {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		got := s.count.Load()
		if got >= n || !time.Now().Before(deadline) {
			return got
		}
		select {
		case <-ctx.Done():
			return s.count.Load()
		case <-t.C:
		}
	}
}

// payloadName finds the resource name in an event envelope without
// decoding it: the first "name" after "payload" is the resource's own
// (ResourceInstance marshals group, apiVersion, kind, then name).
func payloadName(body []byte) []byte {
	i := bytes.Index(body, []byte(`"payload":`))
	if i < 0 {
		return nil
	}
	rest := body[i:]
	j := bytes.Index(rest, []byte(`"name":"`))
	if j < 0 {
		return nil
	}
	rest = rest[j+len(`"name":"`):]
	k := bytes.IndexByte(rest, '"')
	if k < 0 {
		return nil
	}
	return rest[:k]
}

// nameIndex splits "prefix-123" into prefix and 123.
func nameIndex(name []byte) (string, int, bool) {
	i := bytes.LastIndexByte(name, '-')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(string(name[i+1:]))
	return string(name[:i]), n, err == nil
}
