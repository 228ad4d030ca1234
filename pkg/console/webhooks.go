package console

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

// webhookRow is one webhook as the list and the detail page show it.
type webhookRow struct {
	Ref     api.WebhookRef
	Title   string
	URL     string
	Enabled bool
	Health  health
	// Link is the webhook's page.
	Link string
}

// webhookLink is the console page of a webhook.
func webhookLink(ref api.WebhookRef) string {
	return "/console/webhooks/" + url.PathEscape(ref.Scope.Kind) + "/" + url.PathEscape(ref.Scope.Name) + "/" + url.PathEscape(ref.Name)
}

// deliveriesLink is the delivery log filtered to one webhook.
func deliveriesLink(ref api.WebhookRef) string {
	return "/console/deliveries?" + url.Values{"webhook": {webhookKey(ref)}}.Encode()
}

// webhookKey names a webhook in one string, "Integration/monitor/jira", for
// form values and filters.
func webhookKey(ref api.WebhookRef) string {
	return ref.Scope.Kind + "/" + ref.Scope.Name + "/" + ref.Name
}

// parseWebhookKey reads webhookKey's form back.
func parseWebhookKey(s string) (api.WebhookRef, bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return api.WebhookRef{}, false
	}
	return api.WebhookRef{Name: parts[2], Scope: api.ScopeRef{Kind: parts[0], Name: parts[1]}}, true
}

func refOf(r *api.ResourceInstance) api.WebhookRef {
	return api.WebhookRef{Name: r.Name, Scope: api.ScopeRef{Kind: r.ScopeKind(), Name: r.ScopeName()}}
}

// listWebhooks returns every webhook in every scope, sorted by scope and
// name.
func listWebhooks(ctx context.Context, c *client.Client, p paths) ([]*api.ResourceInstance, error) {
	path, err := p.of("Webhook", "", "", "")
	if err != nil {
		return nil, err
	}
	items, err := c.List(ctx, path, client.ListOptions{PageSize: 500})
	if err != nil {
		return nil, err
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := webhookKey(refOf(items[i])), webhookKey(refOf(items[j]))
		return a < b
	})
	return items, nil
}

// webhookListPage is the data of the webhooks page.
type webhookListPage struct {
	Query string
	// Return brings the enable/disable buttons back to this page.
	Return string
	Rows   []webhookRow
	Total  int
}

