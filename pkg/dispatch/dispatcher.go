// Package dispatch delivers events to webhooks: the Enqueuer queues
// deliveries in the event's transaction, the Dispatcher claims due ones under
// a lease, sends them through the destination guard, and records every
// attempt in small batches. A delivery is never claimed under an open
// transaction across its HTTP call, and a crashed dispatcher's leases expire
// so another (or the restarted one) finishes its work.
package dispatch

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// WebhookDisabler turns a webhook off visibly (spec, status and an event);
// the API server implements it.
type WebhookDisabler interface {
	DisableWebhook(ctx context.Context, w api.WebhookRef, reason string) error
}

// Observer is told about every recorded attempt (metrics).
type Observer interface {
	Attempt(w api.WebhookRef, a api.Attempt, status api.DeliveryStatus)
}

// Dispatcher sends due deliveries. Set the fields, then Start; Stop drains.
type Dispatcher struct {
	Store    store.Store
	Sender   *Sender
	Defaults Policy
	Disabler WebhookDisabler
	Observer Observer
	// Owner names this dispatcher in leases (one per replica).
	Owner string
	// Workers is how many requests may be in flight at once.
	Workers int
	// PollInterval is the fallback wake-up when nothing signals new work.
	PollInterval time.Duration
	// AutoDisableAfter disables a webhook that has failed without a success
	// for this long (0: never).
	AutoDisableAfter time.Duration
	// DrainTimeout bounds how long Stop waits for requests in flight.
	DrainTimeout time.Duration
	// WebhookTTL bounds how long a webhook and its secrets, once read, are
	// used for its deliveries. Changes made through this process apply at
	// once (WebhooksChanged); this is for those made on other replicas.
	WebhookTTL time.Duration
	Logger     *slog.Logger
	Now        func() time.Time
	// Rand returns [0,1) for jitter; injected so tests are exact.
	Rand func() float64

	wake    chan struct{}
	results chan finished

	mu       sync.Mutex
	inFlight map[api.WebhookRef]int
	limits   map[api.WebhookRef]int

	cacheMu    sync.Mutex
	cache      *webhookCache
	cacheUntil time.Time

	// more holds the webhooks that may have more due than was claimed:
	// slots they free are refilled from them (the loop's alone).
	more map[orgHook]bool

	stopFetch context.CancelFunc
	stopWork  context.CancelFunc
	done      chan struct{}
}

type finished struct {
	res     store.AttemptResult
	disable string // reason, when the webhook must be turned off
}

func (d *Dispatcher) now() time.Time { return d.Now() }

// Wake tells the dispatcher new work may be due; it never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Start runs the dispatch loop until Stop.
func (d *Dispatcher) Start(ctx context.Context) error {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Rand == nil {
		d.Rand = defaultRand
	}
	if d.Workers <= 0 {
		d.Workers = 32
	}
	if d.PollInterval <= 0 {
		d.PollInterval = time.Second
	}
	if d.DrainTimeout <= 0 {
		d.DrainTimeout = 15 * time.Second
	}
	if d.WebhookTTL <= 0 {
		d.WebhookTTL = time.Second
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	d.wake = make(chan struct{}, 1)
	d.results = make(chan finished, d.Workers)
	d.inFlight = map[api.WebhookRef]int{}
	d.limits = map[api.WebhookRef]int{}
	d.more = map[orgHook]bool{}
	d.done = make(chan struct{})
	fetchCtx, stopFetch := context.WithCancel(context.WithoutCancel(ctx))
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	d.stopFetch, d.stopWork = stopFetch, stopWork
	go func() {
		defer close(d.done)
		d.loop(fetchCtx, workCtx)
	}()
	return nil
}

// Stop stops claiming, waits for requests in flight (at most DrainTimeout,
// then cancels them: their deliveries stay pending and are retried), and
// writes every result.
func (d *Dispatcher) Stop() {
	if d.stopFetch == nil {
		return
	}
	d.stopFetch()
	select {
	case <-d.done:
	case <-time.After(d.DrainTimeout):
		d.stopWork()
		<-d.done
	}
	d.stopWork()
}

// loop is the dispatcher's one store writer. Each turn is one write
// transaction that records the results that came in and claims as many due
// deliveries as there are free slots: under a backlog, every finished batch
// is replaced in the same commit. After Stop it claims nothing more and
// returns once every request in flight has reported.
//
// A turn claims in two ways. A webhook that freed slots and may have more
// due (its last claim was full, or it was held at its limit) refills them
// from its own deliveries, through an index of its own: a failing
// webhook's due retries cost a healthy one nothing. A claim over all
// webhooks runs when woken (new work, here or on another replica), at the
// poll, after a claim that filled every slot it asked for, or after one
// that other replicas' requests in flight held back; otherwise the queue
// had nothing more and the store is not asked again for nothing.
func (d *Dispatcher) loop(fetchCtx, workCtx context.Context) {
	active := 0
	var done []finished
	again, woken := true, true
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		for drained := false; !drained; {
			select {
			case f := <-d.results:
				done, active = append(done, f), active-1
			default:
				drained = true
			}
		}
		stopping := fetchCtx.Err() != nil
		if len(done) > 0 && !woken && !stopping {
			woken = d.gather(fetchCtx, &done, &active)
		}
		free := 0
		if !stopping {
			free = d.Workers - active
		}
		general := free > 0 && (again || woken)
		if len(done) > 0 || general {
			var batch []*store.Claimed
			var err error
			batch, again, err = d.turn(context.WithoutCancel(fetchCtx), done, free, general)
			done = nil
			cache := d.webhooks()
			for _, c := range batch {
				active++
				go d.work(workCtx, c, cache)
			}
			if general {
				woken = false
			}
			if free > 0 && len(batch) == free && err == nil {
				continue // every slot taken: more may be due right now
			}
		}
		if stopping {
			if active == 0 {
				return
			}
			f := <-d.results // wait for the requests in flight
			done, active = append(done, f), active-1
			continue
		}
		timer.Reset(d.PollInterval)
		select {
		case <-fetchCtx.Done():
		case <-d.wake:
			woken = true
		case f := <-d.results:
			done, active = append(done, f), active-1
		case <-timer.C:
			woken = true
		}
	}
}

