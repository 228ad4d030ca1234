package apiserver

import (
	"encoding/json"
	"net/http"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/registry"
	"github.com/centralhq/central/pkg/subscription"
)

// checkReferences enforces, inside the write transaction, what a resource
// says about others: a ConsumerInstance's subscription definition exists; a
// Subscription's consumer instance exists, takes subscriptions, and its
// properties match the definition's schema.
func (c *change) checkReferences(res *api.ResourceInstance) error {
	switch res.Kind {
	case "ConsumerInstance":
		var spec api.ConsumerInstanceSpec
		if err := res.DecodeSpec(&spec); err != nil {
			return invalid("/spec", "The ConsumerInstance spec is malformed: %v.", err)
		}
		if spec.Subscription != nil && spec.Subscription.SubscriptionDefinition != "" {
			if _, err := c.definition(res.ScopeName(), spec.Subscription.SubscriptionDefinition); err != nil {
				return err
			}
		}
	case "Subscription":
		_, def, err := c.subscriptionContext(res)
		if err != nil {
			return err
		}
		var spec api.SubscriptionSpec
		_ = res.DecodeSpec(&spec)
		if err := subscription.CheckProperties(def, spec.Properties); err != nil {
			return invalid("/spec/properties", "%v.", err)
		}
	}
	return nil
}

// definition reads a ConsumerSubscriptionDefinition, or returns a 400 that
// names it: a reference to a missing one is a bad request, not a missing page.
func (c *change) definition(env, name string) (*api.ConsumerSubscriptionDefinitionSpec, error) {
	k, _ := registry.ByKind("ConsumerSubscriptionDefinition")
	r, err := c.get(k, "Environment", env, name)
	if err != nil {
		return nil, invalid("/spec/subscription/subscriptionDefinition",
			"The subscription definition %q does not exist in Environment %s: create the ConsumerSubscriptionDefinition first.", name, env)
	}
	var spec api.ConsumerSubscriptionDefinitionSpec
	if err := r.DecodeSpec(&spec); err != nil {
		return nil, err
	}
	return &spec, nil
}

// subscriptionContext reads a subscription's consumer instance and its
// definition, refusing when the instance does not take subscriptions.
func (c *change) subscriptionContext(sub *api.ResourceInstance) (*api.ResourceInstance, *api.ConsumerSubscriptionDefinitionSpec, error) {
	var spec api.SubscriptionSpec
	if err := sub.DecodeSpec(&spec); err != nil {
		return nil, nil, invalid("/spec", "The Subscription spec is malformed: %v.", err)
	}
	if spec.ConsumerInstance == "" {
		return nil, nil, invalid("/spec/consumerInstance", "A Subscription needs spec.consumerInstance, the ConsumerInstance it subscribes to.")
	}
	k, _ := registry.ByKind("ConsumerInstance")
	ci, err := c.get(k, "Environment", sub.ScopeName(), spec.ConsumerInstance)
	if err != nil {
		return nil, nil, invalid("/spec/consumerInstance", "The consumer instance %q does not exist in Environment %s.", spec.ConsumerInstance, sub.ScopeName())
	}
	var cispec api.ConsumerInstanceSpec
	_ = ci.DecodeSpec(&cispec)
	if cispec.Subscription == nil || !cispec.Subscription.Enabled {
		return nil, nil, invalid("/spec/consumerInstance", "The consumer instance %s does not take subscriptions (its spec.subscription.enabled is not true).", ci.Name)
	}
	def, err := c.definition(sub.ScopeName(), cispec.Subscription.SubscriptionDefinition)
	return ci, def, err
}

// subscribed runs after a Subscription is created: it starts REQUESTED and,
// when the consumer instance subscribes automatically, moves on to APPROVED.
func (c *change) subscribed(sub *api.ResourceInstance) error {
	ci, _, err := c.subscriptionContext(sub)
	if err != nil {
		return err
	}
	if err := c.moveState(sub, ci, subscription.Requested, "Subscription requested."); err != nil {
		return err
	}
	var cispec api.ConsumerInstanceSpec
	_ = ci.DecodeSpec(&cispec)
	if cispec.Subscription.AutoSubscribe {
		return c.moveState(sub, ci, subscription.Approved, "Approved automatically: the consumer instance subscribes automatically.")
	}
	return nil
}

// moveState writes the new state subresource and sends a
// SubscriptionUpdatedEvent to the definition's webhooks.
func (c *change) moveState(sub, ci *api.ResourceInstance, state, description string) error {
	st := subscription.State(state, description, c.now)
	if sub.SubResources == nil {
		sub.SubResources = map[string]json.RawMessage{}
	}
	sub.SubResources["state"] = mustJSON(st)
	if err := c.write(api.SubResourceUpdated, sub, "state"); err != nil {
		return err
	}
	var cispec api.ConsumerInstanceSpec
	_ = ci.DecodeSpec(&cispec)
	def, err := c.definition(sub.ScopeName(), cispec.Subscription.SubscriptionDefinition)
	if err != nil {
		return err
	}
	targets := make([]api.WebhookRef, 0, len(def.Webhooks))
	for _, w := range def.Webhooks {
		targets = append(targets, api.WebhookRef{Name: w, Scope: api.ScopeRef{Kind: "Environment", Name: sub.ScopeName()}})
	}
	return c.emitTo(api.SubscriptionUpdatedEvent, subscription.Payload(ci, sub, st), sub, targets)
}

// handleStateChange serves POST .../subscriptions/{name}/states: 201 when
// the move is allowed, else a 400 naming the current and allowed states.
// The check and the write share one transaction, so of two concurrent
// changes from the same state only one wins.
func (s *Server) handleStateChange(w http.ResponseWriter, r *http.Request, t target) (any, error) {
	var in api.StateChange
	if err := s.decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.State == "" {
		return nil, invalid("/state", `The body must name the new state: {"state": "APPROVED", "description": "..."}.`)
	}
	var sub *api.ResourceInstance
	err := s.update(r, func(c *change) error {
		if _, err := c.scope(t); err != nil {
			return err
		}
		var err error
		if sub, err = c.get(t.kind, t.scopeKindName(), t.scopeName, t.name); err != nil {
			return err
		}
		var cur api.SubscriptionState
		_ = json.Unmarshal(sub.SubResources["state"], &cur)
		if err := subscription.CheckMove(sub.Name, cur.Name, in.State); err != nil {
			return invalid("/state", "%v", err)
		}
		ci, _, err := c.subscriptionContext(sub)
		if err != nil {
			return err
		}
		return c.moveState(sub, ci, in.State, in.Description)
	})
	if err != nil {
		return nil, err
	}
	atVersion(sub, t.version)
	return created(sub), nil
}