func (c *console) webhookList(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	p, err := c.paths(ctx, s)
	if err != nil {
		return nil, err
	}
	items, err := listWebhooks(ctx, s.api, p)
	if err != nil {
		return nil, err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page := webhookListPage{Query: q, Total: len(items), Return: "/console/webhooks"}
	if q != "" {
		page.Return += "?" + url.Values{"q": {q}}.Encode()
	}
	for _, it := range items {
		if q != "" && !containsFold(it.Name, q) && !containsFold(it.Title, q) {
			continue
		}
		row, err := webhookRowOf(ctx, s.api, it)
		if err != nil {
			return nil, err
		}
		page.Rows = append(page.Rows, row)
	}
	return &view{Template: "webhooks", Title: "Webhooks", Section: "webhooks", Data: page}, nil
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// webhookRowOf reads a webhook's spec and measures its health.
func webhookRowOf(ctx context.Context, c *client.Client, it *api.ResourceInstance) (webhookRow, error) {
	var spec api.WebhookSpec
	_ = it.DecodeSpec(&spec)
	ref := refOf(it)
	latest, _, err := webhookDeliveries(ctx, c, ref, healthSample)
	if err != nil {
		return webhookRow{}, err
	}
	return webhookRow{Ref: ref, Title: it.Title, URL: spec.URL, Enabled: spec.Enabled,
		Health: healthOf(it, spec, latest), Link: webhookLink(ref)}, nil
}

// webhookPage is the data of one webhook's page.
type webhookPage struct {
	webhookRow
	Headers []header
	// Signing names the Secret holding the signing keys, if any.
	Signing string
	// Auth names the Secret key sent as credentials, if any.
	Auth string
	// Hooks are the ResourceHooks (in an Integration) or subscription
	// definitions (in an Environment) that send to this webhook.
	Hooks     []hookRow
	HooksKind string
	// Recent are its latest deliveries; DeliveriesTotal counts them all.
	Recent          []deliveryRow
	DeliveriesTotal int
	DeliveriesLink  string
	EventTypes      []api.EventType
}

type header struct{ Name, Value string }

// hookRow is a resource that names the webhook.
type hookRow struct {
	Name     string
	Title    string
	Triggers []string
	Link     string
}

// webhookPath is the API path of the webhook the URL names.
func (c *console) webhookPath(ctx context.Context, r *http.Request, s *session) (client.Path, paths, error) {
	p, err := c.paths(ctx, s)
	if err != nil {
		return client.Path{}, p, err
	}
	path, err := p.of("Webhook", r.PathValue("scopeKind"), r.PathValue("scopeName"), r.PathValue("name"))
	return path, p, err
}

// webhookFromPath reads the webhook the URL names.
func (c *console) webhookFromPath(ctx context.Context, r *http.Request, s *session) (*api.ResourceInstance, client.Path, paths, error) {
	path, p, err := c.webhookPath(ctx, r, s)
	if err != nil {
		return nil, path, p, err
	}
	wh, err := s.api.Get(ctx, path)
	return wh, path, p, err
}

func (c *console) webhookShow(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	wh, _, p, err := c.webhookFromPath(ctx, r, s)
	if err != nil {
		return nil, err
	}
	var spec api.WebhookSpec
	_ = wh.DecodeSpec(&spec)
	ref := refOf(wh)
	latest, total, err := webhookDeliveries(ctx, s.api, ref, healthSample)
	if err != nil {
		return nil, err
	}
	page := webhookPage{
		webhookRow: webhookRow{Ref: ref, Title: wh.Title, URL: spec.URL, Enabled: spec.Enabled,
			Health: healthOf(wh, spec, latest), Link: webhookLink(ref)},
		DeliveriesTotal: total,
		DeliveriesLink:  deliveriesLink(ref),
		EventTypes:      []api.EventType{api.ResourceCreated, api.ResourceUpdated, api.ResourceDeleted, api.SubResourceUpdated},
	}
	for k, v := range spec.Headers {
		page.Headers = append(page.Headers, header{k, v})
	}
	sort.Slice(page.Headers, func(i, j int) bool { return page.Headers[i].Name < page.Headers[j].Name })
	if spec.Signing != nil {
		page.Signing = spec.Signing.Secret
	}
	if spec.Auth != nil && spec.Auth.Secret != nil {
		page.Auth = spec.Auth.Secret.Name + " (key " + spec.Auth.Secret.Key + ")"
	}
	for i, d := range latest {
		if i == 10 {
			break
		}
		page.Recent = append(page.Recent, deliveryRowOf(d))
	}
	page.HooksKind, page.Hooks, err = hooksOf(ctx, s.api, p, ref)
	if err != nil {
		return nil, err
	}
	return &view{Template: "webhook", Title: "Webhook " + ref.Name, Section: "webhooks", Data: page}, nil
}

// hooksOf lists what sends events to the webhook: the ResourceHooks of its
// Integration that name it, or, in an Environment, the subscription
// definitions that name it.
func hooksOf(ctx context.Context, c *client.Client, p paths, ref api.WebhookRef) (string, []hookRow, error) {
	kind := "ResourceHook"
	if ref.Scope.Kind == "Environment" {
		kind = "ConsumerSubscriptionDefinition"
	}
	path, err := p.of(kind, ref.Scope.Kind, ref.Scope.Name, "")
	if err != nil {
		return kind, nil, nil // this scope kind holds none
	}
	items, err := c.List(ctx, path, client.ListOptions{PageSize: 500})
	if err != nil {
		return kind, nil, err
	}
	var out []hookRow
	for _, it := range items {
		var spec struct {
			Webhooks []string      `json:"webhooks"`
			Triggers []api.Trigger `json:"triggers"`
		}
		if it.DecodeSpec(&spec) != nil || !slices.Contains(spec.Webhooks, ref.Name) {
			continue
		}
		row := hookRow{Name: it.Name, Title: it.Title, Link: resourceLink(path.Group, path.Plural, ref.Scope.Kind, ref.Scope.Name, it.Name)}
		for _, t := range spec.Triggers {
			row.Triggers = append(row.Triggers, triggerText(t))
		}
		out = append(out, row)
	}
	return kind, out, nil
}

// triggerText renders a trigger in one line, like the CLI's --trigger:
// "APIService:created,updated@Environment/prod".
func triggerText(t api.Trigger) string {
	s := t.Kind
	if t.Group != "" && t.Group != "management" {
		s = t.Group + "/" + s
	}
	if t.Name != "" && t.Name != "*" {
		s += " " + t.Name
	}
	if len(t.Type) > 0 {
		s += ":" + strings.Join(t.Type, ",")
	}
	if t.Scope != nil {
		s += "@" + t.Scope.Kind + "/" + t.Scope.Name
	}
	if t.Filter != "" {
		s += " if " + t.Filter
	}
	return s
}