// WebhooksChanged drops every webhook read: a Webhook or Secret has changed.
func (d *Dispatcher) WebhooksChanged() {
	d.cacheMu.Lock()
	defer d.cacheMu.Unlock()
	d.cache = nil
}

// webhooks returns the webhook reads to use for a new batch.
func (d *Dispatcher) webhooks() *webhookCache {
	d.cacheMu.Lock()
	defer d.cacheMu.Unlock()
	if now := time.Now(); d.cache == nil || now.After(d.cacheUntil) {
		d.cache, d.cacheUntil = newWebhookCache(), now.Add(d.WebhookTTL)
	}
	return d.cache
}

// gatherFor bounds how long a turn waits for more results to join it.
const gatherFor = time.Millisecond

// gather waits a little for more results while fewer than half of the
// requests out have reported, so that under load a turn records and
// refills many at once instead of one or two: a turn's fixed cost (a
// transaction, a claim's statements) is most of a small one's. It returns
// whether the dispatcher was woken meanwhile; new work does not wait.
func (d *Dispatcher) gather(ctx context.Context, done *[]finished, active *int) bool {
	if 2*len(*done) >= len(*done)+*active {
		return false
	}
	timer := time.NewTimer(gatherFor)
	defer timer.Stop()
	for 2*len(*done) < len(*done)+*active {
		select {
		case f := <-d.results:
			*done, *active = append(*done, f), *active-1
		case <-d.wake:
			return true
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
	return false
}

// orgHook names a webhook across organizations.
type orgHook struct {
	org string
	w   api.WebhookRef
}

// turn records results and claims up to n due deliveries, in one
// transaction: first refills for the webhooks the results came from, then,
// when general is set, a claim over all webhooks. again reports whether a
// claim over all webhooks should run on the next freed slot. A claim that
// fails does not take the results with it: they are written alone.
func (d *Dispatcher) turn(ctx context.Context, done []finished, n int, general bool) (out []*store.Claimed, again bool, err error) {
	rs := make([]store.AttemptResult, len(done))
	var refill []orgHook
	seen := map[orgHook]bool{}
	for i, f := range done {
		rs[i] = f.res
		d.release(f.res.Webhook)
		if h := (orgHook{f.res.Org, f.res.Webhook}); d.more[h] && !seen[h] {
			seen[h] = true
			refill = append(refill, h)
		}
	}
	// Longer than any attempt can take, so a lease never expires under a
	// live request; short enough that a dead replica's work returns soon.
	lease := 2*d.Defaults.RequestTimeout + d.Defaults.ConnectTimeout + 5*time.Second
	taken := map[api.WebhookRef]int{}
	held := map[orgHook]bool{} // vetoed at their limit here: refills take their work
	foreign := false           // vetoed for other replicas' requests in flight
	accept := func(del *store.Delivery, leased int) bool {
		// leased counts every replica's requests in flight to the webhook,
		// so its limit holds across replicas, not only in this process.
		if leased+taken[del.Webhook] >= d.limitOf(del) {
			if leased > d.inFlightOf(del.Webhook)-taken[del.Webhook] {
				foreign = true
			} else {
				held[orgHook{del.Org, del.Webhook}] = true
			}
			return false
		}
		if !d.accept(del) {
			held[orgHook{del.Org, del.Webhook}] = true
			return false
		}
		taken[del.Webhook]++
		return true
	}
	params := func(limit int) store.ClaimParams {
		return store.ClaimParams{Owner: d.Owner, Now: d.now(), Lease: lease, Limit: limit, Accept: accept}
	}
	finish := func(tx store.Tx) error {
		if len(rs) == 0 {
			return nil
		}
		return tx.DeliveryFinish(ctx, rs)
	}
	exclude := d.saturated()
	drained := map[orgHook]bool{} // refilled with fewer than asked: nothing more due
	generalFull := false
	err = d.Store.Update(ctx, func(tx store.Tx) error {
		out, generalFull = nil, false
		clear(drained)
		if err := finish(tx); err != nil {
			return err
		}
		for _, h := range refill {
			k := min(n-len(out), d.slotsOf(h.w))
			if k <= 0 {
				continue
			}
			p := params(k)
			p.Only, p.OnlyOrg = &h.w, h.org
			got, err := tx.DeliveryClaim(ctx, p)
			if err != nil {
				return err
			}
			out = append(out, got...)
			drained[h] = len(got) < k
		}
		if k := n - len(out); general && k > 0 {
			p := params(k)
			p.Exclude = exclude
			got, err := tx.DeliveryClaim(ctx, p)
			if err != nil {
				return err
			}
			out = append(out, got...)
			generalFull = len(got) == k
		}
		return nil
	})
	if err != nil {
		out = nil
		for w, k := range taken { // the claims did not happen: give the slots back
			for range k {
				d.release(w)
			}
		}
		if n > 0 && !errors.Is(err, context.Canceled) {
			d.Logger.Error("claiming deliveries failed", "err", err)
		}
		if len(rs) > 0 && n > 0 {
			err = d.Store.Update(ctx, finish)
		}
	} else {
		for h, empty := range drained {
			if empty {
				delete(d.more, h)
			}
		}
		for h := range held {
			d.more[h] = true
		}
		for _, c := range out {
			// Claimed up to its limit, or in a claim that took all it
			// asked for: more of it may be due.
			if generalFull || d.slotsOf(c.Webhook) <= 0 {
				d.more[orgHook{c.Org, c.Webhook}] = true
			}
		}
	}
	if len(rs) > 0 {
		if err != nil {
			// The leases will expire and the deliveries be sent again: at least once.
			d.Logger.Error("recording delivery attempts failed; they will be retried when their leases expire", "err", err, "count", len(rs))
		} else {
			d.recorded(ctx, done)
		}
	}
	return out, err != nil || generalFull || foreign, err
}

// saturated lists the webhooks with no free slot, which a claim leaves out
// altogether: otherwise their due deliveries could fill the window a claim
// reads and starve every other webhook.
func (d *Dispatcher) saturated() []api.WebhookRef {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []api.WebhookRef
	for w, n := range d.inFlight {
		if n >= d.limitLocked(w) {
			out = append(out, w)
		}
	}
	return out
}

// limitLocked is the webhook's limit as last read, or the default; d.mu
// is held.
func (d *Dispatcher) limitLocked(w api.WebhookRef) int {
	if l := d.limits[w]; l > 0 {
		return l
	}
	return d.Defaults.MaxInFlight
}

// limitOf is the limit on requests in flight to a delivery's webhook: what
// the delivery carries from its webhook's spec, or what the last attempt
// read, or the default.
func (d *Dispatcher) limitOf(del *store.Delivery) int {
	if del.MaxInFlight > 0 {
		return del.MaxInFlight
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.limitLocked(del.Webhook)
}

// slotsOf is how many more requests the webhook may have in flight here.
func (d *Dispatcher) slotsOf(w api.WebhookRef) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.limitLocked(w) - d.inFlight[w]
}

func (d *Dispatcher) inFlightOf(w api.WebhookRef) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.inFlight[w]
}

func (d *Dispatcher) setLimit(w api.WebhookRef, l int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.limits[w] = l
}

// accept admits a delivery while its webhook has a free slot, so one slow
// or failing endpoint cannot take every worker.
func (d *Dispatcher) accept(del *store.Delivery) bool {
	limit := d.limitOf(del)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.limits[del.Webhook] = limit // so saturated() judges by the same limit
	if d.inFlight[del.Webhook] >= limit {
		return false
	}
	d.inFlight[del.Webhook]++
	return true
}

// release frees a slot of the webhook: its delivery's lease is being
// given back. Slots are freed when results are recorded, not when requests
// end, so that what this dispatcher counts in flight is what the store
// counts leased.
func (d *Dispatcher) release(w api.WebhookRef) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.inFlight[w]--; d.inFlight[w] <= 0 {
		delete(d.inFlight, w)
	}
}

