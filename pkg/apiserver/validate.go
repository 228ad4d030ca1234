package apiserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/hooks"
	"github.com/centralhq/central/pkg/netguard"
	"github.com/centralhq/central/pkg/registry"
	"github.com/centralhq/central/pkg/subscription"
)

// maxNesting caps how deep a resource member nests objects and arrays, so
// that the resource, its events (which wrap it) and every list of them stay
// well within what a JSON decoder reads (encoding/json stops at 10000).
const maxNesting = 1000

// validateSpec checks the spec of the kinds the server acts on; other kinds'
// specs are free-form objects.
func validateSpec(kind string, spec json.RawMessage) error {
	if len(spec) == 0 || bytes.Equal(spec, []byte("null")) {
		switch kind {
		case "Webhook", "ResourceHook", "WatchTopic":
			return invalid("/spec", "A %s needs a spec.", kind)
		}
		return nil
	}
	if bytes.TrimSpace(spec)[0] != '{' {
		return invalid("/spec", "spec must be an object.")
	}
	if nestsDeeperThan(spec, maxNesting) {
		return invalid("/spec", "spec nests objects and arrays more than %d levels deep, the limit.", maxNesting)
	}
	switch kind {
	case "Secret":
		var s api.SecretSpec
		if err := json.Unmarshal(spec, &s); err != nil {
			return invalid("/spec/data", "A Secret's spec.data maps names to string values: %v.", err)
		}
	case "Webhook":
		return validateWebhook(spec)
	case "ResourceHook":
		return validateResourceHook(spec)
	case "WatchTopic":
		return validateWatchTopic(spec)
	case "ConsumerSubscriptionDefinition":
		var d api.ConsumerSubscriptionDefinitionSpec
		if err := json.Unmarshal(spec, &d); err != nil {
			return invalid("/spec", "The ConsumerSubscriptionDefinition spec is malformed: %v.", err)
		}
		if err := subscription.CheckDefinition(&d); err != nil {
			return invalid("/spec/schema", "%v.", err)
		}
		for i, name := range d.Webhooks {
			if err := checkName(name); err != nil {
				return invalid(fmt.Sprintf("/spec/webhooks/%d", i), "Webhook %d: %v", i, err)
			}
		}
	}
	return nil
}

func validateWebhook(spec json.RawMessage) error {
	var w api.WebhookSpec
	if err := json.Unmarshal(spec, &w); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && (typeErr.Field == "headers" || strings.HasPrefix(typeErr.Field, "headers.")) {
			return invalid("/spec/headers", "The Webhook spec is malformed: %v (headers must map names to strings).", err)
		}
		return invalid("/spec", "The Webhook spec is malformed: %v.", err)
	}
	if w.URL == "" {
		return invalid("/spec/url", "A Webhook needs spec.url, the address its events are POSTed to.")
	}
	if err := netguard.CheckURL(w.URL); err != nil {
		return invalid("/spec/url", "spec.url: %v", err)
	}
	for _, name := range slices.Sorted(maps.Keys(w.Headers)) {
		if err := api.CheckHeader(name, w.Headers[name]); err != nil {
			return invalid("/spec/headers/"+pointerToken(name), "spec.headers: %v.", err)
		}
	}
	if a := w.Auth; a != nil {
		if a.Secret != nil && (a.Secret.Name == "" || a.Secret.Key == "") {
			return invalid("/spec/auth/secret", "spec.auth.secret needs both name and key: the Secret in the webhook's scope and the key of its data to send.")
		}
		if l := a.Location; l != nil {
			switch l.In {
			case "header":
				if l.Name != "" {
					if err := api.CheckHeader(l.Name, ""); err != nil {
						return invalid("/spec/auth/location/name", "spec.auth.location.name: %v.", err)
					}
				}
			case "query":
				if l.Name == "" {
					return invalid("/spec/auth/location/name", "spec.auth.location with in: query needs name, the query parameter to carry the secret.")
				}
			default:
				return invalid("/spec/auth/location/in", "spec.auth.location.in must be header or query; got %q.", l.In)
			}
		}
	}
	return nil
}

