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
	// WebhooksChanged, when set, is called after a commit that changed a
	// Webhook or a Secret (the dispatcher drops what it read of them).
	WebhooksChanged func()
	Logger          *slog.Logger
	Now             func() time.Time

	// indexVersion is the hooks version (a sequence id, as a string) the
	// index was built at. It starts empty, which is right for a store with
	// no hooks; any stored version makes the first event load the index.
	indexVersion atomic.Value
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
	return tx.DeliveryInsert(ctx, ds)
}

// delivery builds the delivery of ev to one webhook, or nil when the webhook
// is missing or disabled: nothing is queued for those.
func (e *Enqueuer) delivery(ctx context.Context, tx store.Tx, ev *api.Event, ref api.ResourceRef, wh api.WebhookRef, now api.Time) (*store.Delivery, error) {
	w, err := tx.ResourceGet(ctx, store.Key{Org: e.Org, Group: registry.Group, Kind: "Webhook", ScopeKind: wh.Scope.Kind, ScopeName: wh.Scope.Name, Name: wh.Name})
	if err == store.ErrNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var spec api.WebhookSpec
	if err := w.DecodeSpec(&spec); err != nil || !spec.Enabled {
		return nil, nil
	}
	d := &store.Delivery{Org: e.Org}
	if spec.Delivery != nil {
		d.MaxInFlight = spec.Delivery.MaxInFlight
	}
	// A subscription's state changes always arrive in order: a receiver that
	// saw APPROVED before REQUESTED would act on a stale state.
	if spec.Delivery != nil && spec.Delivery.Ordered || ev.Type == api.SubscriptionUpdatedEvent {
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
// ResourceHook change: the version of the hook index.
func (e *Enqueuer) hooksVersionKey() string { return "hooks-version/" + e.Org }

// syncIndex keeps the in-memory hook index equal to the stored hooks, also
// when another replica changed them. A hook change records its sequence id
// as the index version in its own transaction; every event first compares
// that version with the one the index was built at and reloads on a
// difference. Write transactions of an organization are serialized (one
// SQLite writer; a per-organization lock in PostgreSQL), so a hook committed
// anywhere is in the index before the next event is matched.
func (e *Enqueuer) syncIndex(ctx context.Context, tx store.Tx, ev *api.Event, r *api.ResourceInstance) error {
	if r.Kind == "ResourceHook" {
		version := strconv.FormatInt(ev.Metadata.SequenceID, 10)
		if err := tx.SettingPut(ctx, e.hooksVersionKey(), version); err != nil {
			return err
		}
		if ev.Type == api.ResourceDeleted {
			e.Index.Delete(r.ScopeName(), r.Name)
		} else if err := e.Index.Put(r); err != nil {
			return err
		}
		e.indexVersion.Store(version)
		return nil
	}
	stored, err := tx.SettingGet(ctx, e.hooksVersionKey())
	if err == store.ErrNotFound {
		stored, err = "", nil
	}
	if err != nil || stored == e.currentVersion() {
		return err
	}
	hs, err := tx.ResourceList(ctx, store.ResourceFilter{Org: e.Org, Group: registry.Group, Kind: "ResourceHook"})
	if err != nil {
		return err
	}
	if err := e.Index.Replace(hs); err != nil && e.Logger != nil {
		e.Logger.Warn("some ResourceHooks were skipped", "err", err)
	}
	e.indexVersion.Store(stored)
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
