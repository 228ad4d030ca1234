package console

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

// webhookForm is the data of the add and edit forms.
type webhookForm struct {
	New bool
	// Scopes are the choices of the add form, "Integration/monitor".
	Scopes  []string
	Scope   string
	Name    string
	Title   string
	URL     string
	Headers string
	Enabled bool
	// ResourceVersion is the version the edit form was opened on, so a
	// save over someone else's change is refused rather than undoing it.
	ResourceVersion string
	Action          string
	Cancel          string
	Problem         *problem
}

// webhookScopeKinds are the kinds webhooks live in, read from the
// definitions.
func webhookScopeKinds(p paths) []string {
	var out []string
	for _, d := range p.set.Definitions {
		if d.Kind == "Webhook" && d.ScopeKind != "" {
			out = append(out, d.ScopeKind)
		}
	}
	sort.Strings(out)
	return out
}

// scopeChoices lists every resource a webhook can live in.
func scopeChoices(ctx context.Context, c *client.Client, p paths) ([]string, error) {
	var out []string
	for _, kind := range webhookScopeKinds(p) {
		path, err := p.of(kind, "", "", "")
		if err != nil {
			return nil, err
		}
		items, err := c.List(ctx, path, client.ListOptions{PageSize: 500})
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out = append(out, kind+"/"+it.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (c *console) webhookNew(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	f := &webhookForm{New: true, Enabled: true, Scope: r.URL.Query().Get("scope")}
	return c.webhookFormView(ctx, s, f, http.StatusOK)
}

func (c *console) webhookFormView(ctx context.Context, s *session, f *webhookForm, status int) (*view, error) {
	title := "Edit webhook " + f.Name
	if f.New {
		p, err := c.paths(ctx, s)
		if err != nil {
			return nil, err
		}
		if f.Scopes, err = scopeChoices(ctx, s.api, p); err != nil {
			return nil, err
		}
		f.Action, f.Cancel, title = "/console/webhooks", "/console/webhooks", "Add a webhook"
	}
	return &view{Template: "webhook_form", Title: title, Section: "webhooks", Data: f, Status: status}, nil
}

// parseHeaders reads the headers field: one "Name: value" per line.
func parseHeaders(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("line %d of the headers is not of the form \"Name: value\": %q", i+1, line)
		}
		out[k] = strings.TrimSpace(v)
	}
	return out, nil
}

// formatHeaders writes headers the way parseHeaders reads them.
func formatHeaders(h map[string]string) string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, h[k])
	}
	return b.String()
}

func (c *console) webhookCreate(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	f := &webhookForm{New: true, Scope: r.PostForm.Get("scope"), Name: strings.TrimSpace(r.PostForm.Get("name")),
		Title: strings.TrimSpace(r.PostForm.Get("title")), URL: strings.TrimSpace(r.PostForm.Get("url")),
		Headers: r.PostForm.Get("headers"), Enabled: r.PostForm.Get("enabled") == "true"}
	scopeKind, scopeName, ok := strings.Cut(f.Scope, "/")
	if !ok || scopeKind == "" || scopeName == "" {
		f.Problem = &problem{Title: "Choose a scope", Detail: "A webhook lives in an Environment or an Integration.", Field: "scope"}
		return c.webhookFormView(ctx, s, f, http.StatusBadRequest)
	}
	// The API would make up a name for a webhook without one.
	if f.Name == "" {
		f.Problem = &problem{Title: "Enter a name", Detail: "Lower-case letters, digits, “-” and “.”; unique in its scope.", Field: "name"}
		return c.webhookFormView(ctx, s, f, http.StatusBadRequest)
	}
	headers, err := parseHeaders(f.Headers)
	if err != nil {
		f.Problem = &problem{Title: "Check the headers", Detail: err.Error(), Field: "headers"}
		return c.webhookFormView(ctx, s, f, http.StatusBadRequest)
	}
	p, err := c.paths(ctx, s)
	if err != nil {
		return nil, err
	}
	path, err := p.of("Webhook", scopeKind, scopeName, "")
	if err != nil {
		return nil, err
	}
	spec := api.WebhookSpec{Enabled: f.Enabled, URL: f.URL}
	if len(headers) > 0 {
		spec.Headers = headers
	}
	body, _ := json.Marshal(spec)
	res := &api.ResourceInstance{Group: path.Group, APIVersion: path.Version, Kind: "Webhook", Name: f.Name, Title: f.Title, Spec: body}
	created, err := s.api.Create(ctx, path, res)
	if err != nil {
		if f.Problem, err = asProblem(err); err != nil {
			return nil, err
		}
		return c.webhookFormView(ctx, s, f, http.StatusBadRequest)
	}
	return c.redirect(w, r, s, webhookLink(refOf(created)), "ok", "Webhook "+created.Name+" created.")
}

