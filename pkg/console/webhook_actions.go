package console

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/centralhq/central/pkg/api"
)

// webhookSetEnabled serves the Enable and Disable buttons: a PUT of the
// webhook with spec.enabled set.
func (c *console) webhookSetEnabled(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	wh, path, _, err := c.webhookFromPath(ctx, r, s)
	if err != nil {
		return nil, err
	}
	// The form says the state wanted, not "flip": a double submit or a
	// stale page cannot turn a webhook back the other way.
	enabled := r.PostForm.Get("enabled") == "true"
	back := safeNext(r.PostForm.Get("return"))
	err = c.putWebhookSpec(ctx, s, wh, path, wh.Metadata.ResourceVersion, func(spec map[string]any) { spec["enabled"] = enabled })
	if err != nil {
		if isUnauthorized(err) {
			return nil, err
		}
		p, perr := asProblem(err)
		if perr != nil {
			return nil, perr
		}
		return c.redirect(w, r, s, back, "error", "Webhook "+wh.Name+" was not changed: "+p.Detail)
	}
	msg := "Webhook " + wh.Name + " disabled: nothing more is queued for it."
	if enabled {
		msg = "Webhook " + wh.Name + " enabled."
	}
	return c.redirect(w, r, s, back, "ok", msg)
}

// webhookDeletePage is the data of the delete confirmation.
type webhookDeletePage struct {
	webhookRow
	Hooks     []hookRow
	HooksKind string
}

// webhookDeleteConfirm asks before deleting, naming what still sends to
// the webhook.
func (c *console) webhookDeleteConfirm(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	wh, _, p, err := c.webhookFromPath(ctx, r, s)
	if err != nil {
		return nil, err
	}
	var spec api.WebhookSpec
	_ = wh.DecodeSpec(&spec)
	ref := refOf(wh)
	page := webhookDeletePage{webhookRow: webhookRow{Ref: ref, Title: wh.Title, URL: spec.URL, Enabled: spec.Enabled, Link: webhookLink(ref)}}
	if page.HooksKind, page.Hooks, err = hooksOf(ctx, s.api, p, ref); err != nil {
		return nil, err
	}
	return &view{Template: "webhook_delete", Title: "Delete webhook " + ref.Name, Section: "webhooks", Data: page}, nil
}

func (c *console) webhookDelete(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	path, _, err := c.webhookPath(ctx, r, s)
	if err != nil {
		return nil, err
	}
	held, err := s.api.Delete(ctx, path, false)
	if err != nil {
		return nil, err
	}
	msg := "Webhook " + path.Name + " deleted."
	if held != nil {
		msg = "Webhook " + path.Name + " is being deleted; finalizers hold it until they are done."
	}
	return c.redirect(w, r, s, "/console/webhooks", "ok", msg)
}

// secretPage shows a new signing secret, once.
type secretPage struct {
	webhookRow
	Secret             string
	PreviousValidUntil string
}

// webhookRotateSecret makes a new signing secret and shows it once.
func (c *console) webhookRotateSecret(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	wh, path, _, err := c.webhookFromPath(ctx, r, s)
	if err != nil {
		return nil, err
	}
	overlap := r.PostForm.Get("overlap")
	switch overlap {
	case "24h", "1h", "0s":
	default:
		return nil, badRequest("The overlap must be 24h, 1h or 0s.")
	}
	var out api.SigningSecret
	if _, err := s.api.Do(ctx, http.MethodPost, path.String()+"/rotatesecret", url.Values{"overlap": {overlap}}, nil, &out); err != nil {
		return nil, err
	}
	ref := refOf(wh)
	page := secretPage{webhookRow: webhookRow{Ref: ref, Link: webhookLink(ref)}, Secret: out.Secret}
	if !out.PreviousValidUntil.IsZero() {
		page.PreviousValidUntil = out.PreviousValidUntil.UTC().Format(timeLayout)
	}
	// Rendered in the answer to the POST, not after a redirect: the secret
	// is never stored anywhere the console could show it again.
	return &view{Template: "webhook_secret", Title: "New signing secret for " + ref.Name, Section: "webhooks", Data: page}, nil
}

// webhookTest sends an example event now and shows the recorded delivery.
func (c *console) webhookTest(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	path, _, err := c.webhookPath(ctx, r, s)
	if err != nil {
		return nil, err
	}
	var d api.Delivery
	q := url.Values{"eventType": {r.PostForm.Get("eventType")}}
	if _, err := s.api.Do(ctx, http.MethodPost, path.String()+"/test", q, nil, &d); err != nil {
		return nil, err
	}
	kind, msg := "ok", "Test event sent: the receiver answered "+statusText(d.LastStatusCode)+"."
	if d.Status != api.DeliverySucceeded {
		kind, msg = "error", "Test event failed: "+deliveryError(d)
	}
	return c.redirect(w, r, s, "/console/deliveries/"+url.PathEscape(d.ID), kind, msg)
}

func statusText(code int) string {
	return fmt.Sprintf("%d %s", code, http.StatusText(code))
}
