package webhook

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/discovery"
)

// triggerForm is the syntax of --trigger, for error messages.
const triggerForm = `KIND[:created,updated,deleted][@SCOPEKIND/SCOPENAME], e.g. --trigger 'APIService:created,deleted@Environment/prod' or --trigger '*@Environment/prod'`

// triggerTypes are the ResourceHook trigger types, the default of a
// --trigger that names none.
var triggerTypes = []string{"created", "updated", "deleted"}

// parseURL checks --url: the server POSTs to it, so it must be absolute
// http or https.
func parseURL(s string) error {
	if s == "" {
		return clierr.Flagf("--url is required: the address the events are POSTed to, e.g. --url https://example.com/hooks/central")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return clierr.Flagf(fmt.Sprintf("--url must be an absolute http(s) URL, e.g. --url https://example.com/hooks/central; got %q", s))
	}
	return nil
}

// parseHeaders reads the --header NAME=VALUE flags and adds
// Content-Type: application/json unless one was given.
func parseHeaders(flags []string) (map[string]string, error) {
	h := map[string]string{}
	hasType := false
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t\r\n:") || strings.ContainsAny(v, "\r\n") {
			return nil, clierr.Flagf(fmt.Sprintf(`invalid --header %q: use NAME=VALUE, e.g. --header "X-Team=payments"`, f))
		}
		h[k] = v
		hasType = hasType || strings.EqualFold(k, "Content-Type")
	}
	if !hasType {
		h["Content-Type"] = "application/json"
	}
	return h, nil
}

// parseSecretRef reads --secret NAME/KEY.
func parseSecretRef(s string) (*api.SecretRef, error) {
	name, key, ok := strings.Cut(s, "/")
	if !ok || name == "" || key == "" || strings.Contains(key, "/") {
		return nil, clierr.Flagf(fmt.Sprintf(`invalid --secret %q: use SECRETNAME/KEY, a key of a Secret in the webhook's scope, e.g. --secret jira-credentials/token`, s))
	}
	return &api.SecretRef{Name: name, Key: key}, nil
}

// parseTrigger reads one --trigger: KIND[:TYPES][@SCOPEKIND/SCOPENAME]. The
// group is filled in later from the server's definitions.
func parseTrigger(s string) (api.Trigger, error) {
	bad := func(why string) (api.Trigger, error) {
		return api.Trigger{}, clierr.Flagf(fmt.Sprintf("invalid --trigger %q: %s; use %s", s, why, triggerForm))
	}
	rest, scope, hasScope := strings.Cut(s, "@")
	kind, types, hasTypes := strings.Cut(rest, ":")
	t := api.Trigger{Kind: strings.TrimSpace(kind), Name: "*"}
	if t.Kind == "" {
		return bad("the kind is missing")
	}
	if hasTypes {
		for _, typ := range strings.Split(types, ",") {
			typ = strings.TrimSpace(typ)
			if !slices.Contains(triggerTypes, typ) {
				return bad(fmt.Sprintf("%q is not a type (created, updated or deleted)", typ))
			}
			if !slices.Contains(t.Type, typ) {
				t.Type = append(t.Type, typ)
			}
		}
	} else {
		t.Type = slices.Clone(triggerTypes)
	}
	if hasScope {
		sk, sn, ok := strings.Cut(scope, "/")
		if !ok || sk == "" || sn == "" || strings.Contains(sn, "/") {
			return bad("the scope must be SCOPEKIND/SCOPENAME")
		}
		t.Scope = &api.TriggerScope{Kind: sk, Name: sn}
	}
	return t, nil
}

// resolveTriggers checks the triggers' kinds and scopes against what the
// server serves and fills in each group: "management" for any kind ("*"),
// else the kind's own.
func resolveTriggers(set *discovery.Set, triggers []api.Trigger) error {
	for i := range triggers {
		t := &triggers[i]
		if t.Kind == "*" {
			t.Group = "management"
			if t.Scope != nil && !slices.Contains(set.ScopeKinds(), t.Scope.Kind) {
				return clierr.Flagf(fmt.Sprintf("invalid --trigger scope %q: nothing lives in the scope kind %s; scope kinds are %s",
					t.Scope.Kind+"/"+t.Scope.Name, t.Scope.Kind, strings.Join(set.ScopeKinds(), ", ")))
			}
			continue
		}
		var scopes []string
		for _, d := range set.Definitions {
			if d.Kind == t.Kind {
				t.Group = d.Group
				scopes = append(scopes, cmp.Or(d.ScopeKind, "no scope"))
			}
		}
		if t.Group == "" {
			return clierr.Flagf(fmt.Sprintf("invalid --trigger: the server has no kind %q (kinds are case sensitive, e.g. APIService)", t.Kind))
		}
		if t.Scope != nil {
			if _, ok := set.ForKind(t.Kind, t.Scope.Kind); !ok {
				return clierr.Flagf(fmt.Sprintf("invalid --trigger: %s resources don't live in the scope kind %s (they live in: %s)",
					t.Kind, t.Scope.Kind, strings.Join(scopes, ", ")))
			}
		}
	}
	return nil
}