// work sends one claimed delivery and hands its result to the loop.
func (d *Dispatcher) work(ctx context.Context, c *store.Claimed, cache *webhookCache) {
	trigger := api.TriggerScheduled
	if c.Manual {
		trigger = api.TriggerManual
	}
	d.results <- d.attempt(ctx, c, trigger, cache)
}

// attempt reads what the delivery needs, sends it, and decides what follows.
func (d *Dispatcher) attempt(ctx context.Context, c *store.Claimed, trigger api.AttemptTrigger, cache *webhookCache) finished {
	f := finished{res: store.AttemptResult{Org: c.Org, DeliveryID: c.ID, Webhook: c.Webhook}}
	n := c.Attempts + 1
	o, p, reason, err := d.prepare(ctx, c, cache)
	var r result
	switch {
	case err != nil:
		r.attempt = api.Attempt{StartedAt: api.NewTime(d.now()), ErrorClass: api.ErrorConnection, Error: "could not read the webhook: " + err.Error()}
		r.out.retry = true
	case reason != "":
		r.attempt = api.Attempt{StartedAt: api.NewTime(d.now()), ErrorClass: api.ErrorDisabled, Error: reason}
	default:
		r = d.Sender.send(ctx, o, p)
	}
	r.attempt.Number, r.attempt.Trigger = n, trigger
	f.res.Attempt = r.attempt
	switch {
	case r.success:
		f.res.Status = api.DeliverySucceeded
	case r.out.disable:
		f.res.Status = api.DeliveryFailed
		f.disable = "the receiver answered 410 Gone, which asks the sender to stop"
	case r.out.retry && trigger != api.TriggerTest && ctx.Err() == nil:
		if delay, ok := p.next(n, r.retryAfter, d.Rand); ok {
			f.res.Status, f.res.NextAttemptAt = api.DeliveryPending, d.now().Add(delay)
		} else {
			f.res.Status = api.DeliveryFailed
			f.res.Attempt.Error += "; no retries left"
		}
	case ctx.Err() != nil && trigger != api.TriggerTest:
		// stopped mid-request: the delivery stays due and is sent again
		f.res.Status, f.res.NextAttemptAt = api.DeliveryPending, d.now()
	default:
		f.res.Status = api.DeliveryFailed
	}
	return f
}

