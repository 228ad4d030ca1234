// Package server wires the parts of `central serve` together: the store, the
// API server and its HTTP listener, with a graceful stop.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/centralhq/central/pkg/apiserver"
	"github.com/centralhq/central/pkg/console"
	"github.com/centralhq/central/pkg/datadir"
	"github.com/centralhq/central/pkg/dispatch"
	"github.com/centralhq/central/pkg/store"
	"github.com/centralhq/central/pkg/store/postgres"
	"github.com/centralhq/central/pkg/store/sqlite"
)

// Config is what `central serve` is started with.
type Config struct {
	// Addr is the listen address, e.g. 127.0.0.1:8080 (port 0 picks one).
	Addr string
	// DataDir holds the SQLite file and the admin token.
	DataDir string
	// Store is a DSN: empty or sqlite://PATH for the embedded store.
	Store string
	// OrgID fixes the organization id; empty keeps the stored one or makes one.
	OrgID string
	// AdminToken, when set, is the token instead of the one in DataDir.
	AdminToken string
	// IdleTimeout closes a keep-alive connection idle that long (default 2
	// minutes), so idle clients cannot hold connections open for ever.
	IdleTimeout time.Duration
	// BodyReadTimeout is how long a client may take to send a request's
	// body (default 1 minute).
	BodyReadTimeout time.Duration
	// ShutdownTimeout bounds the graceful stop.
	ShutdownTimeout time.Duration
	Logger          *slog.Logger

	// Delivery defaults (see dispatch.Policy); zero values take the defaults.
	RetrySchedule  []time.Duration
	ConnectTimeout time.Duration
	RequestTimeout time.Duration
	// AllowDestinations lets webhooks reach these ranges (private ones).
	AllowDestinations []netip.Prefix
	// AllowPrivate says whether webhooks may reach loopback and private
	// addresses; nil allows them when the server listens on loopback only.
	AllowPrivate *bool
	// AutoDisableAfter disables a webhook failing that long (default 5 days;
	// negative turns it off).
	AutoDisableAfter time.Duration
	// Workers and PollInterval size the dispatcher.
	Workers      int
	PollInterval time.Duration
	// Now is the clock (tests); nil is time.Now.
	Now func() time.Time
}

// Server is a running `central serve`.
type Server struct {
	cfg        Config
	store      store.Store
	API        *apiserver.Server
	Dispatcher *dispatch.Dispatcher
	http       *http.Server
	ln         net.Listener
	log        *slog.Logger
}

// New listens on cfg.Addr, opens the store and settles the organization id
// and admin token. Call Serve to answer requests.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = datadir.Default()
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8080"
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 15 * time.Second
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 2 * time.Minute
	}
	if cfg.BodyReadTimeout == 0 {
		cfg.BodyReadTimeout = time.Minute
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	// Listen first: a start that cannot bind leaves no data dir, token or
	// database behind, and fixes no organization id.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, listenError(cfg.Addr, err)
	}
	s, err := open(ctx, cfg, ln, log)
	if err != nil {
		ln.Close()
		return nil, err
	}
	return s, nil
}

// open does the rest of New once ln is bound; on error the caller closes ln.
func open(ctx context.Context, cfg Config, ln net.Listener, log *slog.Logger) (*Server, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: st, log: log, ln: ln}
	if m, ok := st.(interface{ Migrated() []string }); ok && len(m.Migrated()) > 0 {
		log.Info("store migrated", "store", storeName(cfg), "applied", m.Migrated())
	}
	org, err := s.settleOrg(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	token, hint, err := s.settleToken()
	if err != nil {
		st.Close()
		return nil, err
	}
	s.API = &apiserver.Server{Store: st, Org: org, Token: token, TokenHint: hint, UserID: "admin", Logger: log, Now: cfg.Now}
	if cfg.AdminToken == "" { // the hint gives the token file's path
		s.API.RemoteTokenHint = remoteTokenHint
	}
	if err := s.wireDelivery(ctx); err != nil {
		st.Close()
		return nil, err
	}
	// The console signs users in itself (a session cookie holding no token)
	// and reaches the API in-process, so it sits beside the API's token check.
	api := s.API.Handler()
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, console.New(console.Options{API: api, Logger: log, Now: cfg.Now}))
	mux.Handle("/", api)
	s.http = &http.Server{Handler: boundBodyRead(mux, cfg.BodyReadTimeout), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: cfg.IdleTimeout,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	return s, nil
}

