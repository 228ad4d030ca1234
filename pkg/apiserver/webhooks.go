package apiserver

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/registry"
	"github.com/centralhq/central/pkg/signature"
)

// Deliverer is the dispatcher as the API sees it.
type Deliverer interface {
	// Wake says deliveries may be due now (after a manual retry).
	Wake()
	// TestWebhook sends an example event now and records the attempt.
	TestWebhook(ctx context.Context, org string, w api.WebhookRef, typ api.EventType) (*api.Delivery, error)
}

// status is the Amplify status subresource.
type status struct {
	Level   string         `json:"level"`
	Reasons []statusReason `json:"reasons"`
}

type statusReason struct {
	Type      string   `json:"type"`
	Detail    string   `json:"detail"`
	Timestamp api.Time `json:"timestamp"`
}

// DisableWebhook turns a webhook off where everyone sees it: spec.enabled
// false (nothing more is queued for it), the reason in its status
// subresource, and an event for each. The user re-enables it by setting
// spec.enabled back to true. With failingSince set, it does so only while
// the webhook's health still shows that run of failures: the dispatcher
// read it before this transaction, and a success or the user enabling the
// webhook again since then ended the run. It reports whether it turned the
// webhook off (false when it was off already, or left alone).
func (s *Server) DisableWebhook(ctx context.Context, w api.WebhookRef, reason string, failingSince time.Time) (bool, error) {
	kind, _ := registry.ByKind("Webhook")
	off := false
	// No request made this change: its two events get an id of their own,
	// as a request's would.
	ctx = context.WithValue(ctx, correlationKey, s.newID())
	err := s.transact(ctx, func(c *change) error {
		off = false
		r, err := c.get(kind, w.Scope.Kind, w.Scope.Name, w.Name)
		if err != nil {
			return err
		}
		// After the read of the webhook, which waits for a user's change
		// of it (PostgreSQL's organization lock); in a write transaction
		// the health row stays as read until the commit.
		if !failingSince.IsZero() {
			h, err := c.tx.WebhookHealthGet(c.ctx, s.Org, w)
			if err != nil || !h.FailingSince.Equal(failingSince) {
				return err
			}
		}
		var spec map[string]any
		if err := json.Unmarshal(r.Spec, &spec); err != nil {
			return err
		}
		if spec["enabled"] == false {
			return nil
		}
		spec["enabled"] = false
		r.Spec, _ = json.Marshal(spec)
		if err := c.write(api.ResourceUpdated, r, ""); err != nil {
			return err
		}
		st, _ := json.Marshal(status{Level: "Error", Reasons: []statusReason{{Type: "Disabled", Detail: "Disabled by the dispatcher: " + reason, Timestamp: c.now}}})
		if r.SubResources == nil {
			r.SubResources = map[string]json.RawMessage{}
		}
		r.SubResources["status"] = st
		off = true
		return c.write(api.SubResourceUpdated, r, "status")
	})
	return off && err == nil, err
}

// isEnabledWebhook reports whether r is a Webhook whose spec enables it.
func isEnabledWebhook(r *api.ResourceInstance) bool {
	var spec api.WebhookSpec
	return r.Kind == "Webhook" && r.DecodeSpec(&spec) == nil && spec.Enabled
}

// webhookEnabled restarts the failure clock of a webhook that r leaves
// enabled when it was not (wasEnabled; false for a create). Failures from
// before no longer count towards auto-disable: a webhook enabled again once
// its receiver is fixed, or made anew under an old name, gets the whole
// AutoDisableAfter before its first new failure can turn it off. The
// Disabled reason DisableWebhook put in its status is taken out.
func (c *change) webhookEnabled(wasEnabled bool, r *api.ResourceInstance) error {
	if wasEnabled || !isEnabledWebhook(r) {
		return nil
	}
	if err := c.tx.WebhookHealthRestart(c.ctx, c.s.Org, api.WebhookRef{Name: r.Name, Scope: api.ScopeRef{Kind: r.ScopeKind(), Name: r.ScopeName()}}); err != nil {
		return err
	}
	// The reason DisableWebhook gave in the status would go on saying the
	// webhook is off. It wrote the whole status; anything else in it now a
	// user wrote since, and stays as written.
	var st map[string]json.RawMessage
	var reasons []map[string]any
	if json.Unmarshal(r.SubResources["status"], &st) != nil || json.Unmarshal(st["reasons"], &reasons) != nil {
		return nil
	}
	kept := slices.DeleteFunc(slices.Clone(reasons), func(x map[string]any) bool { return x["type"] == "Disabled" })
	switch {
	case len(kept) == len(reasons):
		return nil
	case len(kept) == 0 && len(st) <= 2: // level and reasons: the dispatcher's alone
		delete(r.SubResources, "status")
	default:
		st["reasons"], _ = json.Marshal(kept)
		r.SubResources["status"], _ = json.Marshal(st)
	}
	return c.write(api.SubResourceUpdated, r, "status")
}

