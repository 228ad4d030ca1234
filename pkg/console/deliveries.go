package console

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

// deliveryPageSize is how many deliveries one page lists.
const deliveryPageSize = 25

// deliveryRow is one delivery as the lists show it.
type deliveryRow struct {
	ID          string
	Link        string
	Status      string
	EventType   string
	Resource    string
	Webhook     string
	WebhookLink string // empty when the webhook no longer exists
	Attempts    int
	LastError   string
	CreatedAt   time.Time
	NextAt      time.Time
	// HeldBy, HeldLink: the earlier delivery this pending one waits
	// behind (ordered webhooks), and its page.
	HeldBy, HeldLink string
	// Test marks a delivery sent by "send test event": there is no event
	// of the log behind it, so it cannot be retried.
	Test bool
}

func deliveryRowOf(d api.Delivery) deliveryRow {
	row := deliveryRow{ID: d.ID, Link: "/console/deliveries/" + url.PathEscape(d.ID), Status: string(d.Status),
		EventType: string(d.EventType), Resource: resourceText(d.Resource), Webhook: webhookKey(d.Webhook),
		WebhookLink: webhookLink(d.Webhook), Attempts: d.Attempts, CreatedAt: d.CreatedAt.Time,
		NextAt: d.NextAttemptAt.Time, Test: d.SequenceID == 0}
	if d.HeldBy != "" {
		row.HeldBy, row.HeldLink, row.NextAt = d.HeldBy, "/console/deliveries/"+url.PathEscape(d.HeldBy), time.Time{}
	}
	if d.Status != api.DeliverySucceeded {
		row.LastError = deliveryError(d)
	}
	return row
}

// deliveryRows are the rows of a list, linking only the webhooks in exists
// (webhookSet): a deleted one's page would 404.
func deliveryRows(list []api.Delivery, exists map[string]bool) []deliveryRow {
	rows := make([]deliveryRow, 0, len(list))
	for _, d := range list {
		row := deliveryRowOf(d)
		if !exists[row.Webhook] {
			row.WebhookLink = ""
		}
		rows = append(rows, row)
	}
	return rows
}

// webhookSet is the webhookKey of each of hooks.
func webhookSet(hooks []*api.ResourceInstance) map[string]bool {
	set := make(map[string]bool, len(hooks))
	for _, h := range hooks {
		set[webhookKey(refOf(h))] = true
	}
	return set
}

// resourceText names the resource an event is about: "APIService/x in
// Environment/prod".
func resourceText(r api.ResourceRef) string {
	s := r.Kind + "/" + r.Name
	if r.Scope != nil && r.Scope.Name != "" {
		s += " in " + r.Scope.Kind + "/" + r.Scope.Name
	}
	return s
}

// deliveryListPage is the data of the delivery log.
type deliveryListPage struct {
	Filter   deliveryFilter
	Webhooks []option
	Statuses []option
	Sinces   []option
	Rows     []deliveryRow
	Total    int
	Page     int
	Pages    int
	Prev     string
	Next     string
	// First is page 1 with the same filter, for a page past the end.
	First string
	// Hidden carries the filter to the confirmation pages.
	Hidden []hidden
	// WebhookLink is the filtered webhook's page, if filtered to one that
	// exists.
	WebhookLink string
}

