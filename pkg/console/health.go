package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

// healthSample is how many of a webhook's latest deliveries its health is
// measured on.
const healthSample = 20

// health sums up how a webhook's deliveries have been going.
type health struct {
	// Level is "ok", "warn", "bad" or "none" (no finished delivery yet);
	// it picks the badge's style, and Label says the same in words.
	Level string
	Label string
	// Finished is how many of the sample had finished; Succeeded of them
	// succeeded.
	Finished, Succeeded int
	Pending             int
	LastError           string
	LastErrorAt         time.Time
	// DisabledReason is why the dispatcher turned the webhook off, from its
	// status subresource.
	DisabledReason string
}

// webhookDeliveries returns a webhook's latest deliveries, newest first, and
// how many it has in all.
func webhookDeliveries(ctx context.Context, c *client.Client, ref api.WebhookRef, n int) ([]api.Delivery, int, error) {
	return listDeliveries(ctx, c, url.Values{
		"scope":    {ref.Scope.Kind + "/" + ref.Scope.Name},
		"webhook":  {ref.Name},
		"pageSize": {strconv.Itoa(n)},
	})
}

// listDeliveries returns one page of GET /deliveries?q and how many match
// in all.
func listDeliveries(ctx context.Context, c *client.Client, q url.Values) ([]api.Delivery, int, error) {
	var out []api.Delivery
	resp, err := c.Do(ctx, http.MethodGet, "/deliveries", q, nil, &out)
	if err != nil {
		return nil, 0, err
	}
	total, _ := strconv.Atoi(resp.Header.Get("X-Axway-Total-Count"))
	return out, max(total, len(out)), nil
}

// healthOf measures a webhook's health on its latest deliveries.
func healthOf(wh *api.ResourceInstance, spec api.WebhookSpec, latest []api.Delivery) health {
	var h health
	for _, d := range latest {
		switch d.Status {
		case api.DeliverySucceeded:
			h.Finished++
			h.Succeeded++
		case api.DeliveryFailed:
			h.Finished++
		default:
			h.Pending++
		}
		if h.LastError == "" && d.Status != api.DeliverySucceeded && (d.LastError != "" || d.LastStatusCode != 0) {
			h.LastError, h.LastErrorAt = deliveryError(d), d.UpdatedAt.Time
		}
	}
	switch {
	case h.Finished == 0:
		h.Level, h.Label = "none", "No deliveries yet"
		if h.Pending > 0 {
			h.Label = fmt.Sprintf("%d pending", h.Pending)
		}
		// Nothing finished, so every attempt made so far failed: the
		// retries still pending are no sign of health.
		if h.LastError != "" {
			h.Level = "warn"
		}
	case h.Succeeded == h.Finished:
		h.Level, h.Label = "ok", fmt.Sprintf("Healthy: %d of %d delivered", h.Succeeded, h.Finished)
	case h.Succeeded*10 >= h.Finished*8:
		h.Level, h.Label = "warn", fmt.Sprintf("Some failures: %d of %d delivered", h.Succeeded, h.Finished)
	default:
		h.Level, h.Label = "bad", fmt.Sprintf("Failing: %d of %d delivered", h.Succeeded, h.Finished)
	}
	if !spec.Enabled {
		h.DisabledReason = disabledReason(wh)
	}
	return h
}

// deliveryError says in one line why a delivery has not succeeded.
func deliveryError(d api.Delivery) string {
	switch {
	case d.LastError != "":
		return d.LastError
	case d.LastStatusCode != 0:
		return fmt.Sprintf("HTTP %d %s", d.LastStatusCode, http.StatusText(d.LastStatusCode))
	}
	return ""
}

// disabledReason reads the reason the dispatcher left in the webhook's
// status subresource when it disabled it.
func disabledReason(wh *api.ResourceInstance) string {
	var st struct {
		Reasons []struct {
			Type   string `json:"type"`
			Detail string `json:"detail"`
		} `json:"reasons"`
	}
	if json.Unmarshal(wh.SubResources["status"], &st) != nil {
		return ""
	}
	for _, r := range st.Reasons {
		if r.Type == "Disabled" {
			return r.Detail
		}
	}
	return ""
}