func (c *console) webhookEdit(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	wh, _, _, err := c.webhookFromPath(ctx, r, s)
	if err != nil {
		return nil, err
	}
	var spec api.WebhookSpec
	_ = wh.DecodeSpec(&spec)
	ref := refOf(wh)
	f := &webhookForm{Scope: ref.Scope.Kind + "/" + ref.Scope.Name, Name: wh.Name, Title: wh.Title, URL: spec.URL,
		Headers: formatHeaders(spec.Headers), Enabled: spec.Enabled, ResourceVersion: wh.Metadata.ResourceVersion,
		Action: webhookLink(ref) + "/edit", Cancel: webhookLink(ref)}
	return c.webhookFormView(ctx, s, f, http.StatusOK)
}

func (c *console) webhookUpdate(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	wh, path, _, err := c.webhookFromPath(ctx, r, s)
	if err != nil {
		return nil, err
	}
	ref := refOf(wh)
	f := &webhookForm{Scope: ref.Scope.Kind + "/" + ref.Scope.Name, Name: wh.Name, Title: wh.Title,
		URL: strings.TrimSpace(r.PostForm.Get("url")), Headers: r.PostForm.Get("headers"),
		Enabled: r.PostForm.Get("enabled") == "true", ResourceVersion: r.PostForm.Get("resourceVersion"),
		Action: webhookLink(ref) + "/edit", Cancel: webhookLink(ref)}
	headers, err := parseHeaders(f.Headers)
	if err != nil {
		f.Problem = &problem{Title: "Check the headers", Detail: err.Error(), Field: "headers"}
		return c.webhookFormView(ctx, s, f, http.StatusBadRequest)
	}
	err = c.putWebhookSpec(ctx, s, wh, path, f.ResourceVersion, func(spec map[string]any) {
		spec["url"], spec["enabled"] = f.URL, f.Enabled
		delete(spec, "headers")
		if len(headers) > 0 {
			spec["headers"] = headers
		}
	})
	if err != nil {
		p, ferr := asProblem(err)
		if ferr != nil {
			return nil, ferr
		}
		status := http.StatusBadRequest
		if client.HasStatus(err, http.StatusPreconditionRequired) || client.HasStatus(err, http.StatusConflict) {
			p.Detail += " Someone changed the webhook since you opened this form: reload it to see their change."
			status = http.StatusConflict
		}
		f.Problem = p
		return c.webhookFormView(ctx, s, f, status)
	}
	return c.redirect(w, r, s, webhookLink(ref), "ok", "Webhook "+wh.Name+" saved.")
}

// putWebhookSpec changes a webhook's spec and saves it at version (the one
// the user saw). The spec is edited as a map, so fields the console does not
// know (auth, signing, delivery) are kept as they are.
func (c *console) putWebhookSpec(ctx context.Context, s *session, wh *api.ResourceInstance, path client.Path, version string, edit func(map[string]any)) error {
	spec := map[string]any{}
	if len(wh.Spec) > 0 {
		if err := json.Unmarshal(wh.Spec, &spec); err != nil {
			return err
		}
	}
	edit(spec)
	wh.Spec, _ = json.Marshal(spec)
	wh.Metadata.ResourceVersion = version
	// Subresources are never written by a PUT of the resource; sending
	// them back would only make the body bigger.
	wh.SubResources = nil
	_, err := s.api.Update(ctx, path, wh)
	return err
}
