package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/centralhq/central/pkg/inprocess"
	"github.com/centralhq/central/pkg/server"
	"github.com/centralhq/central/pkg/store"
)

// instance is one in-process `central serve`. It is built in two steps so a
// scenario can prepare it before the dispatcher starts: between start and
// serve, API calls go straight to the handler and the store can be filled
// directly; after serve, they go over HTTP on 127.0.0.1.
type instance struct {
	srv     *server.Server
	handler http.Handler
	client  *http.Client
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan error
	serving bool
	cleanup []func()
	// dsn and dir are what restart reopens.
	dsn, dir string
}

// adminToken is fixed so that replicas on one database accept the same
// requests; the servers listen on 127.0.0.1 only and live for one scenario.
const adminToken = "central-bench-token"

// start opens a server on 127.0.0.1:0 on a fresh store of the configured
// kind, without serving yet.
func (r *runner) start(ctx context.Context) (*instance, error) {
	var cleanup []func()
	dsn := ""
	if isPostgres(r.cfg.Store) {
		var drop func()
		var err error
		if dsn, drop, err = freshSchema(ctx, r.cfg.Store); err != nil {
			return nil, err
		}
		cleanup = append(cleanup, drop)
	}
	in, err := r.startOn(ctx, dsn)
	if err != nil {
		for _, f := range cleanup {
			f()
		}
		return nil, err
	}
	in.cleanup = append(in.cleanup, cleanup...)
	return in, nil
}

// startOn opens a server on the store dsn (empty: SQLite in a scratch
// directory of its own).
func (r *runner) startOn(ctx context.Context, dsn string) (*instance, error) {
	r.seq++
	dir := filepath.Join(r.tmp, fmt.Sprintf("server-%02d", r.seq))
	var cleanup []func()
	if strings.HasPrefix(r.cfg.Store, "sqlite://") {
		dir = filepath.Join(strings.TrimPrefix(r.cfg.Store, "sqlite://"), fmt.Sprintf("central-bench-%d-%02d", os.Getpid(), r.seq))
		cleanup = append(cleanup, func() { os.RemoveAll(dir) })
	}
	in, err := r.open(ctx, dsn, dir)
	if err != nil {
		return nil, err
	}
	in.cleanup = cleanup
	return in, nil
}

// restart stops in and opens a new server on the same store, keeping what
// must be cleaned up after it.
func (r *runner) restart(ctx context.Context, in *instance) (*instance, error) {
	cleanup := in.cleanup
	in.cleanup = nil
	in.stop()
	next, err := r.open(ctx, in.dsn, in.dir)
	if err != nil {
		for _, f := range cleanup {
			f()
		}
		return nil, err
	}
	next.cleanup = cleanup
	return next, nil
}

func (r *runner) open(ctx context.Context, dsn, dir string) (*instance, error) {
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	srv, err := server.New(sctx, server.Config{
		Addr: "127.0.0.1:0", DataDir: dir, Store: dsn, AdminToken: adminToken,
		ShutdownTimeout: 3 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Workers: r.cfg.Workers,
	})
	if err != nil {
		cancel()
		return nil, err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}
	return &instance{srv: srv, handler: srv.API.Handler(), client: &http.Client{Transport: tr, Timeout: 30 * time.Second},
		ctx: sctx, cancel: cancel, done: make(chan error, 1), dsn: dsn, dir: dir}, nil
}

// serve starts the HTTP listener and the dispatcher.
func (in *instance) serve() {
	in.serving = true
	go func() { in.done <- in.srv.Serve(in.ctx) }()
}

// stop stops the server gracefully (requests in flight get the shutdown
// timeout) and waits for it.
func (in *instance) stop() {
	if !in.serving {
		in.serve() // Serve is what closes the listener and the store
	}
	in.cancel()
	<-in.done
	in.client.CloseIdleConnections()
	for _, f := range in.cleanup {
		f()
	}
}

func (in *instance) store() store.Store { return in.srv.API.Store }
func (in *instance) org() string        { return in.srv.API.Org }
func (in *instance) url() string        { return in.srv.URL() }

// call sends one API request and returns the status and body. Before serve
// it goes to the handler in-process; setup calls are not measured.
func (in *instance) call(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, in.url()+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	c := in.client
	if !in.serving {
		c = &http.Client{Transport: inprocess.Transport{Handler: in.handler}}
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// must sends a setup request and fails unless the answer is want.
func (in *instance) must(ctx context.Context, want int, method, path string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	code, out, err := in.call(ctx, method, path, b)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if code != want {
		return nil, fmt.Errorf("%s %s: %d, want %d: %s", method, path, code, want, out)
	}
	return out, nil
}
