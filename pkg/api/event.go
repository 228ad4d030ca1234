package api

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"
)

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

// Redacted stands for each value of a Secret's spec.data where it is shown
// to others than its readers through the API: in events and in the console.
const Redacted = "REDACTED"

// RedactSecret returns a copy of the Secret r with each value of spec.data
// reading Redacted. The keys stay, so what changed still shows. A spec that
// is not a Secret's is left out whole.
func RedactSecret(r *ResourceInstance) *ResourceInstance {
	var spec map[string]json.RawMessage
	var data map[string]json.RawMessage
	if json.Unmarshal(r.Spec, &spec) != nil || json.Unmarshal(spec["data"], &data) != nil {
		spec, data = nil, nil
	}
	for k := range data {
		data[k] = json.RawMessage(`"` + Redacted + `"`)
	}
	out := *r
	out.Spec = json.RawMessage("{}")
	if data != nil {
		spec["data"], _ = json.Marshal(data)
		out.Spec, _ = json.Marshal(spec)
	}
	return &out
}

// NewEventID returns a new event id: a UUID of version 7, whose first 48
// bits are the event's time in milliseconds and the rest random. Ids thus
// sort roughly by time (the sequence id is the log's order), and the
// stores' index of deliveries by event grows at its end instead of at
// random places (random ids cost the sustained rate on SQLite about a
// sixth).
func NewEventID(at time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[6:])
	ms := uint64(at.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
