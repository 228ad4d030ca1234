// Package apiserver serves the Amplify-style resource API under /apis, the
// event log under /events (and each WatchTopic's part of it under
// /events/management/{version}/watchtopics/{name}) and the resource
// definitions under /apis/definitions. Handlers return (value, error); one
// wrapper encodes JSON and maps typed errors to status codes and the Amplify
// error body.
package apiserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// DefaultMaxBody caps request bodies (413 past it).
const DefaultMaxBody = 4 << 20

// EventSink sees every event inside the transaction that appends it, so that
// work it queues (webhook deliveries) commits or rolls back with the change.
// It must not block on the network.
type EventSink interface {
	EventAppended(ctx context.Context, tx store.Tx, ev *api.Event, r *api.ResourceInstance) error
	// EventTargeted is EventAppended for events that go to named webhooks
	// rather than to those the ResourceHooks match (SubscriptionUpdatedEvent).
	EventTargeted(ctx context.Context, tx store.Tx, ev *api.Event, r *api.ResourceInstance, targets []api.WebhookRef) error
	// Settled is called once the transaction that appended events has ended,
	// committed or not: the place to wake workers or undo in-memory state.
	Settled(ctx context.Context, events []*api.Event, committed bool)
}

// Observer is told about requests and committed events.
type Observer interface {
	Request(route, method string, code int, d time.Duration)
	Events(evs []*api.Event)
}

// Server is the API server. Set the fields, then serve Handler().
type Server struct {
	Store store.Store
	// Org is the organization id this server serves.
	Org string
	// Token is the bearer token every API request must carry.
	Token string
	// TokenHint is appended to the 401 message: where a user finds the token.
	// RemoteTokenHint, when set, replaces it for requests that do not come
	// from a loopback address (a path on the server is of no use there).
	TokenHint, RemoteTokenHint string
	// UserID is recorded as the creating and modifying user.
	UserID string
	// Sink, when set, sees every event in its transaction.
	Sink EventSink
	// Deliveries, when set, serves webhook tests and wakes on retries.
	Deliveries Deliverer
	// ValidateWebhook, when set, checks a Webhook's spec beyond its shape
	// (the dispatcher's delivery overrides).
	ValidateWebhook func(*api.WebhookSpec) error
	// CheckURL, when set, refuses a webhook URL the server will never
	// deliver to (an IP literal its destination guard refuses).
	CheckURL func(rawURL string) error
	// Observer, when set, counts requests and committed events (metrics).
	Observer Observer
	// Extra, when set, serves paths the API does not know, behind the same
	// token (the server mounts /metrics there).
	Extra http.Handler
	// MaxEventScan caps the events of the log one request for a WatchTopic's
	// events reads; 0 means DefaultMaxEventScan.
	MaxEventScan int
	// MaxBody caps request bodies; 0 means DefaultMaxBody.
	MaxBody int64
	Logger  *slog.Logger
	// Now and NewID are injected so tests control time and ids.
	Now   func() time.Time
	NewID func() string

	// notReady is set while /readyz answers 503.
	notReady atomic.Bool
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) newID() string {
	if s.NewID != nil {
		return s.NewID()
	}
	return RandomID()
}

// RandomID returns 32 random hex digits, the shape of Amplify resource ids.
func RandomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) maxEventScan() int {
	if s.MaxEventScan > 0 {
		return s.MaxEventScan
	}
	return DefaultMaxEventScan
}

func (s *Server) maxBody() int64 {
	if s.MaxBody > 0 {
		return s.MaxBody
	}
	return DefaultMaxBody
}

// Handler returns the API's routes behind correlation ids and, except for
// /healthz and /readyz, the bearer token.
func (s *Server) Handler() http.Handler {
	api := http.NewServeMux()
	const (
		list   = "/apis/{group}/{version}/{plural}"
		one    = list + "/{name}"
		scoped = "/apis/{group}/{version}/{scopePlural}/{scopeName}/{plural}"
		sone   = scoped + "/{name}"
		// five segments are either a scoped list or an unscoped subresource;
		// resolve tells them apart by whether the third names a kind.
		// GET patterns also match HEAD, which the list handlers answer with
		// the count alone.
		five = "/apis/{group}/{version}/{a}/{b}/{c}"
	)
	api.Handle("GET "+list, s.wrap(s.handleList))
	api.Handle("POST "+list, s.wrap(s.handleCreate))
	api.Handle("GET "+one, s.wrap(s.handleGet))
	api.Handle("PUT "+one, s.wrap(s.handleUpdate))
	api.Handle("PATCH "+one, s.wrap(s.handlePatch))
	api.Handle("DELETE "+one, s.wrap(s.handleDelete))
	api.Handle("GET "+five, s.wrap(s.handleFive))
	api.Handle("POST "+scoped, s.wrap(s.handleCreate))
	api.Handle("PUT "+five, s.wrap(s.handleSubResourcePut))
	api.Handle("GET "+sone, s.wrap(s.handleGet))
	api.Handle("PUT "+sone, s.wrap(s.handleUpdate))
	api.Handle("PATCH "+sone, s.wrap(s.handlePatch))
	api.Handle("DELETE "+sone, s.wrap(s.handleDelete))
	api.Handle("GET "+sone+"/{sub}", s.wrap(s.handleSubResourceGet))
	api.Handle("PUT "+sone+"/{sub}", s.wrap(s.handleSubResourcePut))
	api.Handle("POST "+sone+"/{action}", s.wrap(s.handleAction))
	// PATCH changes a resource at its own path: elsewhere it is a 405 that
	// says what to send instead.
	api.Handle("PATCH "+list, s.wrap(s.handlePatchElsewhere))
	api.Handle("PATCH "+five, s.wrap(s.handlePatchElsewhere))
	api.Handle("PATCH "+sone+"/{sub}", s.wrap(s.handlePatchElsewhere))
	s.deliveryRoutes(api)
	s.definitionRoutes(api)
	api.Handle("GET /events", s.wrap(s.handleEvents))
	api.Handle("GET /events/{group}/{version}/{plural}/{name}", s.wrap(s.handleWatchTopicEvents))
	if s.Extra != nil {
		api.Handle("GET /metrics", s.Extra)
	}
	api.Handle("/", s.wrap(func(w http.ResponseWriter, r *http.Request) (any, error) {
		return nil, errorf(http.StatusNotFound, "No endpoint %s %s: resources live under /apis/{group}/{version}/{plural}.", r.Method, r.URL.Path)
	}))

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	root.HandleFunc("GET /readyz", s.handleReady)
	root.Handle("/", s.withAuth(api))
	return s.withCorrelation(root)
}

// readyTimeout bounds how long /readyz waits for the store.
const readyTimeout = 2 * time.Second

// handleReady answers 200 when the store answers a read, else 503, for
// load balancers and orchestrators. /healthz only says the process answers.
// The reason is logged, not sent: the endpoint needs no token.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	err := s.Store.View(ctx, func(tx store.Tx) error {
		_, err := tx.SettingGet(ctx, "org-id")
		if errors.Is(err, store.ErrNotFound) {
			return nil // it answered
		}
		return err
	})
	// Probes come every few seconds: the log says when readiness changes.
	if err != nil {
		if !s.notReady.Swap(true) {
			s.log().Warn("not ready: the store did not answer", "err", err, "correlationId", correlationID(r.Context()))
		}
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "the store did not answer; the server's log says why"})
		return
	}
	if s.notReady.Swap(false) {
		s.log().Info("ready again: the store answers")
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
