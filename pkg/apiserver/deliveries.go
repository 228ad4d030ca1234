package apiserver

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/registry"
	"github.com/centralhq/central/pkg/store"
)

// deliveryRoutes serve the delivery log: list, read, retry and purge.
func (s *Server) deliveryRoutes(mux *http.ServeMux) {
	mux.Handle("GET /deliveries", s.wrap(s.handleDeliveryList))
	mux.Handle("GET /deliveries/{id}", s.wrap(s.handleDeliveryGet))
	mux.Handle("POST /deliveries/{id}/retry", s.wrap(s.handleDeliveryRetryOne))
	mux.Handle("POST /deliveries/retry", s.wrap(s.handleDeliveryRetry))
	mux.Handle("DELETE /deliveries", s.wrap(s.handleDeliveryPurge))
}

// deliveryFilter reads webhook, scope, status, eventType, eventId (an event's
// id), since and until.
func (s *Server) deliveryFilter(q url.Values) (store.DeliveryFilter, error) {
	f := store.DeliveryFilter{Org: s.Org}
	if sc := q.Get("scope"); sc != "" {
		kind, name, ok := strings.Cut(sc, "/")
		if !ok || kind == "" || name == "" {
			return f, invalid("", "scope must be KIND/NAME, e.g. Integration/monitor; got %q.", sc)
		}
		f.Webhook = &api.WebhookRef{Name: q.Get("webhook"), Scope: api.ScopeRef{Kind: kind, Name: name}}
	} else if q.Get("webhook") != "" {
		return f, invalid("", "webhook needs scope (KIND/NAME): webhook names are unique only within their scope.")
	}
	switch st := api.DeliveryStatus(q.Get("status")); st {
	case "", api.DeliveryPending, api.DeliverySucceeded, api.DeliveryFailed:
		f.Status = st
	default:
		return f, invalid("", "status must be pending, succeeded or failed; got %q.", st)
	}
	f.EventType = api.EventType(q.Get("eventType"))
	f.EventID = q.Get("eventId")
	if q.Has("eventId") && f.EventID == "" {
		return f, invalid("", "eventId is empty: give an event's id (what its receivers got as webhook-id), or leave the parameter out.")
	}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			t, err := api.ParseTime(v)
			if err != nil {
				return f, invalid("", "%s: %v", name, err)
			}
			*dst = t.Time
		}
	}
	return f, nil
}

func (s *Server) handleDeliveryList(w http.ResponseWriter, r *http.Request) (any, error) {
	f, err := s.deliveryFilter(r.URL.Query())
	if err != nil {
		return nil, err
	}
	p, err := parseListParams(url.Values{"page": {r.URL.Query().Get("page")}, "pageSize": {r.URL.Query().Get("pageSize")}})
	if err != nil {
		return nil, err
	}
	f.Page, f.PageSize = p.page, p.pageSize
	var out []*api.Delivery
	var total int
	err = s.Store.View(r.Context(), func(tx store.Tx) error {
		out, total, err = tx.DeliveryList(r.Context(), f)
		return err
	})
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("X-Axway-Total-Count", strconv.Itoa(total))
	h.Set("Link", pageLinks(r.URL, p, total))
	return response{status: http.StatusOK, body: out, headers: h}, nil
}

func (s *Server) deliveryGet(r *http.Request, id string) (*api.Delivery, error) {
	var d *api.Delivery
	err := s.Store.View(r.Context(), func(tx store.Tx) error {
		var err error
		d, err = tx.DeliveryGet(r.Context(), s.Org, id)
		return err
	})
	if err == store.ErrNotFound {
		return nil, errorf(http.StatusNotFound, "Delivery %s not found.", id)
	}
	return d, err
}

func (s *Server) handleDeliveryGet(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.deliveryGet(r, r.PathValue("id"))
}

func (s *Server) handleDeliveryRetryOne(w http.ResponseWriter, r *http.Request) (any, error) {
	id := r.PathValue("id")
	d, err := s.deliveryGet(r, id)
	if err != nil {
		return nil, err
	}
	if d.SequenceID == 0 {
		return nil, invalid("", "Delivery %s was a test send; send another with central hooks test.", id)
	}
	var n int
	err = s.Store.Update(r.Context(), func(tx store.Tx) error {
		// Sent now, it would fail at once without a request, and its last
		// status code (a 410 that disabled the webhook) would be lost.
		wh, sc := "Webhook/"+d.Webhook.Name, d.Webhook.Scope.Kind+"/"+d.Webhook.Scope.Name
		switch state, err := s.webhookState(r.Context(), tx, d.Webhook); {
		case err != nil:
			return err
		case state == webhookDisabled:
			return errorf(http.StatusConflict, "Delivery %s is not retried: its webhook %q in the scope %q is disabled (spec.enabled is false; "+
				"its status says why), so nothing is sent to it. Set spec.enabled to true again (central edit webhook %s -s %s), then retry.",
				id, wh, sc, d.Webhook.Name, sc)
		case state == webhookGone:
			return errorf(http.StatusConflict, "Delivery %s is not retried: its webhook %q in the scope %q was deleted, so there is nowhere to send it. "+
				"Create a webhook of that name in that scope again to retry it.", id, wh, sc)
		}
		var err error
		n, err = tx.DeliveryRetry(r.Context(), store.DeliveryFilter{Org: s.Org}, []string{id}, s.now(), false)
		return err
	})
	if err != nil {
		return nil, err
	}
	if n == 0 {
		// It exists and had an event: its request is in flight right now.
		return nil, errorf(http.StatusConflict, "Delivery %s is being sent right now. Its result is recorded when the request ends; "+
			"see it with central deliveries get %s, and retry then if it failed.", id, id)
	}
	s.wakeDeliveries()
	return s.deliveryGet(r, id)
}

