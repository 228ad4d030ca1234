package webhookref

import (
	"errors"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
)

var set = &discovery.Set{Definitions: []discovery.Definition{
	{Group: "management", Kind: "Webhook", Plural: "webhooks", Version: "v1", ScopeKind: "Environment", ScopePlural: "environments"},
	{Group: "management", Kind: "Webhook", Plural: "webhooks", Version: "v1", ScopeKind: "Integration", ScopePlural: "integrations"},
}}

func TestParseScope(t *testing.T) {
	sc, err := ParseScope("Integration/monitor")
	if err != nil || sc != (resource.Scope{Kind: "Integration", Name: "monitor"}) {
		t.Errorf("ParseScope = %+v, %v", sc, err)
	}
	for _, bad := range []string{"", "monitor", "Integration/", "/monitor"} {
		_, err := ParseScope(bad)
		var fe *clierr.FlagError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), "Integration/") {
			t.Errorf("ParseScope(%q) = %v, want a FlagError showing the form", bad, err)
		}
	}
}

func TestRef(t *testing.T) {
	r := New(resource.Scope{Kind: "Integration", Name: "monitor"}, "jira")
	if got := r.Label(); got != `"Webhook/jira" in the scope "Integration/monitor"` {
		t.Errorf("Label = %s", got)
	}
	if got := r.String(); got != "Integration/monitor/jira" {
		t.Errorf("String = %s", got)
	}
	p, err := r.Path(set)
	if err != nil || p.String() != "/apis/management/v1/integrations/monitor/webhooks/jira" {
		t.Errorf("Path = %s, %v", p, err)
	}
	if FromAPI(api.WebhookRef{Name: "jira", Scope: api.ScopeRef{Kind: "Integration", Name: "monitor"}}) != r {
		t.Error("FromAPI differs from New")
	}
	_, err = Ref{ScopeKind: "APIService", ScopeName: "x", Name: "w"}.Path(set)
	var fe *clierr.FlagError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "use -s Environment/NAME or -s Integration/NAME") {
		t.Errorf("Path in an APIService: %v", err)
	}
}
