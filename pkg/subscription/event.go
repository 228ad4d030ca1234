package subscription

import (
	"encoding/json"

	"github.com/centralhq/central/pkg/api"
)

// Payload builds a SubscriptionUpdatedEvent's payload, with the fields of
// the catalog's sample event: the consumer instance, the subscription in its
// new state, and the catalog item it subscribes to.
func Payload(ci, sub *api.ResourceInstance, st api.SubscriptionState) api.SubscriptionEventPayload {
	var cispec api.ConsumerInstanceSpec
	_ = ci.DecodeSpec(&cispec)
	var spec api.SubscriptionSpec
	_ = sub.DecodeSpec(&spec)
	scope := api.EventScope{}
	if sc := ci.Metadata.Scope; sc != nil {
		scope = api.EventScope{ID: sc.ID, Kind: sc.Kind, Name: sc.Name}
	}
	refs := ci.Metadata.References
	if refs == nil {
		refs = []api.Reference{}
	}
	tags := ci.Tags
	if tags == nil {
		tags = []string{}
	}
	attrs := ci.Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	props := spec.Properties
	if props == nil {
		props = map[string]json.RawMessage{}
	}
	itemName := cispec.Name
	if itemName == "" {
		itemName = ci.Title
	}
	rel := func(path, typ, value string) api.Relationship {
		return api.Relationship{Key: "apiServerInfo", Path: path, Spec: "catalogItem", Type: typ, Value: value}
	}
	userID := spec.UserID
	if userID == "" {
		userID = sub.Metadata.Audit.CreateUserID
	}
	return api.SubscriptionEventPayload{
		ConsumerInstance: api.EventConsumerInstance{Kind: ci.Kind, Name: ci.Name, Tags: tags, Group: ci.Group, APIVersion: ci.APIVersion,
			Attributes: attrs, Metadata: api.EventCIMetadata{ID: ci.Metadata.ID, Audit: ci.Metadata.Audit, Scope: scope,
				References: refs, ResourceVersion: ci.Metadata.ResourceVersion}},
		Subscription: api.EventSubscription{ID: sub.Metadata.ID, Name: sub.Name, UserID: userID, Properties: props,
			Metadata: api.EventSubscriptionMeta{CreateUserID: sub.Metadata.Audit.CreateUserID}, CurrentState: st.Name,
			CurrentStateDescription: st.Description, NextPossibleStates: st.NextPossibleStates, OwningTeamID: spec.OwningTeamID,
			Relationships: []api.Relationship{{Key: "catalogItem", Path: "$['catalogItem']['id']", Spec: "subscription",
				Type: "CATALOG_ITEM_ID", Value: ci.Metadata.ID}}},
		CatalogItem: api.EventCatalogItem{ID: ci.Metadata.ID, Name: itemName, OwningTeamID: cispec.OwningTeam,
			Relationships: []api.Relationship{
				rel("$['consumerInstance']['id']", "API_SERVER_CONSUMER_INSTANCE_ID", ci.Metadata.ID),
				rel("$['consumerInstance']['name']", "API_SERVER_CONSUMER_INSTANCE_NAME", ci.Name),
				rel("$['environment']['name']", "API_SERVER_ENVIRONMENT_NAME", scope.Name),
				rel("$['environment']['id']", "API_SERVER_ENVIRONMENT_ID", scope.ID),
			}},
	}
}

// State returns the state subresource for state s.
func State(s, description string, now api.Time) api.SubscriptionState {
	return api.SubscriptionState{Name: s, Description: description, NextPossibleStates: Next(s), Time: now}
}
