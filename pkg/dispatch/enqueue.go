package dispatch

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/hooks"
	"github.com/centralhq/central/pkg/registry"
	"github.com/centralhq/central/pkg/store"
)

// Enqueuer turns events into deliveries inside the event's own transaction
// (it is the API server's EventSink), so no event is ever without its
// deliveries, and keeps the hook index in step with ResourceHook changes.
type Enqueuer struct {
	Index *hooks.Index
	Org   string
	Wake  func()
	// Room, when set, reports whether the dispatcher Wake wakes has room
	// to claim what is queued now; then other replicas are not woken.
	Room func() bool
	// WebhooksChanged, when set, is called after a commit that changed a
	// Webhook or a Secret (the dispatcher drops what it read of them).
	WebhooksChanged func()
	Logger          *slog.Logger
	Now             func() time.Time

	// indexVersion is the hooks version (a sequence id, as a string) the
	// index was built at. It starts empty, which is right for a store with
	// no hooks; any stored version makes the first event load the index.
	indexVersion atomic.Value
	// webhooks caches what queueing needs of each webhook; it is valid for
	// indexVersion, which a Webhook change moves as a ResourceHook change
	// does, so every replica drops it before the next event.
	mu       sync.Mutex
	webhooks map[api.WebhookRef]webhookInfo

	// touched holds the ids of events about Webhooks and Secrets, and
	// queued those of events that queued deliveries, until their
	// transaction settles.
	touched, queued sync.Map
}

// EventAppended queues one delivery per matching, enabled webhook.
func (e *Enqueuer) EventAppended(ctx context.Context, tx store.Tx, ev *api.Event, r *api.ResourceInstance) error {
	if r.Group == registry.Group && (r.Kind == "Webhook" || r.Kind == "Secret") {
		e.touched.Store(ev.ID, true)
	}
	if err := e.syncIndex(ctx, tx, ev, r); err != nil {
		return err
	}
	matched := e.Index.Match(ev, r)
	targets := make([]api.WebhookRef, len(matched))
	for i, t := range matched {
		targets[i] = api.WebhookRef{Name: t.Webhook, Scope: api.ScopeRef{Kind: "Integration", Name: t.Integration}}
	}
	return e.EventTargeted(ctx, tx, ev, r, targets)
}