func (c *console) deliveryList(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	f, err := filterFromQuery(r.URL.Query())
	if err != nil {
		return nil, err
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	q := f.apiQuery(c.now())
	q.Set("page", strconv.Itoa(f.Page))
	q.Set("pageSize", strconv.Itoa(deliveryPageSize))
	list, total, err := listDeliveries(ctx, s.api, q)
	if err != nil {
		return nil, err
	}
	page := deliveryListPage{Filter: f, Page: f.Page, Total: total}
	for k, v := range f.query(1) {
		page.Hidden = append(page.Hidden, hidden{Name: k, Value: v[0]})
	}
	sort.Slice(page.Hidden, func(i, j int) bool { return page.Hidden[i].Name < page.Hidden[j].Name })
	page.Pages = max(1, (page.Total+deliveryPageSize-1)/deliveryPageSize)
	if f.Page > 1 {
		page.Prev = "/console/deliveries?" + f.query(f.Page-1).Encode()
	}
	if f.Page < page.Pages {
		page.Next = "/console/deliveries?" + f.query(f.Page+1).Encode()
	}
	page.First = f.link()

	p, err := c.paths(ctx, s)
	if err != nil {
		return nil, err
	}
	hooks, err := listWebhooks(ctx, s.api, p)
	if err != nil {
		return nil, err
	}
	exists := webhookSet(hooks)
	page.Webhooks = []option{{Value: "", Label: "All webhooks", Selected: f.Webhook == ""}}
	for _, h := range hooks {
		k := webhookKey(refOf(h))
		page.Webhooks = append(page.Webhooks, option{Value: k, Label: k, Selected: k == f.Webhook})
	}
	if ref, ok := parseWebhookKey(f.Webhook); ok {
		if exists[f.Webhook] {
			page.WebhookLink = webhookLink(ref)
		} else {
			// Kept as a choice, so filtering again keeps the filter.
			page.Webhooks = append(page.Webhooks, option{Value: f.Webhook, Label: f.Webhook + " (deleted)", Selected: true})
		}
	}
	page.Rows = deliveryRows(list, exists)
	for _, st := range []string{"", "pending", "succeeded", "failed"} {
		label := st
		if st == "" {
			label = "Any status"
		}
		page.Statuses = append(page.Statuses, option{Value: st, Label: label, Selected: st == f.Status})
	}
	for _, sc := range sinceChoices {
		page.Sinces = append(page.Sinces, option{Value: sc.Value, Label: sc.Label, Selected: sc.Value == f.Since})
	}
	title := "Deliveries"
	if f.Webhook != "" {
		title = "Deliveries to " + f.Webhook
	}
	return &view{Template: "deliveries", Title: title, Section: "deliveries", Data: page}, nil
}

// deliveryPage is the data of one delivery's page.
type deliveryPage struct {
	deliveryRow
	D api.Delivery
	// Disabled tells that its webhook is disabled, so it cannot be sent.
	Disabled bool
	// EventLink is the page of its event; empty for a test send, whose
	// event is not in the log.
	EventLink string
}

func (c *console) deliveryShow(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	var d api.Delivery
	if _, err := s.api.Do(ctx, http.MethodGet, "/deliveries/"+url.PathEscape(r.PathValue("id")), nil, nil, &d); err != nil {
		return nil, err
	}
	page := deliveryPage{deliveryRow: deliveryRowOf(d), D: d}
	if !page.Test {
		page.EventLink = eventLink(d.SequenceID)
	}
	wh, err := c.webhookOf(ctx, s, d.Webhook)
	if err != nil {
		return nil, err
	}
	if wh == nil {
		page.WebhookLink = ""
	} else {
		var spec api.WebhookSpec
		_ = wh.DecodeSpec(&spec)
		page.Disabled = !spec.Enabled
	}
	return &view{Template: "delivery", Title: "Delivery " + d.ID, Section: "deliveries", Data: page}, nil
}

// webhookOf reads the webhook a delivery is for; nil when it no longer
// exists.
func (c *console) webhookOf(ctx context.Context, s *session, ref api.WebhookRef) (*api.ResourceInstance, error) {
	p, err := c.paths(ctx, s)
	if err != nil {
		return nil, err
	}
	path, err := p.of("Webhook", ref.Scope.Kind, ref.Scope.Name, ref.Name)
	if err != nil {
		return nil, err
	}
	wh, err := s.api.Get(ctx, path)
	if client.HasStatus(err, http.StatusNotFound) {
		return nil, nil
	}
	return wh, err
}

func (c *console) deliveryRetryOne(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	id := r.PathValue("id")
	var d api.Delivery
	back := "/console/deliveries/" + url.PathEscape(id)
	if _, err := s.api.Do(ctx, http.MethodPost, "/deliveries/"+url.PathEscape(id)+"/retry", nil, nil, &d); err != nil {
		// Refused (its webhook was disabled or deleted since the page was
		// shown): the delivery's page says why and links the webhook.
		p, perr := asProblem(err)
		if perr != nil {
			return nil, perr
		}
		return c.redirect(w, r, s, back, "error", "The delivery was not sent again: "+p.Detail)
	}
	return c.redirect(w, r, s, back, "ok",
		"Delivery queued to be sent again now; reload this page to see the new attempt.")
}
