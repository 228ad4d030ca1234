// Package webhookref names one Webhook the way the webhook commands take it
// (a name and -s KIND/NAME), addresses it through the discovered kinds and
// labels it in messages and tables.
package webhookref

import (
	"fmt"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
)

// Kind is the kind of a webhook.
const Kind = "Webhook"

// Ref is one Webhook: the scope it lives in and its name.
type Ref struct {
	ScopeKind, ScopeName string
	Name                 string
}

// ParseScope reads -s for a command that addresses webhooks. Unlike "get",
// it wants KIND/NAME: a Webhook lives in an Environment or an Integration,
// and a bare name could be either.
func ParseScope(s string) (resource.Scope, error) {
	if s == "" {
		return resource.Scope{}, clierr.Flagf(`the scope is required: -s/--scope KIND/NAME, e.g. -s Integration/monitor or -s Environment/prod`)
	}
	sc, err := resource.ParseScope(s)
	if err != nil {
		return resource.Scope{}, clierr.Flagf(fmt.Sprintf(`invalid -s/--scope %q: use KIND/NAME, e.g. -s Integration/monitor or -s Environment/prod`, s))
	}
	if sc.Kind == "" {
		return resource.Scope{}, clierr.Flagf(fmt.Sprintf(`the scope must name its kind, as KIND/NAME: -s Integration/%[1]s or -s Environment/%[1]s`, sc.Name))
	}
	return sc, nil
}

// New returns the Ref of the webhook name in scope.
func New(scope resource.Scope, name string) Ref {
	return Ref{ScopeKind: scope.Kind, ScopeName: scope.Name, Name: name}
}

// FromAPI returns the Ref of a webhook as a delivery names it.
func FromAPI(w api.WebhookRef) Ref {
	return Ref{ScopeKind: w.Scope.Kind, ScopeName: w.Scope.Name, Name: w.Name}
}

// Scope returns the scope as the /deliveries filters take it: "KIND/NAME".
func (r Ref) Scope() string { return r.ScopeKind + "/" + r.ScopeName }

// String is the compact form used in tables: "Integration/monitor/jira",
// which reads like the webhook's URL path (scope, then name).
func (r Ref) String() string {
	if r.ScopeKind == "" {
		return r.Name
	}
	return r.Scope() + "/" + r.Name
}

// Label names the webhook as the Amplify CLI's messages do:
// "Webhook/jira" in the scope "Integration/monitor".
func (r Ref) Label() string {
	return resource.Label(&api.ResourceInstance{Kind: Kind, Name: r.Name,
		Metadata: api.Metadata{Scope: &api.Scope{Kind: r.ScopeKind, Name: r.ScopeName}}})
}

// Definition returns how the server serves webhooks in the ref's scope kind;
// a scope kind that holds no webhooks is a flag error listing those that do.
func (r Ref) Definition(set *discovery.Set) (discovery.Definition, error) {
	if d, ok := set.ForKind(Kind, r.ScopeKind); ok {
		return d, nil
	}
	var kinds []string
	for _, d := range set.Definitions {
		if d.Kind == Kind && d.ScopeKind != "" {
			kinds = append(kinds, d.ScopeKind)
		}
	}
	if len(kinds) == 0 {
		return discovery.Definition{}, fmt.Errorf("the server serves no %s resources", Kind)
	}
	return discovery.Definition{}, clierr.Flagf(fmt.Sprintf("a Webhook can't live in the scope kind %q; use -s %s/NAME",
		r.ScopeKind, strings.Join(kinds, "/NAME or -s ")))
}

// Path returns where the webhook lives, e.g.
// /apis/management/v1/integrations/monitor/webhooks/jira.
func (r Ref) Path(set *discovery.Set) (client.Path, error) {
	d, err := r.Definition(set)
	if err != nil {
		return client.Path{}, err
	}
	return set.Path(d, r.ScopeName, r.Name), nil
}

// SigningSecretNote says, after a signing secret was printed, where it
// stays readable: it is no one-time secret. secretName is the Secret
// holding it, "" if not known.
func (r Ref) SigningSecretNote(secretName string) string {
	if secretName == "" {
		return "The secret is also kept in the Secret that the webhook's spec.signing.secret names, where anyone with an API token can read it."
	}
	return fmt.Sprintf("The secret is also kept in the Secret %q in %s, where anyone with an API token can read it (central get secret %s -s %s -o yaml).",
		secretName, r.Scope(), secretName, r.Scope())
}