// EventTargeted queues one delivery of ev per named, enabled webhook.
func (e *Enqueuer) EventTargeted(ctx context.Context, tx store.Tx, ev *api.Event, r *api.ResourceInstance, targets []api.WebhookRef) error {
	if len(targets) == 0 {
		return nil
	}
	now := api.NewTime(e.Now())
	ref := api.ResourceRef{Group: r.Group, Kind: r.Kind, Name: r.Name}
	if sc := r.Metadata.Scope; sc != nil {
		ref.Scope = &api.ScopeRef{Kind: sc.Kind, Name: sc.Name}
	}
	var ds []*store.Delivery
	for _, wh := range targets {
		d, err := e.delivery(ctx, tx, ev, ref, wh, now)
		if err != nil {
			return err
		}
		if d != nil {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	e.queued.Store(ev.ID, true)
	return tx.DeliveryInsert(ctx, ds, e.Room == nil || !e.Room())
}

// webhookInfo is what queueing a delivery needs of its webhook.
type webhookInfo struct {
	enabled     bool // found, with a readable spec, and enabled
	ordered     bool
	maxInFlight int
}

// webhook reads what queueing needs of a webhook, from the cache when the
// index version has not moved since it was read.
func (e *Enqueuer) webhook(ctx context.Context, tx store.Tx, wh api.WebhookRef) (webhookInfo, error) {
	e.mu.Lock()
	info, ok := e.webhooks[wh]
	e.mu.Unlock()
	if ok {
		return info, nil
	}
	w, err := tx.ResourceGet(ctx, store.Key{Org: e.Org, Group: registry.Group, Kind: "Webhook", ScopeKind: wh.Scope.Kind, ScopeName: wh.Scope.Name, Name: wh.Name})
	if err != nil && err != store.ErrNotFound {
		return info, err
	}
	var spec api.WebhookSpec
	if err == nil && w.DecodeSpec(&spec) == nil && spec.Enabled {
		info.enabled = true
		if d := spec.Delivery; d != nil {
			// Bounded as a spec saved before the bounds is sent (ForWebhook).
			info.ordered, info.maxInFlight = d.Ordered, max(0, min(d.MaxInFlight, MaxInFlightLimit))
		}
	}
	e.mu.Lock()
	if e.webhooks == nil {
		e.webhooks = map[api.WebhookRef]webhookInfo{}
	}
	e.webhooks[wh] = info
	e.mu.Unlock()
	return info, nil
}

func (e *Enqueuer) forgetWebhooks() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.webhooks = nil
}

// delivery builds the delivery of ev to one webhook, or nil when the webhook
// is missing or disabled: nothing is queued for those.
func (e *Enqueuer) delivery(ctx context.Context, tx store.Tx, ev *api.Event, ref api.ResourceRef, wh api.WebhookRef, now api.Time) (*store.Delivery, error) {
	info, err := e.webhook(ctx, tx, wh)
	if err != nil || !info.enabled {
		return nil, err
	}
	d := &store.Delivery{Org: e.Org, MaxInFlight: info.maxInFlight}
	// A subscription's state changes always arrive in order: a receiver that
	// saw APPROVED before REQUESTED would act on a stale state.
	if info.ordered || ev.Type == api.SubscriptionUpdatedEvent {
		d.OrderKey = orderKey(ref)
	}
	d.ID, d.EventID, d.EventType, d.SequenceID = NewDeliveryID(now.Time), ev.ID, ev.Type, ev.Metadata.SequenceID
	d.Resource, d.Webhook, d.Status = ref, wh, api.DeliveryPending
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = now, now, now
	return d, nil
}

func orderKey(r api.ResourceRef) string {
	parts := []string{r.Group, r.Kind, "", "", r.Name}
	if r.Scope != nil {
		parts[2], parts[3] = r.Scope.Kind, r.Scope.Name
	}
	return strings.Join(parts, "/")
}

// Settled wakes the dispatcher after a commit. A rolled-back hook change
// needs no repair: its version went back with the transaction, so the next
// event finds the index stale and reloads it.
func (e *Enqueuer) Settled(ctx context.Context, events []*api.Event, committed bool) {
	changed, queued := false, false
	for _, ev := range events {
		if _, ok := e.touched.LoadAndDelete(ev.ID); ok {
			changed = true
		}
		if _, ok := e.queued.LoadAndDelete(ev.ID); ok {
			queued = true
		}
	}
	if committed && changed && e.WebhooksChanged != nil {
		e.WebhooksChanged()
	}
	if committed && queued && e.Wake != nil {
		e.Wake() // only a commit that queued deliveries has work for it
	}
}

// hooksVersionKey is the setting holding the sequence id of the latest
// ResourceHook or Webhook change: the version of the hook index and of the
// webhooks the Enqueuer has read.
func (e *Enqueuer) hooksVersionKey() string { return "hooks-version/" + e.Org }

// syncIndex keeps the in-memory hook index (and the webhooks read) equal
// to the stored ones, also when another replica changed them. A hook or
// webhook change records its sequence id as the version in its own
// transaction; every event first compares that version with the one the
// index was built at and reloads on a difference. Write transactions of an organization are serialized (one
// SQLite writer; a per-organization lock in PostgreSQL), so a hook committed
// anywhere is in the index before the next event is matched.
func (e *Enqueuer) syncIndex(ctx context.Context, tx store.Tx, ev *api.Event, r *api.ResourceInstance) error {
	stored, err := tx.SettingGet(ctx, e.hooksVersionKey())
	if err == store.ErrNotFound {
		stored, err = "", nil
	}
	if err != nil {
		return err
	}
	if stored != e.currentVersion() {
		// Changed elsewhere: reload (this transaction's own writes included).
		hs, err := tx.ResourceList(ctx, store.ResourceFilter{Org: e.Org, Group: registry.Group, Kind: "ResourceHook"})
		if err != nil {
			return err
		}
		if err := e.Index.Replace(hs); err != nil && e.Logger != nil {
			e.Logger.Warn("some ResourceHooks were skipped", "err", err)
		}
		e.forgetWebhooks()
		e.indexVersion.Store(stored)
	}
	if r.Kind != "ResourceHook" && r.Kind != "Webhook" {
		return nil
	}
	// A hook or webhook change moves the version, so that every replica
	// reloads before matching its next event.
	version := strconv.FormatInt(ev.Metadata.SequenceID, 10)
	if err := tx.SettingPut(ctx, e.hooksVersionKey(), version); err != nil {
		return err
	}
	e.forgetWebhooks()
	if r.Kind == "ResourceHook" {
		if ev.Type == api.ResourceDeleted {
			e.Index.Delete(r.ScopeName(), r.Name)
		} else if err := e.Index.Put(r); err != nil {
			return err
		}
	}
	e.indexVersion.Store(version)
	return nil
}

func (e *Enqueuer) currentVersion() string {
	v, _ := e.indexVersion.Load().(string)
	return v
}

// NewDeliveryID returns an id that sorts by creation time: 12 hex digits of
// milliseconds and 10 random bytes.
func NewDeliveryID(t time.Time) string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("dlv_%012x%x", t.UnixMilli(), b)
}