// handleAction serves POST on a resource's action: webhooks' "test" and
// "rotatesecret", subscriptions' "states".
func (s *Server) handleAction(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := resolve(r)
	if err != nil {
		return nil, err
	}
	switch {
	case t.kind.Kind == "Subscription" && r.PathValue("action") == "states":
		return s.handleStateChange(w, r, t)
	case t.kind.Kind != "Webhook":
		return nil, errorf(http.StatusNotFound, "No action %s on %s: the actions are POST .../webhooks/{name}/test, .../webhooks/{name}/rotatesecret and .../subscriptions/{name}/states.",
			r.PathValue("action"), t.kind.Plural)
	}
	ref := api.WebhookRef{Name: t.name, Scope: api.ScopeRef{Kind: t.scopeKind.Kind, Name: t.scopeName}}
	switch r.PathValue("action") {
	case "test":
		if _, err := s.readOne(r, t); err != nil {
			return nil, err
		}
		typ := api.EventType(r.URL.Query().Get("eventType"))
		switch typ {
		case "":
			typ = api.ResourceCreated
		case api.ResourceCreated, api.ResourceUpdated, api.ResourceDeleted, api.SubResourceUpdated:
		default:
			return nil, invalid("", "eventType must be ResourceCreated, ResourceUpdated, ResourceDeleted or SubResourceUpdated; got %q.", typ)
		}
		if s.Deliveries == nil {
			return nil, errorf(http.StatusNotFound, "This server does not deliver webhooks.")
		}
		// Not cancelled with the request: the attempt runs to its own
		// requestTimeout and is recorded even when the client gave up first.
		return s.Deliveries.TestWebhook(context.WithoutCancel(r.Context()), s.Org, ref, typ)
	case "rotatesecret":
		return s.rotateSecret(r, t)
	}
	return nil, errorf(http.StatusNotFound, "No action %q on webhooks: use test or rotatesecret.", r.PathValue("action"))
}

// rotateSecret gives the webhook a new signing secret, keeping the old one
// signing for the overlap (default 24 h), so receivers can switch without
// losing an event. The first call creates the Secret "<webhook>-signing".
func (s *Server) rotateSecret(r *http.Request, t target) (any, error) {
	overlap := 24 * time.Hour
	if v := r.URL.Query().Get("overlap"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return nil, invalid("", "overlap must be a duration like 24h or 0s; got %q.", v)
		}
		if d > api.MaxSigningOverlap {
			return nil, invalid("", "overlap %q is longer than 168h (7 days), the most an old signing secret may keep signing; rotate with a shorter one.", v)
		}
		overlap = d
	}
	fresh, err := signature.GenerateSecret()
	if err != nil {
		return nil, err
	}
	out := api.SigningSecret{Secret: fresh}
	secretKind, _ := registry.ByKind("Secret")
	err = s.update(r, func(c *change) error {
		wh, err := c.get(t.kind, t.scopeKind.Kind, t.scopeName, t.name)
		if err != nil {
			return err
		}
		var spec map[string]any
		if err := json.Unmarshal(wh.Spec, &spec); err != nil {
			return err
		}
		name := wh.Name + "-signing"
		if sg, ok := spec["signing"].(map[string]any); ok && sg["secret"] != "" && sg["secret"] != nil {
			name, _ = sg["secret"].(string)
		}
		out.SecretName = name
		data := map[string]string{"current": fresh}
		sec, err := c.get(secretKind, t.scopeKind.Kind, t.scopeName, name)
		if err == nil {
			var old api.SecretSpec
			_ = sec.DecodeSpec(&old)
			if prev := old.Data["current"]; prev != "" && overlap > 0 {
				until := api.NewTime(c.now.Add(overlap))
				data["previous"], data["previousValidUntil"] = prev, until.String()
				out.PreviousValidUntil = until
			}
			sec.Spec, _ = json.Marshal(api.SecretSpec{Data: data})
			if err := c.write(api.ResourceUpdated, sec, ""); err != nil {
				return err
			}
		} else {
			sec = &api.ResourceInstance{Group: registry.Group, APIVersion: t.version, Kind: "Secret", Name: name,
				Title: "Signing secret of webhook " + wh.Name, Spec: mustJSON(api.SecretSpec{Data: data})}
			sec.Metadata = api.Metadata{ID: s.newID(), Scope: wh.Metadata.Scope,
				SelfLink: registry.SelfLink(t.version, secretKind, t.scopeKind.Kind, t.scopeName, name),
				Audit:    api.Audit{CreateTimestamp: c.now, CreateUserID: s.UserID, ModifyTimestamp: c.now, ModifyUserID: s.UserID}}
			if err := c.write(api.ResourceCreated, sec, ""); err != nil {
				return err
			}
		}
		if sg, _ := spec["signing"].(map[string]any); sg == nil || sg["secret"] != name {
			spec["signing"] = map[string]any{"secret": name}
			wh.Spec, _ = json.Marshal(spec)
			return c.write(api.ResourceUpdated, wh, "")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
