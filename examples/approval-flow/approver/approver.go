// Package approver is the receiver of the approval-flow example: it verifies
// each SubscriptionUpdatedEvent, decides on subscriptions in state REQUESTED
// by a rule on the subscriber's profile, and records the decision through
// the API (POST .../subscriptions/{name}/states) before it answers the
// webhook.
//
// Answering 2xx only once the API call has succeeded is what makes the flow
// reliable: when the API cannot be reached, the receiver answers 503 and
// central delivers the event again on its retry schedule. Deliveries are at
// least once, so the same event may arrive twice; the handler remembers the
// webhook-ids it has finished, and a decision that arrives after another one
// (two copies racing, or a person who approved by hand) is harmless, because
// the server refuses to move a subscription that is no longer REQUESTED.
//
// It uses only the standard library and central's pkg/api and pkg/signature,
// so it reads as a template for receivers outside this repository.
package approver

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/signature"
)

// The subscription states the approver reads and writes.
const (
	Requested = "REQUESTED"
	Approved  = "APPROVED"
	Rejected  = "REJECTED"
)

// remember is how long a finished webhook-id is kept: longer than central's
// whole default retry schedule (about 28 hours).
const remember = 48 * time.Hour

// Config is what the approver needs.
type Config struct {
	// Secrets are the webhook's signing secrets (whsec_...); give the old
	// and the new one while a rotation is under way.
	Secrets []string
	// APIBase is the central server, e.g. http://127.0.0.1:8080.
	APIBase string
	// Token is sent to the API as "Authorization: Bearer <token>".
	Token string
	// WebhookAuth, when set, must be the request's Authorization header:
	// the value of the Secret the Webhook's spec.auth names. The signature
	// already proves the sender; this is the seed documents' older scheme.
	WebhookAuth string
	// Rule decides on a profile; nil means JobTitleRule.
	Rule Rule
	// HTTPClient calls the API; nil means one with a 10 s timeout.
	HTTPClient *http.Client
	// Logger reports each decision; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock the signature's timestamp is checked against; nil
	// means time.Now.
	Now func() time.Time
}

// Handler is the approver's http.Handler.
type Handler struct {
	cfg Config

	mu   sync.Mutex
	done map[string]time.Time // webhook-id -> when it was finished
}

