package api

import "encoding/json"

// EventType names what happened to a resource.
type EventType string

// The event types of the API server.
const (
	ResourceCreated          EventType = "ResourceCreated"
	ResourceUpdated          EventType = "ResourceUpdated"
	ResourceDeleted          EventType = "ResourceDeleted"
	SubResourceUpdated       EventType = "SubResourceUpdated"
	SubscriptionUpdatedEvent EventType = "SubscriptionUpdatedEvent"
)

// Event is the envelope of every change: what the /events log returns and what
// webhooks receive.
type Event struct {
	ID            string          `json:"id"`
	Time          Time            `json:"time"`
	Version       string          `json:"version"`
	Product       string          `json:"product"`
	CorrelationID string          `json:"correlationId"`
	Organization  Organization    `json:"organization"`
	Type          EventType       `json:"type"`
	Payload       json.RawMessage `json:"payload"`
	Metadata      *EventMetadata  `json:"metadata,omitempty"`
}

// Organization identifies the tenant an event belongs to.
type Organization struct {
	ID string `json:"id"`
}

// EventMetadata carries the event's place in the log and, on
// SubResourceUpdated, which subresource changed. Events read through a
// WatchTopic (GET /events/management/{version}/watchtopics/{name}) also name
// the topic; the log itself and webhooks leave those fields out.
type EventMetadata struct {
	WatchTopicID       string `json:"watchTopicID,omitempty"`
	WatchTopicSelfLink string `json:"watchTopicSelfLink,omitempty"`
	SequenceID         int64  `json:"sequenceID,omitempty"`
	Subresource        string `json:"subresource,omitempty"`
}

// Event envelope constants.
const (
	EventVersion = "v1"
	EventProduct = "AmplifyCentral"
)

// Redacted stands for each value of a Secret's spec.data in an event: the
// values stay on the server, in the resource only.
const Redacted = "REDACTED"