func (s *Server) handleDeliveryRetry(w http.ResponseWriter, r *http.Request) (any, error) {
	f, err := s.deliveryFilter(r.URL.Query())
	if err != nil {
		return nil, err
	}
	if f.Status != "" && f.Status != api.DeliveryFailed {
		return nil, invalid("", "Only failed deliveries are retried by filter; pending ones are on their way and succeeded ones arrived.")
	}
	dry := r.URL.Query().Get("dryRun") == "true"
	until := boundForCount(&f, dry, s.now())
	var res api.CountResult
	err = s.Store.Update(store.Bulk(r.Context()), func(tx store.Tx) error {
		// Deliveries to disabled or deleted webhooks are left out: each
		// would fail at once without a request, and lose the status code
		// that tells why it failed. They are counted apart.
		on, off, err := s.webhooksOf(r.Context(), tx, f.Webhook)
		if err != nil {
			return err
		}
		count := func(g store.DeliveryFilter) (int, error) {
			return tx.DeliveryRetry(r.Context(), g, nil, s.now(), true)
		}
		if len(off) > 0 {
			left := f
			left.OnlyWebhooks = off
			if res.Disabled, err = count(left); err != nil {
				return err
			}
		}
		gone := f
		gone.ExcludeWebhooks = slices.Concat(on, off)
		if res.Deleted, err = count(gone); err != nil || len(on) == 0 {
			return err
		}
		retry := f
		retry.OnlyWebhooks = on
		res.Count, err = tx.DeliveryRetry(r.Context(), retry, nil, s.now(), dry)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !dry && res.Count > 0 {
		s.wakeDeliveries()
	}
	res.DryRun, res.Until = dry, until
	return res, nil
}

// A webhookState is how the dispatcher would judge a delivery's webhook.
type webhookState int

const (
	webhookEnabled  webhookState = iota
	webhookDisabled              // its spec does not enable it: it is sent nothing
	webhookGone                  // deleted (or never made)
)

// webhookState looks up the webhook a delivery is for.
func (s *Server) webhookState(ctx context.Context, tx store.Tx, w api.WebhookRef) (webhookState, error) {
	r, err := tx.ResourceGet(ctx, store.Key{Org: s.Org, Group: registry.Group, Kind: "Webhook",
		ScopeKind: w.Scope.Kind, ScopeName: w.Scope.Name, Name: w.Name})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return webhookGone, nil
	case err != nil:
		return 0, err
	case !isEnabledWebhook(r):
		return webhookDisabled, nil
	}
	return webhookEnabled, nil
}

// webhooksOf lists the existing webhooks a delivery filter's webhook (nil:
// every one; an empty name: every one in the scope) takes in, enabled and
// disabled apart.
func (s *Server) webhooksOf(ctx context.Context, tx store.Tx, w *api.WebhookRef) (on, off []api.WebhookRef, err error) {
	add := func(ref api.WebhookRef, state webhookState) {
		switch state {
		case webhookEnabled:
			on = append(on, ref)
		case webhookDisabled:
			off = append(off, ref)
		}
	}
	if w != nil && w.Name != "" {
		state, err := s.webhookState(ctx, tx, *w)
		add(*w, state)
		return on, off, err
	}
	rf := store.ResourceFilter{Org: s.Org, Group: registry.Group, Kind: "Webhook"}
	if w != nil {
		rf.ScopeKind, rf.ScopeName = w.Scope.Kind, w.Scope.Name
	}
	rs, err := tx.ResourceList(ctx, rf)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rs {
		state := webhookEnabled
		if !isEnabledWebhook(r) {
			state = webhookDisabled
		}
		add(api.WebhookRef{Name: r.Name, Scope: api.ScopeRef{Kind: r.ScopeKind(), Name: r.ScopeName()}}, state)
	}
	return on, off, nil
}

func (s *Server) handleDeliveryPurge(w http.ResponseWriter, r *http.Request) (any, error) {
	f, err := s.deliveryFilter(r.URL.Query())
	if err != nil {
		return nil, err
	}
	if f.Status != api.DeliveryFailed && f.Status != api.DeliverySucceeded {
		return nil, invalid("", "Purging needs status=failed or status=succeeded; pending deliveries are never purged.")
	}
	dry := r.URL.Query().Get("dryRun") == "true"
	until := boundForCount(&f, dry, s.now())
	var n int
	err = s.Store.Update(store.Bulk(r.Context()), func(tx store.Tx) error {
		n, err = tx.DeliveryPurge(r.Context(), f, dry)
		return err
	})
	if err != nil {
		return nil, err
	}
	return api.CountResult{Count: n, DryRun: dry, Until: until}, nil
}

// boundForCount gives a dry run's filter an upper bound of creation time,
// now if it has none (a millisecond on: the store compares milliseconds,
// and what was created in this one counts), and returns it for the
// answer. A confirmation asks about a count; sending the bound back acts
// on those deliveries and not on ones created in the meantime.
func boundForCount(f *store.DeliveryFilter, dry bool, now time.Time) *api.Time {
	if !dry {
		return nil
	}
	if f.Until.IsZero() {
		f.Until = now.Truncate(time.Millisecond).Add(time.Millisecond)
	}
	t := api.NewTime(f.Until)
	return &t
}

func (s *Server) wakeDeliveries() {
	if s.Deliveries != nil {
		s.Deliveries.Wake()
	}
}