// boundBodyRead stops a client trickling a body from holding a connection
// and a handler for ever. It is not http.Server.ReadTimeout: when that
// deadline passes while a handler still runs, net/http cancels the request's
// context, and a webhook test runs as long as the webhook's requestTimeout.
// So the deadline covers the body alone and is lifted once it is read.
func boundBodyRead(h http.Handler, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			rc := http.NewResponseController(w)
			if rc.SetReadDeadline(time.Now().Add(timeout)) == nil {
				r.Body = &deadlineBody{ReadCloser: r.Body, lift: func() { _ = rc.SetReadDeadline(time.Time{}) }}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the read deadline at the body's end. Only there: after
// a handler stops early, the deadline still bounds net/http's discarding
// the rest of the body.
type deadlineBody struct {
	io.ReadCloser
	lift func()
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.lift()
	}
	return n, err
}

func openStore(ctx context.Context, cfg Config) (store.Store, error) {
	dsn := cfg.Store
	switch {
	case dsn == "":
		return sqlite.OpenExclusive(ctx, filepath.Join(cfg.DataDir, "central.db"))
	case strings.HasPrefix(dsn, "sqlite://"):
		return sqlite.OpenExclusive(ctx, strings.TrimPrefix(dsn, "sqlite://"))
	case isPostgres(dsn):
		return postgres.Open(ctx, dsn)
	}
	return nil, fmt.Errorf("store %q: use postgres://…, sqlite://PATH, or leave it empty for %s", hidePassword(dsn), filepath.Join(cfg.DataDir, "central.db"))
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// storeName names the store for the log: the SQLite file, or the
// PostgreSQL DSN without its password.
func storeName(cfg Config) string {
	switch {
	case cfg.Store == "":
		return "sqlite://" + filepath.Join(cfg.DataDir, "central.db")
	case isPostgres(cfg.Store):
		u, err := url.Parse(cfg.Store)
		if err != nil {
			return "postgres"
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.Redacted()
	}
	return cfg.Store
}

// passwordSetting is a password=… setting in a key=value DSN.
var passwordSetting = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// hidePassword hides a key=value DSN's password, for messages.
func hidePassword(dsn string) string { return passwordSetting.ReplaceAllString(dsn, "${1}xxxxx") }

// listenError explains why the server could not listen on addr.
func listenError(addr string, err error) error {
	var hint string
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		hint = "is another central serve running there? --addr picks another address"
	case errors.Is(err, syscall.EACCES):
		hint = "ports below 1024 need privileges: --addr picks another, like 127.0.0.1:8080"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		hint = "no network interface of this machine has that address: --addr takes one of its own, or 0.0.0.0 for all"
	default:
		hint = "--addr takes HOST:PORT, like 127.0.0.1:8080 or :8080"
	}
	return fmt.Errorf("listen on %s: %w (%s)", addr, err, hint)
}

// settleOrg keeps the organization id in the store: the first start makes
// one, later starts must agree with it, because every row carries it.
func (s *Server) settleOrg(ctx context.Context) (string, error) {
	var org string
	err := s.store.Update(ctx, func(tx store.Tx) error {
		stored, err := tx.SettingGet(ctx, "org-id")
		switch {
		case errors.Is(err, store.ErrNotFound):
			org = s.cfg.OrgID
			if org == "" {
				n, _ := rand.Int(rand.Reader, big.NewInt(9e14))
				org = fmt.Sprint(1e14 + n.Int64())
			}
			return tx.SettingPut(ctx, "org-id", org)
		case err != nil:
			return err
		case s.cfg.OrgID != "" && s.cfg.OrgID != stored:
			return fmt.Errorf("the store belongs to organization %s, not %s: start with --org-id %s, or another data dir or database", stored, s.cfg.OrgID, stored)
		}
		org = stored
		return nil
	})
	return org, err
}

// remoteTokenHint ends the 401 message for clients on other machines: they
// cannot read the token file, and the data dir's path is none of their
// business.
var remoteTokenHint = fmt.Sprintf("The server's token is in the file %s of its data directory.", datadir.TokenFile)

// settleToken uses the configured admin token or the one in the data dir,
// making and saving one (mode 0600) on first start. The hint, for the 401
// message, gives the token file's path: clients on other machines get
// remoteTokenHint instead.
func (s *Server) settleToken() (token, hint string, err error) {
	if s.cfg.AdminToken != "" {
		return s.cfg.AdminToken, "The token is the server's CENTRAL_ADMIN_TOKEN.", nil
	}
	if isPostgres(s.cfg.Store) {
		s.log.Warn("this server keeps its own admin token in its data dir: if other replicas share the store, give every one the same CENTRAL_ADMIN_TOKEN, or a client holding another's token is refused here",
			"tokenFile", filepath.Join(s.cfg.DataDir, datadir.TokenFile))
	}
	path := filepath.Join(s.cfg.DataDir, datadir.TokenFile)
	hint = fmt.Sprintf("The server's token is in %s.", path)
	if t := datadir.ReadToken(s.cfg.DataDir); t != "" {
		return t, hint, nil
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	token = hex.EncodeToString(b[:])
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", "", fmt.Errorf("write the admin token: %w", err)
	}
	return token, hint, nil
}

// URL is the server's base URL.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Token is the admin token clients must send.
func (s *Server) Token() string { return s.API.Token }

// Serve answers requests until ctx is done, then stops gracefully: it stops
// accepting, lets requests in flight finish within the shutdown timeout, and
// closes the store.
func (s *Server) Serve(ctx context.Context) error {
	if err := s.Dispatcher.Start(ctx); err != nil {
		return err
	}
	if l, ok := s.store.(interface {
		Listen(ctx context.Context, wake func(), changed func(err error)) error
	}); ok {
		// Other replicas' commits wake this dispatcher at once; the poll
		// interval stays as the fallback.
		lctx, stop := context.WithCancel(ctx)
		defer stop()
		go func() {
			if err := l.Listen(lctx, s.Dispatcher.Wake, s.listenChanged); err != nil {
				s.log.Error("listening for new deliveries stopped", "err", err)
			}
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	started := []any{"url", s.URL(), "console", s.URL() + console.Prefix, "org", s.API.Org, "store", storeName(s.cfg)}
	// Every replica says which schema it found or made, not only the one
	// that migrated it.
	if v, ok := s.store.(interface{ Schema() int }); ok {
		started = append(started, "schema", v.Schema())
	}
	s.log.Info("central serve started", append(started, "dataDir", s.cfg.DataDir)...)
	select {
	case err := <-errc:
		s.Dispatcher.Stop()
		s.store.Close()
		return err
	case <-ctx.Done():
	}
	s.log.Info("stopping", "within", s.cfg.ShutdownTimeout.String())
	// The API's requests and the webhook requests drain side by side, so
	// the stop takes at most the one shutdown timeout.
	drained := make(chan struct{})
	go func() {
		s.Dispatcher.Stop()
		close(drained)
	}()
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := s.http.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		// Cut off at the timeout the operator set: that is how this stop
		// ends, not a failure of it.
		s.log.Warn("API requests still in flight at the shutdown timeout are cut off", "timeout", s.cfg.ShutdownTimeout.String())
		err = s.http.Close()
	}
	<-drained
	if cerr := s.store.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		s.log.Info("stopped")
	}
	return err
}

// listenChanged logs a PostgreSQL LISTEN that failed (it is retried every
// few seconds), and its holding again (err nil): meanwhile other replicas'
// new deliveries wait for the poll interval.
func (s *Server) listenChanged(err error) {
	if err == nil {
		s.log.Info("listening for other replicas' deliveries again")
		return
	}
	s.log.Warn("listening for other replicas' deliveries failed; they are found by polling until it is back",
		"err", err, "pollInterval", s.Dispatcher.PollInterval.String())
}
