// Package validator is the receiver of the api-validation example: a
// ResourceHook sends it every change to the APIServices of one environment;
// it checks each service against a Rule and writes its verdict to the
// service's x-compliance subresource, leaving the service itself alone.
//
// Writing back to what a hook watches is a loop waiting to happen. The hook's
// trigger type "updated" matches SubResourceUpdated too, so the verdict this
// receiver writes comes straight back to it as an event. The receiver
// recognises that event (SubResourceUpdated with metadata.subresource
// "x-compliance") and ignores it, and it does not write a verdict equal to
// the one already there; either alone stops the loop, together they also keep
// quiet updates from rewriting the same verdict.
package validator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/signature"
)

// Subresource is where the verdict goes.
const Subresource = "x-compliance"

// remember is how long a finished webhook-id is kept: longer than central's
// whole default retry schedule (about 28 hours).
const remember = 48 * time.Hour

// Config is what the validator needs.
type Config struct {
	// Secrets are the webhook's signing secrets (whsec_...); give the old
	// and the new one while a rotation is under way.
	Secrets []string
	// APIBase is the central server, e.g. http://127.0.0.1:8080.
	APIBase string
	// Token is sent to the API as "Authorization: Bearer <token>".
	Token string
	// Rule judges the services; the zero Rule means DefaultRule().
	Rule Rule
	// HTTPClient calls the API; nil means one with a 10 s timeout.
	HTTPClient *http.Client
	// Logger reports each verdict; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock the signature's timestamp is checked against; nil
	// means time.Now.
	Now func() time.Time
}

// Handler is the validator's http.Handler.
type Handler struct {
	cfg Config

	mu   sync.Mutex
	done map[string]time.Time // webhook-id -> when it was finished
}

// New checks cfg and returns the handler.
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
	if cfg.Rule.TitlePattern == nil {
		cfg.Rule = DefaultRule()
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

// ServeHTTP handles one delivery: 2xx done, 401 and 400 never retried,
// 503 retried later by central.
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
	id := r.Header.Get(signature.HeaderID)
	if h.finished(id) {
		h.cfg.Logger.Info("duplicate delivery, already handled", "webhookID", id)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var ev api.Event
	var svc api.ResourceInstance
	if err := json.Unmarshal(body, &ev); err != nil || json.Unmarshal(ev.Payload, &svc) != nil {
		http.Error(w, "not a resource event", http.StatusBadRequest)
		return
	}
	status := h.handle(r.Context(), &ev, &svc)
	if status < 300 {
		h.finish(id)
	}
	w.WriteHeader(status)
}

// handle acts on one event and returns the webhook's answer.
func (h *Handler) handle(ctx context.Context, ev *api.Event, svc *api.ResourceInstance) int {
	log := h.cfg.Logger.With("event", ev.Type, "service", svc.Name)
	switch {
	case ev.Type == api.SubResourceUpdated && ev.Metadata != nil && ev.Metadata.Subresource == Subresource:
		// The event our own verdict caused. Judging it again is how loops start.
		log.Info("ignored: our own verdict coming back")
		return http.StatusNoContent
	case ev.Type == api.SubResourceUpdated:
		log.Info("ignored: a subresource changed, not the title or description")
		return http.StatusNoContent
	case ev.Type != api.ResourceCreated && ev.Type != api.ResourceUpdated:
		log.Info("ignored")
		return http.StatusNoContent
	case svc.Kind != "APIService" || svc.Metadata.Scope == nil:
		log.Info("ignored: not an APIService", "kind", svc.Kind)
		return http.StatusNoContent
	}
	verdict := h.cfg.Rule.Check(svc)
	var old Verdict
	if raw, ok := svc.SubResources[Subresource]; ok && json.Unmarshal(raw, &old) == nil && old.same(verdict) {
		log.Info("verdict unchanged, not written", "compliant", verdict.Compliant)
		return http.StatusNoContent
	}
	status, err := h.write(ctx, svc, verdict)
	switch {
	case err == nil && status == http.StatusOK:
		log.Info("verdict written", "compliant", verdict.Compliant, "problems", strings.Join(verdict.Problems, "; "))
		return http.StatusNoContent
	case err == nil && status == http.StatusNotFound:
		log.Info("the service is gone")
		return http.StatusNoContent
	}
	if err != nil {
		log.Error("could not write the verdict; central will deliver the event again", "err", err)
	} else {
		log.Error("could not write the verdict; central will deliver the event again", "status", status)
	}
	return http.StatusServiceUnavailable
}

// write PUTs the verdict to the service's x-compliance subresource.
func (h *Handler) write(ctx context.Context, svc *api.ResourceInstance, v Verdict) (int, error) {
	group, version := svc.Group, svc.APIVersion
	if group == "" {
		group = "management"
	}
	if version == "" {
		version = "v1"
	}
	path := fmt.Sprintf("/apis/%s/%s/environments/%s/apiservices/%s/%s", url.PathEscape(group), url.PathEscape(version),
		url.PathEscape(svc.Metadata.Scope.Name), url.PathEscape(svc.Name), Subresource)
	b, err := json.Marshal(map[string]Verdict{Subresource: v})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, h.cfg.APIBase+path, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if h.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.cfg.Token)
	}
	resp, err := h.cfg.HTTPClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
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