// pointerToken escapes a name for a JSON pointer (RFC 6901).
func pointerToken(name string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
}

var triggerTypes = map[string]bool{"created": true, "updated": true, "deleted": true}

func validateResourceHook(spec json.RawMessage) error {
	var h api.ResourceHookSpec
	if err := json.Unmarshal(spec, &h); err != nil {
		return invalid("/spec", "The ResourceHook spec is malformed: %v.", err)
	}
	if len(h.Triggers) == 0 {
		return invalid("/spec/triggers", "A ResourceHook needs at least one trigger.")
	}
	if len(h.Webhooks) == 0 {
		return invalid("/spec/webhooks", "A ResourceHook needs at least one webhook name (Webhooks in its Integration).")
	}
	for i, t := range h.Triggers {
		at := fmt.Sprintf("/spec/triggers/%d", i)
		if t.Group != "" && t.Group != "*" && t.Group != registry.Group {
			return invalid(at+"/group", "Trigger %d: group %q is not served; use %q or \"*\".", i, t.Group, registry.Group)
		}
		if t.Kind == "" {
			return invalid(at+"/kind", "Trigger %d needs a kind (or \"*\").", i)
		}
		if _, ok := registry.ByKind(t.Kind); !ok && t.Kind != "*" {
			return invalid(at+"/kind", "Trigger %d: unknown kind %q; use one of %s or \"*\".", i, t.Kind, strings.Join(registry.KindNames(), ", "))
		}
		if len(t.Type) == 0 {
			return invalid(at+"/type", "Trigger %d needs type: any of created, updated, deleted.", i)
		}
		for _, typ := range t.Type {
			if !triggerTypes[typ] {
				return invalid(at+"/type", "Trigger %d: type %q is not one of created, updated, deleted.", i, typ)
			}
		}
		if sc := t.Scope; sc != nil && sc.Kind != "" && sc.Kind != "*" {
			if _, ok := registry.ByKind(sc.Kind); !ok {
				return invalid(at+"/scope/kind", "Trigger %d: unknown scope kind %q.", i, sc.Kind)
			}
		}
		if err := checkTriggerNames(at, "Trigger", i, t); err != nil {
			return err
		}
	}
	if err := hooks.ValidateSpec(&h); err != nil {
		var te *hooks.TriggerError
		at := "/spec/triggers"
		if errors.As(err, &te) {
			at = fmt.Sprintf("/spec/triggers/%d/%s", te.Index, te.Field)
		}
		return invalid(at, "%v", err)
	}
	for i, name := range h.Webhooks {
		if err := checkName(name); err != nil {
			return invalid(fmt.Sprintf("/spec/webhooks/%d", i), "Webhook %d: %v", i, err)
		}
	}
	return nil
}

// checkTriggerNames refuses a trigger's (or WatchTopic filter's) name or
// scope name that no resource can have: a name is matched exactly, so
// "fx*" would match nothing, silently.
func checkTriggerNames(at, label string, i int, t api.Trigger) error {
	type named struct{ field, name string }
	names := []named{{"name", t.Name}}
	if t.Scope != nil {
		names = append(names, named{"scope/name", t.Scope.Name})
	}
	for _, n := range names {
		if n.name == "" || n.name == "*" || api.CheckName(n.name) == nil {
			continue
		}
		hint := ""
		if n.field == "name" && label == "Trigger" {
			hint = fmt.Sprintf(" To match names by pattern, use * as the name and add filter: payload.name==%q.", n.name)
		}
		return invalid(at+"/"+n.field, "%s %d: %s %q can never match: it is compared with names exactly, so give one resource's name, or \"*\" for any.%s",
			label, i, strings.ReplaceAll(n.field, "/", " "), n.name, hint)
	}
	return nil
}

// nestsDeeperThan reports whether the JSON text b nests objects and arrays
// more than n levels deep ({} is one level). It reads valid JSON only.
func nestsDeeperThan(b []byte, n int) bool {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > n {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}
