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
	"slices"
	"sync"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// WebhookDisabler turns a webhook off visibly (spec, status and an event);
// the API server implements it. failingSince, when not zero, is the start
// of the run of failures behind reason, as read from the webhook's health:
// a webhook whose health shows another by the time it would be turned off
// (it succeeded, or was enabled again) is left as it is. It reports
// whether it turned the webhook off.
type WebhookDisabler interface {
	DisableWebhook(ctx context.Context, w api.WebhookRef, reason string, failingSince time.Time) (bool, error)
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
	// Workers is how many requests may be in flight at once
	// (DefaultWorkers when zero).
	Workers int
	// ClaimAhead lets claims run ahead of the requests in flight: a webhook
	// may hold up to min(four times its limit, ClaimAhead) claimed deliveries
	// beyond those being sent, and a request that ends starts the next of
	// them at once instead of waiting for the store's next turn. The limits on
	// requests in flight still hold. Only a store with a single dispatcher
	// (the embedded one) may set it: deliveries claimed ahead would count
	// against other replicas' limits, and at Stop those not sent are given
	// back with DeliveryReleaseLeases. Zero (the default) claims only what
	// can be sent at once.
	ClaimAhead int
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

	mu         sync.Mutex
	leased     map[api.WebhookRef]int // claimed here, result not yet recorded
	limits     map[api.WebhookRef]int
	sending    map[api.WebhookRef]int // requests out now
	sendingAll int
	ready      map[api.WebhookRef][]*store.Claimed // claimed ahead, waiting for a slot

	cacheMu    sync.Mutex
	cache      *webhookCache
	cacheUntil time.Time

	// claimFailures counts the claims failed in a row, and claimLogged is
	// when the last was logged (the loop's alone).
	claimFailures int
	claimLogged   time.Time

	// more holds the webhooks that may have more due than was claimed:
	// slots they free are refilled from them (the loop's alone).
	more map[orgHook]bool

	stopFetch context.CancelFunc
	stopWork  context.CancelFunc
	done      chan struct{}
	// workers counts the goroutines sending: Stop returns only once they
	// are gone, so that a Start after it does not meet one still looking
	// for its next delivery.
	workers sync.WaitGroup
}

type finished struct {
	res     store.AttemptResult
	disable string // reason, when the webhook must be turned off
	// unsent is set when the delivery's lease ended before its request
	// could start: there is no attempt to record, and the delivery is
	// claimed again once the store sees the lease has ended.
	unsent bool
	// ordered is set when the delivery went to an ordered webhook: the
	// next delivery about the same resource waited for this one, and is
	// due now if this one is done.
	ordered bool
	// event is the id of the event the delivery sends, for the log.
	event string
	// late is set when the result reached the store after its lease
	// ended: the store leaves it out if the delivery was claimed again
	// meanwhile, so the log does not call the delivery failed on its word.
	late bool
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
		d.Workers = DefaultWorkers
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
	// Every claimed delivery reports once, and no more are claimed than
	// this, so a worker never waits to hand in a result.
	d.results = make(chan finished, d.Workers+d.ClaimAhead)
	d.leased = map[api.WebhookRef]int{}
	d.limits = map[api.WebhookRef]int{}
	d.sending = map[api.WebhookRef]int{}
	d.ready = map[api.WebhookRef][]*store.Claimed{}
	d.more = map[orgHook]bool{}
	d.done = make(chan struct{})
	fetchCtx, stopFetch := context.WithCancel(context.WithoutCancel(ctx))
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	d.stopFetch, d.stopWork = stopFetch, stopWork
	go func() {
		defer close(d.done)
		d.loop(fetchCtx, workCtx)
		d.workers.Wait()
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
		d.mu.Lock()
		out := d.sendingAll
		d.mu.Unlock()
		if out > 0 {
			d.Logger.Warn("webhook requests still in flight at the shutdown timeout are cut off; their deliveries stay pending and are sent again",
				"requests", out, "timeout", d.DrainTimeout.String())
		} else {
			d.Logger.Warn("the last results were still being written to the store at the shutdown timeout; what is not written is sent again",
				"timeout", d.DrainTimeout.String())
		}
		d.stopWork()
		<-d.done
	}
	d.stopWork()
}

