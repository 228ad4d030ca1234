package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/centralhq/central/pkg/api"
)

const mgmt = "/apis/management/v1"

// hookTarget is one webhook a scenario creates.
type hookTarget struct {
	name string
	url  string
	// maxInFlight overrides the default of 4 requests at once.
	maxInFlight int
	// retrySchedule overrides the server's schedule (the failing receiver).
	retrySchedule []string
	// signed gives the webhook a signing secret, as a real one would have.
	signed bool
}

// environmentsCreated matches every Environment created.
var environmentsCreated = api.Trigger{Group: "management", Kind: "Environment", Name: "*", Type: []string{"created"}}

// integration creates an Integration holding the webhooks and one
// ResourceHook sending them the events trigger matches.
func (in *instance) integration(ctx context.Context, name string, trigger api.Trigger, targets ...hookTarget) error {
	if _, err := in.must(ctx, http.StatusCreated, "POST", mgmt+"/integrations", map[string]any{"name": name}); err != nil {
		return err
	}
	var names []string
	for _, t := range targets {
		spec := api.WebhookSpec{Enabled: true, URL: t.url}
		if t.maxInFlight > 0 || t.retrySchedule != nil {
			spec.Delivery = &api.WebhookDelivery{MaxInFlight: t.maxInFlight, RetrySchedule: t.retrySchedule}
		}
		base := fmt.Sprintf("%s/integrations/%s/webhooks", mgmt, name)
		if _, err := in.must(ctx, http.StatusCreated, "POST", base, map[string]any{"name": t.name, "spec": spec}); err != nil {
			return err
		}
		if t.signed {
			if _, err := in.must(ctx, http.StatusOK, "POST", base+"/"+t.name+"/rotatesecret", nil); err != nil {
				return err
			}
		}
		names = append(names, t.name)
	}
	_, err := in.must(ctx, http.StatusCreated, "POST", fmt.Sprintf("%s/integrations/%s/resourcehooks", mgmt, name),
		map[string]any{"name": "hook", "spec": api.ResourceHookSpec{Triggers: []api.Trigger{trigger}, Webhooks: names}})
	return err
}

// webhookRef names a webhook the way deliveries do.
func webhookRef(integration, name string) api.WebhookRef {
	return api.WebhookRef{Name: name, Scope: api.ScopeRef{Kind: "Integration", Name: integration}}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only the benchmark's own values are marshalled
	}
	return b
}
