package api

import "time"

// Deliveries are the dispatcher's record of sending one event to one
// webhook: what was sent, every attempt, and what comes next. They are served
// under /deliveries.

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// The delivery statuses.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliverySucceeded DeliveryStatus = "succeeded"
	DeliveryFailed    DeliveryStatus = "failed"
)

// Delivery is one event on its way to one webhook.
type Delivery struct {
	ID         string         `json:"id"`
	EventID    string         `json:"eventId"`
	EventType  EventType      `json:"eventType"`
	SequenceID int64          `json:"sequenceId"`
	Resource   ResourceRef    `json:"resource"`
	Webhook    WebhookRef     `json:"webhook"`
	Status     DeliveryStatus `json:"status"`
	// Attempts counts the attempts made so far.
	Attempts       int    `json:"attempts"`
	LastStatusCode int    `json:"lastStatusCode,omitempty"`
	LastError      string `json:"lastError,omitempty"`
	// NextAttemptAt is set while the delivery is pending.
	NextAttemptAt Time `json:"nextAttemptAt,omitzero"`
	// HeldBy is set on a pending delivery to an ordered webhook (or of a
	// SubscriptionUpdatedEvent) that waits behind an earlier one of the same
	// resource: the id of the first of them, whose retry it waits for. It
	// is not sent before that one is done, whatever NextAttemptAt says.
	HeldBy    string `json:"heldBy,omitempty"`
	CreatedAt Time   `json:"createdAt"`
	UpdatedAt Time   `json:"updatedAt"`
	// History lists the attempts, oldest first; only GET /deliveries/{id}
	// fills it.
	History []Attempt `json:"history,omitempty"`
}

// ResourceRef names the resource an event is about.
type ResourceRef struct {
	Group string    `json:"group"`
	Kind  string    `json:"kind"`
	Name  string    `json:"name"`
	Scope *ScopeRef `json:"scope,omitempty"`
}

// WebhookRef names a webhook by its scope and name.
type WebhookRef struct {
	Name  string   `json:"name"`
	Scope ScopeRef `json:"scope"`
}

// ScopeRef names a scope.
type ScopeRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// AttemptTrigger says why an attempt was made.
type AttemptTrigger string

// The attempt triggers.
const (
	TriggerScheduled AttemptTrigger = "scheduled"
	TriggerManual    AttemptTrigger = "manual"
	TriggerTest      AttemptTrigger = "test"
)

// ErrorClass sorts failed attempts by cause.
type ErrorClass string

// The error classes of attempts. An empty class is a success.
const (
	ErrorHTTP        ErrorClass = "http"        // a non-2xx answer
	ErrorTimeout     ErrorClass = "timeout"     // no answer in time
	ErrorConnection  ErrorClass = "connection"  // refused, reset, TLS
	ErrorDNS         ErrorClass = "dns"         // the host did not resolve
	ErrorDestination ErrorClass = "destination" // the destination guard refused the address
	ErrorDisabled    ErrorClass = "disabled"    // the webhook was disabled or deleted
	ErrorStopped     ErrorClass = "stopped"     // the server stopped before the receiver answered
	ErrorConfig      ErrorClass = "config"      // no request could be built: a Secret the webhook names is missing or unfit
)

// Attempt is one try at sending a delivery.
type Attempt struct {
	Number     int            `json:"number"`
	Trigger    AttemptTrigger `json:"trigger"`
	StartedAt  Time           `json:"startedAt"`
	DurationMs int64          `json:"durationMs"`
	StatusCode int            `json:"statusCode,omitempty"`
	ErrorClass ErrorClass     `json:"errorClass,omitempty"`
	Error      string         `json:"error,omitempty"`
	// Note records what the attempt had to leave out, such as a missing
	// auth secret.
	Note            string            `json:"note,omitempty"`
	ResponseHeaders map[string]string `json:"responseHeaders,omitempty"`
	// ResponseBody is the start of the receiver's answer (at most 20 KiB).
	ResponseBody string `json:"responseBody,omitempty"`
}

// CountResult answers bulk operations (retry by filter, purge).
type CountResult struct {
	Count  int  `json:"count"`
	DryRun bool `json:"dryRun,omitempty"`
	// Until is, on a dry run, the bound of creation times it counted
	// under: the filter's until, or the server's time of counting. Sent
	// back as until, it keeps the act to the deliveries counted, leaving
	// out those created since.
	Until *Time `json:"until,omitempty"`
	// Disabled, on a retry, counts the deliveries the filter matched but
	// left alone because their webhook is disabled (spec.enabled false):
	// sent, each would fail at once. Count does not include them.
	Disabled int `json:"disabled,omitempty"`
	// Deleted, on a retry, counts the deliveries the filter matched but
	// left alone because their webhook was deleted: there is nowhere to
	// send them. Count does not include them.
	Deleted int `json:"deleted,omitempty"`
}

// MaxSigningOverlap is the longest an old signing secret may keep signing
// after a rotation: long enough for any receiver's deploy, short enough that
// rotating after a leak ends the old secret's use.
const MaxSigningOverlap = 7 * 24 * time.Hour

// SigningSecret is a webhook's signing secret as the rotate endpoint returns
// it, to the admin who asked (it is also kept in the webhook's signing
// Secret).
type SigningSecret struct {
	Secret string `json:"secret"`
	// SecretName is the Secret, in the webhook's scope, that keeps it.
	SecretName string `json:"secretName"`
	// PreviousValidUntil is when the replaced secret stops signing.
	PreviousValidUntil Time `json:"previousValidUntil,omitzero"`
}