// loop is the dispatcher's one store writer. Each turn is one write
// transaction that records the results that came in and claims as many due
// deliveries as there are free slots: under a backlog, every finished batch
// is replaced in the same commit. After Stop it claims nothing more and
// returns once every request in flight has reported; deliveries claimed
// ahead and not yet sent are given back.
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
	active := 0 // claimed deliveries whose results are not in yet
	var done []finished
	again, woken := true, true
	unsent := 0 // claimed ahead, dropped at Stop
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
		if stopping {
			n := d.dropReady()
			active, unsent = active-n, unsent+n
		}
		if len(done) > 0 && !woken && !stopping {
			woken = d.gather(fetchCtx, &done, &active)
		}
		free := 0
		if !stopping {
			free = d.Workers + d.ClaimAhead - active
		}
		general := free > 0 && (again || woken)
		if len(done) > 0 || general {
			var batch []*store.Claimed
			var err error
			batch, again, err = d.turn(context.WithoutCancel(fetchCtx), done, free, general)
			done = nil
			for _, c := range batch {
				active++
				d.start(workCtx, c)
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
				d.giveBack(context.WithoutCancel(fetchCtx), unsent)
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

// Claimed reports how many deliveries this dispatcher holds claimed: those
// in flight, those claimed ahead and those whose results are being
// recorded.
func (d *Dispatcher) Claimed() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	claimed := 0
	for _, n := range d.leased {
		claimed += n
	}
	return claimed
}

// Room reports whether this dispatcher could claim more right now: then
// deliveries queued in this process are left to it (it is woken at their
// commit), and other replicas are not woken to look for them as well.
func (d *Dispatcher) Room() bool {
	return d.Claimed() < d.Workers+d.ClaimAhead
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

// DefaultWorkers is how many requests a dispatcher has in flight at most
// when not told otherwise.
const DefaultWorkers = 32

// gatherFor bounds how long a turn waits for more results to join it.
const gatherFor = time.Millisecond

// gather waits a little for more results while fewer than half of the
// deliveries claimed have reported (a fifth when claims run ahead: about
// one per slot, while three times as many still wait to be sent), so that
// under load a turn records and refills many at once instead of one or
// two: a turn's fixed cost (a transaction, a claim's statements, a commit)
// is most of a small one's. It returns whether the dispatcher was woken
// meanwhile; new work does not wait.
func (d *Dispatcher) gather(ctx context.Context, done *[]finished, active *int) bool {
	share := 2
	if d.ClaimAhead > 0 {
		share = 5
	}
	enough := func() bool { return share*len(*done) >= len(*done)+*active }
	if enough() {
		return false
	}
	timer := time.NewTimer(gatherFor)
	defer timer.Stop()
	for !enough() {
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
	rs := make([]store.AttemptResult, 0, len(done))
	var refill []orgHook
	seen := map[orgHook]bool{}
	now := d.now()
	for i := range done {
		f := &done[i]
		if !f.unsent {
			rs = append(rs, f.res)
			if l := f.res.LeaseUntil; !l.IsZero() && now.After(l) {
				f.late = true
				d.Logger.Warn("an attempt's result is recorded after its lease ended; if the delivery was claimed again meanwhile, that claim's attempt stands and this one is left out of its history",
					"delivery", f.res.DeliveryID, webhookAttr(f.res.Webhook), "late", now.Sub(l).String())
			}
		}
		d.release(f.res.Webhook)
		next := f.ordered && f.res.Status != api.DeliveryPending // its successor in order is due
		if h := (orgHook{f.res.Org, f.res.Webhook}); (d.more[h] || next) && !seen[h] {
			seen[h] = true
			refill = append(refill, h)
		}
	}
	lease := d.lease()
	taken := map[api.WebhookRef]int{}   // by this turn's claims
	inClaim := map[api.WebhookRef]int{} // by the claim running: the store's leased count leaves them out
	held := map[orgHook]bool{}          // vetoed at their limit here: refills take their work
	full := map[api.WebhookRef]bool{}   // vetoed for other replicas' requests in flight
	accept := func(del *store.Delivery, leased int) bool {
		// leased counts every replica's requests in flight to the webhook,
		// so its limit holds across replicas, not only in this process.
		if leased+inClaim[del.Webhook] >= d.claimCap(d.limitOf(del)) {
			if leased > d.leasedOf(del.Webhook)-inClaim[del.Webhook] {
				full[del.Webhook] = true
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
		inClaim[del.Webhook]++
		return true
	}
	params := func(limit int) store.ClaimParams {
		clear(inClaim)
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
		// A webhook at its limit through other replicas' requests is not
		// saturated here, so a claim reads its due deliveries, which can
		// fill the window and hide every other webhook's: while a claim
		// finds such webhooks and falls short, the next leaves them out.
		for tries := 0; general && tries < 3; tries++ {
			k := n - len(out)
			if k <= 0 {
				break
			}
			before := len(full)
			p := params(k)
			p.Exclude = exclude
			got, err := tx.DeliveryClaim(ctx, p)
			if err != nil {
				return err
			}
			out = append(out, got...)
			generalFull = len(got) == k
			if generalFull || len(full) == before {
				break
			}
			for w := range full {
				if !slices.Contains(exclude, w) {
					exclude = append(exclude, w)
				}
			}
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
			d.claimFailed(err)
		}
		if len(rs) > 0 && n > 0 {
			err = d.Store.Update(ctx, finish)
		}
	} else {
		d.claimWorked()
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
	return out, err != nil || generalFull || len(full) > 0, err
}

// claimLogEvery is how often a claim that keeps failing (the store is
// down) is logged again: each turn fails, every poll interval.
const claimLogEvery = time.Minute

// claimFailed logs a failed claim: the first of a run at once, then one line
// a minute with the count since the last.
func (d *Dispatcher) claimFailed(err error) {
	d.claimFailures++
	now := d.now()
	if d.claimFailures > 1 && now.Sub(d.claimLogged) < claimLogEvery {
		return
	}
	d.Logger.Error("claiming deliveries failed; retrying at every poll", "err", err, "failures", d.claimFailures)
	d.claimLogged = now
}

// claimWorked ends a run of failed claims, saying so.
func (d *Dispatcher) claimWorked() {
	if d.claimFailures > 0 {
		d.Logger.Info("claiming deliveries works again", "failures", d.claimFailures)
		d.claimFailures = 0
	}
}

// leaseSlack is what a result needs to be recorded after its request: an
// attempt ends this long before its lease does.
const leaseSlack = 2 * time.Second

// lease is how long a claim holds its deliveries: longer than any attempt
// can take, a webhook's own requestTimeout (at most MaxTimeout) or twice
// the server's, so that a lease does not end under a live request; short
// enough that a dead replica's work returns soon. An attempt is also cut
// off at its lease (attempt), whatever happens.
func (d *Dispatcher) lease() time.Duration {
	l := max(2*d.Defaults.RequestTimeout, MaxTimeout) + d.Defaults.ConnectTimeout + 5*time.Second
	if d.ClaimAhead > 0 {
		l += 4 * (d.Defaults.RequestTimeout + d.Defaults.ConnectTimeout) // waits for four requests before it
	}
	return l
}

// saturated lists the webhooks with no free slot, which a claim leaves out
// altogether: otherwise their due deliveries could fill the window a claim
// reads and starve every other webhook.
func (d *Dispatcher) saturated() []api.WebhookRef {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []api.WebhookRef
	for w, n := range d.leased {
		if n >= d.claimCap(d.limitLocked(w)) {
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

// claimCap is how many deliveries of a webhook with this limit may be
// claimed at once: those in flight and those claimed ahead.
func (d *Dispatcher) claimCap(limit int) int {
	return limit + min(4*limit, d.ClaimAhead)
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

// slotsOf is how many more of the webhook's deliveries may be claimed here.
func (d *Dispatcher) slotsOf(w api.WebhookRef) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.claimCap(d.limitLocked(w)) - d.leased[w]
}

func (d *Dispatcher) leasedOf(w api.WebhookRef) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.leased[w]
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
	if d.leased[del.Webhook] >= d.claimCap(limit) {
		return false
	}
	d.leased[del.Webhook]++
	return true
}

// release frees a slot of the webhook: its delivery's lease is being
// given back. Slots are freed when results are recorded, not when requests
// end, so that what this dispatcher counts leased is what the store does.
func (d *Dispatcher) release(w api.WebhookRef) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.releaseLocked(w)
}

// releaseLocked is release with d.mu held.
func (d *Dispatcher) releaseLocked(w api.WebhookRef) {
	if d.leased[w]--; d.leased[w] <= 0 {
		delete(d.leased, w)
	}
}

// start sends a claimed delivery now if its webhook and the dispatcher
// have a request to spare, or else leaves it to the next worker that ends
// a request to it.
func (d *Dispatcher) start(ctx context.Context, c *store.Claimed) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if w := c.Webhook; d.sending[w] < d.limitLocked(w) && d.sendingAll < d.Workers {
		d.sending[w]++
		d.sendingAll++
		d.workers.Go(func() { d.work(ctx, c) })
		return
	}
	d.ready[c.Webhook] = append(d.ready[c.Webhook], c)
}

// work sends claimed deliveries one after another, handing each result to
// the loop, for as long as some are waiting.
func (d *Dispatcher) work(ctx context.Context, c *store.Claimed) {
	for c != nil {
		trigger := api.TriggerScheduled
		if c.Manual {
			trigger = api.TriggerManual
		}
		d.results <- d.attempt(ctx, c, trigger, d.webhooks())
		c = d.next(c.Webhook)
	}
}

// next gives a worker whose request to w has ended its next delivery: one
// waiting for w, or else one waiting for a webhook with a request to
// spare; nil ends the worker.
func (d *Dispatcher) next(w api.WebhookRef) *store.Claimed {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := d.popReady(w); c != nil {
		return c
	}
	if d.sending[w]--; d.sending[w] <= 0 {
		delete(d.sending, w)
	}
	d.sendingAll--
	for v := range d.ready {
		if d.sending[v] < d.limitLocked(v) {
			d.sending[v]++
			d.sendingAll++
			return d.popReady(v)
		}
	}
	return nil
}

// popReady takes the oldest delivery waiting for w; d.mu is held.
func (d *Dispatcher) popReady(w api.WebhookRef) *store.Claimed {
	q := d.ready[w]
	if len(q) == 0 {
		return nil
	}
	c := q[0]
	if len(q) == 1 {
		delete(d.ready, w)
	} else {
		d.ready[w] = q[1:]
	}
	return c
}

// dropReady forgets every delivery waiting to be sent (at Stop) and
// returns how many there were.
func (d *Dispatcher) dropReady() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for w, q := range d.ready {
		n += len(q)
		for range q {
			d.releaseLocked(w)
		}
	}
	clear(d.ready)
	return n
}

// giveBack frees the leases of the deliveries claimed ahead and never
// sent, once every other result is recorded: with ClaimAhead this is the
// store's only dispatcher, so no lease is left but theirs.
func (d *Dispatcher) giveBack(ctx context.Context, unsent int) {
	if unsent == 0 {
		return
	}
	if err := d.Store.Update(ctx, func(tx store.Tx) error { return tx.DeliveryReleaseLeases(ctx) }); err != nil {
		d.Logger.Error("could not give back deliveries claimed ahead; they are sent when their leases expire", "err", err, "count", unsent)
	}
}

// attempt reads what the delivery needs, sends it, and decides what follows.
func (d *Dispatcher) attempt(ctx context.Context, c *store.Claimed, trigger api.AttemptTrigger, cache *webhookCache) finished {
	f := finished{res: store.AttemptResult{Org: c.Org, DeliveryID: c.ID, Webhook: c.Webhook, LeaseUntil: c.LeaseUntil}, event: c.EventID}
	n := c.Attempts + 1
	o, p, reason, err := d.prepare(ctx, c, trigger, cache)
	var r result
	switch {
	case err != nil:
		r.attempt = api.Attempt{StartedAt: api.NewTime(d.now()), ErrorClass: api.ErrorConnection, Error: "could not read the webhook: " + err.Error()}
		r.out.retry = true
	case reason != "":
		r.attempt = api.Attempt{StartedAt: api.NewTime(d.now()), ErrorClass: api.ErrorDisabled, Error: reason}
		f.res.KeptStatusCode = c.LastStatusCode
	default:
		if !c.LeaseUntil.IsZero() {
			// A request must end while its lease holds: after it, the
			// delivery may be claimed, and sent, again.
			left := c.LeaseUntil.Sub(d.now()) - leaseSlack
			if left < time.Second {
				d.Logger.Warn("a claimed delivery waited until its lease nearly ended; it is claimed again",
					"delivery", c.ID, webhookAttr(c.Webhook))
				f.unsent = true
				return f
			}
			p.RequestTimeout = min(p.RequestTimeout, left)
		}
		r = d.Sender.send(ctx, o, p)
	}
	r.attempt.Number, r.attempt.Trigger = n, trigger
	f.res.Attempt, f.ordered = r.attempt, p.Ordered
	switch {
	case r.success:
		f.res.Status = api.DeliverySucceeded
	case r.out.disable:
		f.res.Status = api.DeliveryFailed
		f.disable = "the receiver answered 410 Gone, which asks the sender to stop"
	case r.out.retry && trigger != api.TriggerTest && ctx.Err() == nil:
		if delay, ok := p.next(n, r.retryAfter, r.out.overload, d.Rand); ok {
			f.res.Status, f.res.NextAttemptAt = api.DeliveryPending, d.now().Add(delay)
		} else {
			f.res.Status = api.DeliveryFailed
			f.res.Attempt.Error += "; no retries left"
		}
	case ctx.Err() != nil && trigger != api.TriggerTest:
		// Cut off by Stop after the drain timeout: the delivery stays due
		// and is sent again, and the receiver is not blamed.
		f.res.Attempt.ErrorClass = api.ErrorStopped
		f.res.Attempt.Error = "the server stopped before the receiver answered; the delivery is sent again when it is back"
		f.res.Status, f.res.NextAttemptAt = api.DeliveryPending, d.now()
	default:
		f.res.Status = api.DeliveryFailed
	}
	return f
}

// recorded logs committed results and reports them to the observer, and
// turns off the webhooks that must stop: one that answered 410, or one
// failing for too long (its health is read once per batch).
func (d *Dispatcher) recorded(ctx context.Context, batch []finished) {
	checked := map[api.WebhookRef]bool{}
	debug := d.Logger.Enabled(ctx, slog.LevelDebug)
	// A disabled or deleted webhook's deliveries fail as they come due, a
	// whole backlog of them: one line per webhook and batch, not each.
	offFailed := map[api.WebhookRef]int{}
	for _, f := range batch {
		if !f.unsent {
			d.logResult(ctx, &f, debug, offFailed)
		}
		if d.Observer != nil {
			d.Observer.Attempt(f.res.Webhook, f.res.Attempt, f.res.Status)
		}
		if f.res.Attempt.ErrorClass == "" {
			continue
		}
		reason, since := f.disable, time.Time{}
		if reason == "" && !checked[f.res.Webhook] {
			checked[f.res.Webhook] = true
			reason, since = d.failingTooLong(ctx, f.res)
		}
		if reason != "" && d.Disabler != nil {
			if off, err := d.Disabler.DisableWebhook(ctx, f.res.Webhook, reason, since); err != nil {
				d.Logger.Error("could not disable a webhook", webhookAttr(f.res.Webhook), "err", err)
			} else if off {
				d.Logger.Warn("webhook disabled", webhookAttr(f.res.Webhook), "reason", reason)
			}
		}
	}
	for w, n := range offFailed {
		d.Logger.Warn("deliveries failed: their webhook is disabled or deleted", webhookAttr(w), "count", n)
	}
}

// webhookAttr names a webhook in the log as the metrics do, one field per
// part: webhook.scopeKind, webhook.scopeName and webhook.name.
func webhookAttr(w api.WebhookRef) slog.Attr {
	return slog.Group("webhook", "scopeKind", w.Scope.Kind, "scopeName", w.Scope.Name, "name", w.Name)
}

// logResult logs a recorded attempt: one line at Debug for every attempt,
// and one at Warn for a delivery that failed for good (no retries left, or
// an answer that is not retried). A result
// recorded after its lease ended, which the store may have left out, is
// logged at Debug alone (the line about its lateness names the delivery).
// A success is never logged above Debug: a server makes thousands a
// second. Test sends (TestWebhook) do not come here: the user who made one
// has its answer. A failure because the webhook is disabled or deleted is
// counted in offFailed instead, for one line per webhook (recorded).
func (d *Dispatcher) logResult(ctx context.Context, f *finished, debug bool, offFailed map[api.WebhookRef]int) {
	r, a := &f.res, &f.res.Attempt
	failed := r.Status == api.DeliveryFailed && !f.late
	if failed && a.ErrorClass == api.ErrorDisabled {
		offFailed[r.Webhook]++
		failed = false
	}
	if !debug && !failed {
		return
	}
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs, slog.String("delivery", r.DeliveryID), webhookAttr(r.Webhook))
	if f.event != "" {
		attrs = append(attrs, slog.String("event", f.event))
	}
	attrs = append(attrs, slog.Int("attempt", a.Number), slog.String("trigger", string(a.Trigger)))
	if a.StatusCode != 0 {
		attrs = append(attrs, slog.Int("statusCode", a.StatusCode))
	}
	if a.ErrorClass != "" {
		attrs = append(attrs, slog.String("errorClass", string(a.ErrorClass)), slog.String("error", a.Error))
	}
	if debug {
		line := append(attrs, slog.Int64("durationMs", a.DurationMs), slog.String("status", string(r.Status)))
		if r.Status == api.DeliveryPending && !r.NextAttemptAt.IsZero() {
			line = append(line, slog.Time("nextAttemptAt", r.NextAttemptAt))
		}
		if f.late {
			line = append(line, slog.Bool("late", true))
		}
		d.Logger.LogAttrs(ctx, slog.LevelDebug, "delivery attempt", line...)
	}
	if failed {
		d.Logger.LogAttrs(ctx, slog.LevelWarn, "delivery failed", attrs...)
	}
}

// failingTooLong returns a reason, and when the failures began, when the
// webhook has failed without a success for longer than AutoDisableAfter.
func (d *Dispatcher) failingTooLong(ctx context.Context, r store.AttemptResult) (string, time.Time) {
	if d.AutoDisableAfter <= 0 || !r.CountsTowardsHealth() || r.Attempt.ErrorClass == api.ErrorDisabled {
		return "", time.Time{}
	}
	var h store.WebhookHealth
	err := d.Store.View(ctx, func(tx store.Tx) error {
		var err error
		h, err = tx.WebhookHealthGet(ctx, r.Org, r.Webhook)
		return err
	})
	if err != nil || h.FailingSince.IsZero() || d.now().Sub(h.FailingSince) < d.AutoDisableAfter {
		return "", time.Time{}
	}
	return "every attempt has failed since " + api.NewTime(h.FailingSince).String() + " (last error: " + h.LastError + ")", h.FailingSince
}
