// Package registry holds the built-in resource definitions: each kind's group,
// plural, short names, scopes, subresources and table columns. The server
// routes and validates with it and publishes it under /apis/definitions, so
// the CLI discovers kinds from the server instead of hard-coding them.
package registry

import (
	"sort"
	"strings"

	"github.com/centralhq/central/pkg/api"
)

// Group is the group every built-in kind belongs to.
const Group = "management"

// Versions are the API versions served for every kind, newest first.
var Versions = []string{"v1", "v1alpha1"}

// Kind describes one resource kind.
type Kind struct {
	Kind            string
	Plural          string
	ShortNames      []string
	ShortNamesAlias []string
	// Scopes lists the kinds this kind can live in; empty for unscoped kinds.
	Scopes       []string
	SubResources []string
	// ExtraColumns are appended to the standard table columns.
	ExtraColumns []api.Column
}

// Singular is the lower-case kind, the CLI's singular word.
func (k *Kind) Singular() string { return strings.ToLower(k.Kind) }

// Scoped reports whether the kind lives inside another resource.
func (k *Kind) Scoped() bool { return len(k.Scopes) > 0 }

// HasScope reports whether scopeKind is one of the kind's scopes.
func (k *Kind) HasScope(scopeKind string) bool {
	for _, s := range k.Scopes {
		if s == scopeKind {
			return true
		}
	}
	return false
}

// HasSubResource reports whether name is a subresource of the kind: one of
// its named subresources or any "x-" key.
func (k *Kind) HasSubResource(name string) bool {
	if strings.HasPrefix(name, "x-") && len(name) > 2 {
		return true
	}
	for _, s := range k.SubResources {
		if s == name {
			return true
		}
	}
	return false
}

// Columns returns the kind's table columns: NAME, AGE, TITLE, RESOURCE KIND,
// the scope columns when scoped, RESOURCE GROUP, then its own.
func (k *Kind) Columns() []api.Column {
	cols := []api.Column{
		{Name: "Name", Type: "string", JSONPath: ".name"},
		{Name: "Age", Type: "date", JSONPath: ".metadata.audit.createTimestamp"},
		{Name: "Title", Type: "string", JSONPath: ".title"},
		{Name: "Resource Kind", Type: "string", JSONPath: ".kind"},
	}
	if k.Scoped() {
		cols = append(cols,
			api.Column{Name: "Scope Kind", Type: "string", JSONPath: ".metadata.scope.kind"},
			api.Column{Name: "Scope Name", Type: "string", JSONPath: ".metadata.scope.name"})
	}
	cols = append(cols, api.Column{Name: "Resource Group", Type: "string", JSONPath: ".group"})
	return append(cols, k.ExtraColumns...)
}

var agentColumns = []api.Column{
	{Name: "Dataplane Type", Type: "string", JSONPath: ".spec.dataplaneType"},
	{Name: "Status", Type: "string", JSONPath: ".status.state"},
}

var common = []string{"status", "references"}

func subs(extra ...string) []string { return append(append([]string{}, common...), extra...) }

var env = []string{"Environment"}

