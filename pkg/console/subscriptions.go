package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

// The states the subscriptions page moves a requested subscription to.
const (
	stateRequested = "REQUESTED"
	stateApproved  = "APPROVED"
	stateRejected  = "REJECTED"
)

// subscriptionRow is one pending subscription.
type subscriptionRow struct {
	Env, Name, Title string
	ConsumerInstance string
	Properties       string
	RequestedAt      api.Time
	Action           string
	Link             string
	// ID keeps the row's form fields' ids unique on the page.
	ID string
}

func (c *console) subscriptionList(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	p, err := c.paths(ctx, s)
	if err != nil {
		return nil, err
	}
	path, err := p.of("Subscription", "", "", "")
	if err != nil {
		return nil, err
	}
	// The list query language reaches spec and metadata, not the state
	// subresource, so the pending ones are picked here.
	items, err := s.api.List(ctx, path, client.ListOptions{PageSize: 500})
	if err != nil {
		return nil, err
	}
	var rows []subscriptionRow
	for _, it := range items {
		var st api.SubscriptionState
		if json.Unmarshal(it.SubResources["state"], &st) != nil || st.Name != stateRequested {
			continue
		}
		var spec api.SubscriptionSpec
		_ = it.DecodeSpec(&spec)
		row := subscriptionRow{Env: it.ScopeName(), Name: it.Name, Title: it.Title, ConsumerInstance: spec.ConsumerInstance,
			RequestedAt: st.Time, ID: strings.NewReplacer(".", "-", "/", "-").Replace(it.ScopeName() + "--" + it.Name),
			Action: "/console/subscriptions/" + url.PathEscape(it.ScopeName()) + "/" + url.PathEscape(it.Name) + "/state",
			Link:   resourceLink(path.Group, path.Plural, it.ScopeKind(), it.ScopeName(), it.Name)}
		if len(spec.Properties) > 0 {
			b, _ := json.Marshal(spec.Properties)
			row.Properties = string(b)
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].RequestedAt.Before(rows[j].RequestedAt.Time) })
	return &view{Template: "subscriptions", Title: "Subscriptions", Section: "subscriptions", Data: rows}, nil
}

func (c *console) subscriptionMove(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	state := r.PostForm.Get("state")
	if state != stateApproved && state != stateRejected {
		return nil, badRequest("The console approves or rejects requested subscriptions; state must be APPROVED or REJECTED.")
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	p, err := c.paths(ctx, s)
	if err != nil {
		return nil, err
	}
	path, err := p.of("Subscription", "Environment", r.PathValue("env"), r.PathValue("name"))
	if err != nil {
		return nil, err
	}
	body := api.StateChange{State: state, Description: strings.TrimSpace(r.PostForm.Get("description"))}
	if _, err := s.api.Do(ctx, http.MethodPost, path.String()+"/states", nil, body, nil); err != nil {
		p, perr := asProblem(err)
		if perr != nil {
			return nil, perr
		}
		return c.redirect(w, r, s, "/console/subscriptions", "error", "Subscription "+path.Name+" was not changed: "+p.Detail)
	}
	verb := "approved"
	if state == stateRejected {
		verb = "rejected"
	}
	return c.redirect(w, r, s, "/console/subscriptions", "ok", "Subscription "+path.Name+" in Environment "+path.ScopeName+" "+verb+".")
}