// New checks cfg and returns the handler. A receiver that approves
// subscriptions must not act on unsigned requests, so secrets are required.
func New(cfg Config) (*Handler, error) {
	if len(cfg.Secrets) == 0 {
		return nil, errors.New("the webhook's signing secret is required (whsec_...)")
	}
	for _, s := range cfg.Secrets {
		if _, err := signature.ParseSecret(s); err != nil {
			return nil, err
		}
	}
	if _, err := url.ParseRequestURI(cfg.APIBase); err != nil {
		return nil, fmt.Errorf("the API base URL %q: %w", cfg.APIBase, err)
	}
	if cfg.Rule == nil {
		cfg.Rule = JobTitleRule
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{cfg: cfg, done: map[string]time.Time{}}, nil
}

// ServeHTTP handles one delivery. Its answers tell central what to do next:
// 2xx done, 401 and 400 never retried (a forged or malformed request will
// not improve), 503 retried later.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, signature.MaxBodyBytes))
	if err != nil {
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	if err := signature.Verify(h.cfg.Secrets, r.Header, body, h.cfg.Now(), 0); err != nil {
		h.cfg.Logger.Warn("rejected a request with a bad signature", "err", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	if h.cfg.WebhookAuth != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(h.cfg.WebhookAuth)) != 1 {
		h.cfg.Logger.Warn("rejected a request without the webhook's Authorization value")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	id := r.Header.Get(signature.HeaderID)
	if h.finished(id) {
		h.cfg.Logger.Info("duplicate delivery, already handled", "webhookID", id)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var ev api.Event
	var p api.SubscriptionEventPayload
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "not an event: "+err.Error(), http.StatusBadRequest)
		return
	}
	if ev.Type != api.SubscriptionUpdatedEvent {
		h.finish(id) // a test event, say: nothing to decide
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := json.Unmarshal(ev.Payload, &p); err != nil {
		http.Error(w, "not a subscription event: "+err.Error(), http.StatusBadRequest)
		return
	}
	status := h.decide(r.Context(), &p)
	if status < 300 {
		h.finish(id)
	}
	w.WriteHeader(status)
}

// decide acts on one subscription event and returns the webhook's answer.
func (h *Handler) decide(ctx context.Context, p *api.SubscriptionEventPayload) int {
	sub := p.Subscription
	env := p.ConsumerInstance.Metadata.Scope.Name
	log := h.cfg.Logger.With("subscription", sub.Name, "environment", env)
	if sub.CurrentState != Requested {
		log.Info("nothing to decide", "state", sub.CurrentState)
		return http.StatusNoContent
	}
	if env == "" || sub.Name == "" {
		log.Warn("the event names no subscription or environment")
		return http.StatusBadRequest
	}
	d := h.cfg.Rule(Profile(sub.Properties))
	to := Rejected
	if d.Approve {
		to = Approved
	}
	err := h.move(ctx, env, sub.Name, to, d.Reason)
	var moved *movedOn
	switch {
	case err == nil:
		log.Info("decided", "state", to, "description", d.Reason)
		return http.StatusNoContent
	case errors.As(err, &moved):
		// Decided already: by an earlier copy of this event, or by a person.
		log.Info("no longer REQUESTED, leaving it", "state", moved.state)
		return http.StatusNoContent
	}
	log.Error("could not record the decision; central will deliver the event again", "state", to, "err", err)
	return http.StatusServiceUnavailable
}

// Profile returns the subscriber's "profile" property as a map (empty when
// it is missing or not an object).
func Profile(props map[string]json.RawMessage) map[string]any {
	var m map[string]any
	if raw, ok := props["profile"]; ok {
		_ = json.Unmarshal(raw, &m)
	}
	if m == nil {
		m = map[string]any{}
	}
	return m
}

func (h *Handler) finished(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.done[id]
	return ok
}

// finish remembers id, forgetting ids older than the retry span.
func (h *Handler) finish(id string) {
	now := h.cfg.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, t := range h.done {
		if now.Sub(t) > remember {
			delete(h.done, k)
		}
	}
	h.done[id] = now
}

// movedOn means the subscription is no longer REQUESTED.
type movedOn struct{ state string }

func (e *movedOn) Error() string { return "the subscription is in state " + e.state }

// move POSTs the new state. A 400 may mean the subscription has moved on
// (a duplicate of this event got there first); the approver reads its state
// to tell that apart from a request the server will never accept.
func (h *Handler) move(ctx context.Context, env, name, state, description string) error {
	path := h.subscriptionPath(env, name)
	status, body, err := h.call(ctx, http.MethodPost, path+"/states", api.StateChange{State: state, Description: description})
	switch {
	case err != nil:
		return err
	case status == http.StatusCreated || status == http.StatusOK:
		return nil
	case status == http.StatusNotFound:
		return &movedOn{state: "deleted"}
	case status != http.StatusBadRequest:
		return fmt.Errorf("POST %s: %d %s", path+"/states", status, apiDetail(body))
	}
	refusal := apiDetail(body)
	status, body, err = h.call(ctx, http.MethodGet, path, nil)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("POST %s/states: 400 %s (and reading it back: %d %v)", path, refusal, status, err)
	}
	var cur struct {
		State api.SubscriptionState `json:"state"`
	}
	if err := json.Unmarshal(body, &cur); err == nil && cur.State.Name != Requested {
		return &movedOn{state: cur.State.Name}
	}
	return fmt.Errorf("POST %s/states: 400 %s", path, refusal)
}

func (h *Handler) subscriptionPath(env, name string) string {
	return "/apis/management/v1/environments/" + url.PathEscape(env) + "/subscriptions/" + url.PathEscape(name)
}

// call makes one API request and returns the status and body.
func (h *Handler) call(ctx context.Context, method, path string, in any) (int, []byte, error) {
	var rd io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.cfg.APIBase+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if h.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.cfg.Token)
	}
	resp, err := h.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, err
}

// apiDetail returns the first error's detail of an Amplify error body, or
// the body itself.
func apiDetail(body []byte) string {
	var e api.ErrorResponse
	if json.Unmarshal(body, &e) == nil && len(e.Errors) > 0 {
		return e.Errors[0].Detail
	}
	return string(body)
}