// recorded reports committed results to the observer and turns off the
// webhooks that must stop: one that answered 410, or one failing for too
// long (its health is read once per batch).
func (d *Dispatcher) recorded(ctx context.Context, batch []finished) {
	checked := map[api.WebhookRef]bool{}
	for _, f := range batch {
		if d.Observer != nil {
			d.Observer.Attempt(f.res.Webhook, f.res.Attempt, f.res.Status)
		}
		if f.res.Attempt.ErrorClass == "" {
			continue
		}
		reason := f.disable
		if reason == "" && !checked[f.res.Webhook] {
			checked[f.res.Webhook] = true
			reason = d.failingTooLong(ctx, f.res)
		}
		if reason != "" && d.Disabler != nil {
			if err := d.Disabler.DisableWebhook(ctx, f.res.Webhook, reason); err != nil {
				d.Logger.Error("could not disable a webhook", "webhook", f.res.Webhook, "err", err)
			} else {
				d.Logger.Warn("webhook disabled", "webhook", f.res.Webhook, "reason", reason)
			}
		}
	}
}

// failingTooLong returns a reason when the webhook has failed without a
// success for longer than AutoDisableAfter.
func (d *Dispatcher) failingTooLong(ctx context.Context, r store.AttemptResult) string {
	if d.AutoDisableAfter <= 0 || r.Attempt.Trigger == api.TriggerTest || r.Attempt.ErrorClass == api.ErrorDisabled {
		return ""
	}
	var h store.WebhookHealth
	err := d.Store.View(ctx, func(tx store.Tx) error {
		var err error
		h, err = tx.WebhookHealthGet(ctx, r.Org, r.Webhook)
		return err
	})
	if err != nil || h.FailingSince.IsZero() || d.now().Sub(h.FailingSince) < d.AutoDisableAfter {
		return ""
	}
	return "every attempt has failed since " + api.NewTime(h.FailingSince).String() + " (last error: " + h.LastError + ")"
}
