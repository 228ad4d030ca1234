package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// Delivery is a delivery as the store keeps it: the wire record plus what
// claiming needs.
type Delivery struct {
	api.Delivery
	Org string
	// OrderKey identifies the resource for ordered delivery; empty when the
	// webhook does not ask for order.
	OrderKey string
	// Manual marks a delivery retried by hand: its next attempt is recorded
	// with the trigger "manual".
	Manual bool
	// MaxInFlight is the webhook's limit on requests in flight when the
	// delivery was queued (0: the server's default). It travels with the
	// delivery so a claim knows every candidate's limit without reading
	// the webhook.
	MaxInFlight int
}

// Claimed is a delivery leased to one dispatcher, with the event to send.
// A claim fills what sending needs: the delivery's ID, Org, EventID,
// SequenceID, Webhook, Attempts, MaxInFlight and Manual, with Status
// pending. A store may leave the other fields of Delivery zero; read the
// delivery for them.
type Claimed struct {
	Delivery
	// Envelope is the event as the log holds it: its JSON, which is the
	// body sent to webhooks, so a claim need not decode it.
	Envelope json.RawMessage
	// LeaseUntil is when the claim's lease ends: a request that outlived
	// it could overlap the same delivery sent again by another claim.
	LeaseUntil time.Time
}

// ClaimParams bound a claim.
type ClaimParams struct {
	// Owner names the claiming dispatcher (replica).
	Owner string
	Now   time.Time
	// Lease is how long the claim holds before another dispatcher may take
	// the delivery (a dead dispatcher's work comes back after it).
	Lease time.Duration
	// Limit is how many to claim at most: the dispatcher's free slots.
	Limit int
	// Exclude lists webhooks that have no free slot: their deliveries are
	// not even candidates, so they cannot crowd out those of other webhooks.
	Exclude []api.WebhookRef
	// Only, when set, claims the due deliveries of this one webhook (of
	// organization OnlyOrg), through an index of its own: a slot freed by a
	// webhook is refilled from it without reading past the due work of
	// others, such as a failing webhook's retries.
	Only    *api.WebhookRef
	OnlyOrg string
	// Accept, when set, vetoes candidates (per-webhook concurrency limits);
	// a vetoed delivery stays as it was. leased is how many deliveries of
	// the candidate's webhook hold a valid lease in the store right now, by
	// any dispatcher (replica), not counting those accepted in this claim:
	// with it a limit holds across replicas. Claims that pass Accept are
	// serialized across dispatchers, so the count cannot go stale meanwhile.
	Accept func(d *Delivery, leased int) bool
}

// AttemptResult is the outcome of one attempt and what follows it.
type AttemptResult struct {
	Org        string
	DeliveryID string
	Webhook    api.WebhookRef
	Attempt    api.Attempt
	// Status is the delivery's new status: pending means retry at NextAttemptAt.
	Status        api.DeliveryStatus
	NextAttemptAt time.Time
	// LeaseUntil is the lease of the claim the attempt was made under
	// (Claimed.LeaseUntil), which names that claim: a delivery claimed again
	// once a lease ended gets a later one. A result whose delivery has been
	// claimed again since is superseded: the delivery holds a later lease,
	// or it already counts an attempt of that number (the later claim read
	// the same count of attempts and finished first). A superseded result is
	// not recorded, and it frees only its own lease, so it cannot undo the
	// newer claim's attempt or end its lease while its request is in
	// flight. Zero (a test send, which holds no lease) records the result
	// over an attempt of the same number. Nothing is recorded for a
	// delivery that no longer exists.
	LeaseUntil time.Time
	// KeptStatusCode is the delivery's last status code before an attempt
	// that made no request (its webhook is disabled or deleted), which the
	// delivery keeps as its last one: it says why the webhook went off.
	KeptStatusCode int
}

// PendingCount is one webhook's pending deliveries (of every organization
// in the store).
type PendingCount struct {
	Webhook api.WebhookRef
	Count   int
	// Oldest is the earliest due time among them, leaving out those held
	// behind an earlier pending delivery of their order key (a claim
	// passes over them until it is done); Count includes them.
	Oldest time.Time
}

// LastStatusCode is the status code the delivery shows after the attempt.
func (r *AttemptResult) LastStatusCode() int {
	if r.Attempt.StatusCode == 0 {
		return r.KeptStatusCode
	}
	return r.Attempt.StatusCode
}

// CountsTowardsHealth reports whether the attempt says how its receiver is
// doing: a test send does not, nor a request cut off because the server
// stopped.
func (r *AttemptResult) CountsTowardsHealth() bool {
	return r.Attempt.Trigger != api.TriggerTest && r.Attempt.ErrorClass != api.ErrorStopped
}

