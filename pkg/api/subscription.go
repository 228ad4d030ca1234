package api

import "encoding/json"

// Catalog subscriptions: a ConsumerInstance publishes an API for
// subscription, its ConsumerSubscriptionDefinition says what a subscriber
// must tell (a draft-04 JSON schema per property) and which webhooks hear
// about every state change, and a Subscription is one consumer's request.

// ConsumerSubscriptionDefinitionSpec is the spec of a
// ConsumerSubscriptionDefinition.
type ConsumerSubscriptionDefinitionSpec struct {
	// Webhooks names Webhooks in the definition's Environment.
	Webhooks []string           `json:"webhooks"`
	Schema   SubscriptionSchema `json:"schema"`
}

// SubscriptionSchema lists the properties a subscriber provides.
type SubscriptionSchema struct {
	Properties []SchemaProperty `json:"properties"`
}

// SchemaProperty is one property and its JSON schema (draft-04). For API
// subscriptions the key is "profile".
type SchemaProperty struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// ConsumerInstanceSubscription is the subscription part of a
// ConsumerInstance's spec.
type ConsumerInstanceSubscription struct {
	Enabled                bool   `json:"enabled"`
	AutoSubscribe          bool   `json:"autoSubscribe"`
	SubscriptionDefinition string `json:"subscriptionDefinition"`
}

// ConsumerInstanceSpec holds the fields of a ConsumerInstance's spec the
// server acts on; the rest is kept as sent.
type ConsumerInstanceSpec struct {
	Name               string                        `json:"name,omitempty"`
	APIServiceInstance string                        `json:"apiServiceInstance,omitempty"`
	OwningTeam         string                        `json:"owningTeam,omitempty"`
	Subscription       *ConsumerInstanceSubscription `json:"subscription,omitempty"`
}

// SubscriptionSpec is the spec of a Subscription: which ConsumerInstance it
// is for and the subscriber's properties.
type SubscriptionSpec struct {
	ConsumerInstance string                     `json:"consumerInstance"`
	Properties       map[string]json.RawMessage `json:"properties,omitempty"`
	UserID           string                     `json:"userId,omitempty"`
	OwningTeamID     string                     `json:"owningTeamId,omitempty"`
}

// SubscriptionState is the "state" subresource of a Subscription, which only
// the server writes (POST .../subscriptions/{name}/states moves it).
type SubscriptionState struct {
	Name               string   `json:"name"`
	Description        string   `json:"description,omitempty"`
	NextPossibleStates []string `json:"nextPossibleStates"`
	Time               Time     `json:"time"`
}

// StateChange is the body of POST .../subscriptions/{name}/states.
type StateChange struct {
	State       string `json:"state"`
	Description string `json:"description,omitempty"`
}

// SubscriptionEventPayload is the payload of a SubscriptionUpdatedEvent.
type SubscriptionEventPayload struct {
	ConsumerInstance EventConsumerInstance `json:"consumerInstance"`
	Subscription     EventSubscription     `json:"subscription"`
	CatalogItem      EventCatalogItem      `json:"catalogItem"`
}

// EventConsumerInstance is the consumer instance as the event shows it.
type EventConsumerInstance struct {
	Kind       string            `json:"kind"`
	Name       string            `json:"name"`
	Tags       []string          `json:"tags"`
	Group      string            `json:"group"`
	APIVersion string            `json:"apiVersion"`
	Attributes map[string]string `json:"attributes"`
	Metadata   EventCIMetadata   `json:"metadata"`
}

// EventCIMetadata is the consumer instance's metadata in the event.
type EventCIMetadata struct {
	ID              string      `json:"id"`
	Audit           Audit       `json:"audit"`
	Scope           EventScope  `json:"scope"`
	References      []Reference `json:"references"`
	ResourceVersion string      `json:"resourceVersion"`
}

// EventScope is a scope in the event.
type EventScope struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// EventSubscription is the subscription as the event shows it.
type EventSubscription struct {
	ID                      string                     `json:"id"`
	Name                    string                     `json:"name"`
	UserID                  string                     `json:"userId"`
	Properties              map[string]json.RawMessage `json:"properties"`
	Metadata                EventSubscriptionMeta      `json:"metadata"`
	CurrentState            string                     `json:"currentState"`
	CurrentStateDescription string                     `json:"currentStateDescription"`
	NextPossibleStates      []string                   `json:"nextPossibleStates"`
	OwningTeamID            string                     `json:"owningTeamId"`
	Relationships           []Relationship             `json:"relationships"`
}

// EventSubscriptionMeta is the subscription's metadata in the event.
type EventSubscriptionMeta struct {
	CreateUserID string `json:"createUserId"`
}

// EventCatalogItem is the catalog item (the published consumer instance).
type EventCatalogItem struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	OwningTeamID  string         `json:"owningTeamId"`
	Relationships []Relationship `json:"relationships"`
}

// Relationship ties the catalog item or subscription to API server data.
type Relationship struct {
	Key   string `json:"key"`
	Path  string `json:"path"`
	Spec  string `json:"spec"`
	Type  string `json:"type"`
	Value string `json:"value"`
}