// kinds is the table of built-in kinds.
var kinds = []*Kind{
	{Kind: "Environment", Plural: "environments", ShortNames: []string{"env", "envs"}, ShortNamesAlias: []string{"env"},
		SubResources: subs("policies", "stages", "traceable", "compliancetasks", "complianceruntimeresult", "sampletrigger")},
	{Kind: "Integration", Plural: "integrations", ShortNames: []string{"integ"}, SubResources: subs()},
	{Kind: "K8SCluster", Plural: "k8sclusters", ShortNames: []string{"k8sc"}, SubResources: subs()},
	{Kind: "WatchTopic", Plural: "watchtopics", ShortNames: []string{"wt", "watchtopic"}, ShortNamesAlias: []string{"wt"}, SubResources: subs()},
	{Kind: "APIService", Plural: "apiservices", ShortNames: []string{"apis", "apisvc"}, ShortNamesAlias: []string{"apis"}, Scopes: env, SubResources: subs("details")},
	{Kind: "APIServiceRevision", Plural: "apiservicerevisions", ShortNames: []string{"apisr"}, Scopes: env, SubResources: subs()},
	{Kind: "APIServiceInstance", Plural: "apiserviceinstances", ShortNames: []string{"apisi"}, Scopes: env, SubResources: subs()},
	{Kind: "ConsumerInstance", Plural: "consumerinstances", ShortNames: []string{"consumeri"}, Scopes: env, SubResources: subs()},
	{Kind: "ConsumerSubscriptionDefinition", Plural: "consumersubscriptiondefs", ShortNames: []string{"consumersd"}, Scopes: env, SubResources: subs()},
	{Kind: "Subscription", Plural: "subscriptions", ShortNames: []string{"subs", "subscription"}, ShortNamesAlias: []string{"subs"}, Scopes: env,
		SubResources: subs("state"), ExtraColumns: []api.Column{
			{Name: "Consumer Instance", Type: "string", JSONPath: ".spec.consumerInstance"},
			{Name: "State", Type: "string", JSONPath: ".state.name"},
		}},
	{Kind: "AccessRequestDefinition", Plural: "accessrequestdefinitions", ShortNames: []string{"accreqdef"}, Scopes: env, SubResources: subs()},
	{Kind: "AccessRequest", Plural: "accessrequests", ShortNames: []string{"accreq"}, Scopes: env, SubResources: subs()},
	{Kind: "GovernanceAgent", Plural: "governanceagents", ShortNames: []string{"ga"}, Scopes: env, SubResources: subs("agentstate", "x-agent-details"), ExtraColumns: agentColumns},
	{Kind: "DiscoveryAgent", Plural: "discoveryagents", ShortNames: []string{"da"}, Scopes: env, SubResources: subs("agentstate", "x-agent-details"), ExtraColumns: agentColumns},
	{Kind: "TraceabilityAgent", Plural: "traceabilityagents", ShortNames: []string{"ta"}, Scopes: env, SubResources: subs("agentstate", "x-agent-details"), ExtraColumns: agentColumns},
	{Kind: "Secret", Plural: "secrets", ShortNames: []string{"secret"}, Scopes: []string{"Environment", "Integration"}, SubResources: subs()},
	{Kind: "Webhook", Plural: "webhooks", ShortNames: []string{"webh", "wh"}, ShortNamesAlias: []string{"webh"}, Scopes: []string{"Environment", "Integration"}, SubResources: subs()},
	{Kind: "ResourceHook", Plural: "resourcehooks", ShortNames: []string{"resourceh"}, Scopes: []string{"Integration"}, SubResources: subs()},
	{Kind: "APISpec", Plural: "apispecs", ShortNames: []string{"apisp"}, Scopes: []string{"K8SCluster"}, SubResources: subs()},
}

var (
	byKind   = map[string]*Kind{}
	byPlural = map[string]*Kind{}
)

func init() {
	for _, k := range kinds {
		byKind[k.Kind] = k
		byPlural[k.Plural] = k
	}
}

// Kinds returns every kind, sorted by plural.
func Kinds() []*Kind {
	out := append([]*Kind(nil), kinds...)
	sort.Slice(out, func(i, j int) bool { return out[i].Plural < out[j].Plural })
	return out
}

// ByKind finds a kind by its name ("Environment").
func ByKind(kind string) (*Kind, bool) { k, ok := byKind[kind]; return k, ok }

// ByPlural finds a kind by its plural ("environments").
func ByPlural(plural string) (*Kind, bool) { k, ok := byPlural[plural]; return k, ok }

// KindNames returns every kind name, sorted, for error messages.
func KindNames() []string {
	out := make([]string, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k.Kind)
	}
	sort.Strings(out)
	return out
}

// ServesVersion reports whether v is a served API version.
func ServesVersion(v string) bool { return v == "v1" || v == "v1alpha1" }

// SelfLink builds a resource's selfLink (without the /apis prefix).
func SelfLink(version string, k *Kind, scopeKind, scopeName, name string) string {
	var b strings.Builder
	b.WriteString("/" + Group + "/" + version)
	if scopeKind != "" {
		sk, _ := ByKind(scopeKind)
		if sk != nil {
			b.WriteString("/" + sk.Plural + "/" + scopeName)
		}
	}
	b.WriteString("/" + k.Plural)
	if name != "" {
		b.WriteString("/" + name)
	}
	return b.String()
}