// DeliveryFilter selects deliveries for listing, bulk retry and purge.
type DeliveryFilter struct {
	Org       string
	Webhook   *api.WebhookRef // name may be empty: every webhook in the scope
	Status    api.DeliveryStatus
	EventType api.EventType
	// EventID keeps the deliveries of one event (its id, which receivers
	// get as webhook-id).
	EventID string
	Since   time.Time
	Until   time.Time
	// ExcludeWebhooks leaves out the deliveries of these webhooks: a bulk
	// retry leaves out those of disabled webhooks, which would fail at
	// once without a request.
	ExcludeWebhooks []api.WebhookRef
	// OnlyWebhooks, when not empty, keeps only the deliveries of these
	// webhooks: with the same list, what ExcludeWebhooks left out.
	OnlyWebhooks []api.WebhookRef
	// Page (from 1) and PageSize limit a listing; 0 means everything.
	Page, PageSize int
}

// WebhookHealth is how a webhook has been doing, for auto-disable and the
// console.
type WebhookHealth struct {
	// FailingSince is when the current run of failures began; zero while
	// the last attempt succeeded.
	FailingSince time.Time
	LastSuccess  time.Time
	LastError    string
}

// DeliveryStore is the dispatcher's part of a transaction.
type DeliveryStore interface {
	// DeliveryInsert queues deliveries (in the transaction of their event).
	// wakeOthers asks a store shared by replicas to wake their dispatchers
	// at commit; it is false when this process's dispatcher has room and
	// will claim them itself, so the others need not look. A store with
	// one dispatcher ignores it.
	DeliveryInsert(ctx context.Context, ds []*Delivery, wakeOthers bool) error
	// DeliveryClaim leases due deliveries, oldest due first, skipping those
	// leased by others and, for ordered webhooks, those with an earlier
	// delivery of the same resource still pending.
	DeliveryClaim(ctx context.Context, p ClaimParams) ([]*Claimed, error)
	// DeliveryFinish records attempts and moves their deliveries on, in one
	// batch, and keeps each webhook's health. A superseded result (see
	// AttemptResult.LeaseUntil) still counts towards its webhook's health:
	// the request was made.
	DeliveryFinish(ctx context.Context, rs []AttemptResult) error
	// DeliveryGet returns one delivery with its attempt history.
	DeliveryGet(ctx context.Context, org, id string) (*api.Delivery, error)
	// DeliveryList returns a page of deliveries, newest first, and the total.
	DeliveryList(ctx context.Context, f DeliveryFilter) ([]*api.Delivery, int, error)
	// DeliveryRetry makes failed deliveries (or, with ids, those) pending and
	// due at now; dryRun only counts. A delivery whose request is in flight
	// (it holds a live lease) is left as it is: sending it again would
	// duplicate it, and on an ordered webhook let later events overtake it.
	DeliveryRetry(ctx context.Context, f DeliveryFilter, ids []string, now time.Time, dryRun bool) (int, error)
	// DeliveryPurge deletes finished deliveries and their attempts.
	DeliveryPurge(ctx context.Context, f DeliveryFilter, dryRun bool) (int, error)
	// DeliveryReleaseLeases frees every lease; only a store's single
	// dispatcher may call it (the embedded store's, at Stop, for the
	// deliveries it claimed ahead and did not send).
	DeliveryReleaseLeases(ctx context.Context) error
	// DeliveryPendingByWebhook counts the pending deliveries of each webhook
	// that has any, with the oldest due time, for metrics.
	DeliveryPendingByWebhook(ctx context.Context) ([]PendingCount, error)
	// DeliveryExport returns every delivery of the organization as stored,
	// with its attempts in History (for copying a store).
	DeliveryExport(ctx context.Context, org string) ([]*Delivery, error)
	// DeliveryImport stores deliveries and their attempts exactly as given
	// (for copying a store): no lease, nothing recomputed.
	DeliveryImport(ctx context.Context, ds []*Delivery) error
	// WebhookHealthGet returns a webhook's health (zero when never sent).
	// In a write transaction the row stays as read until the commit: what
	// is decided on it cannot be undone by a result recorded meanwhile.
	WebhookHealthGet(ctx context.Context, org string, w api.WebhookRef) (WebhookHealth, error)
	// WebhookHealthRestart stops a webhook's failure clock (it was enabled
	// again): failures before now no longer count towards auto-disable.
	// The last success and the last error stay.
	WebhookHealthRestart(ctx context.Context, org string, w api.WebhookRef) error
}
