package hooks

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/rsql"
)

// TriggerError says which trigger of a ResourceHook (or filter of a
// WatchTopic) is invalid and which of its fields is at fault. The API server
// reads Index and Field with errors.As to point at
// /spec/triggers/{Index}/{Field}, and Err unwraps to the cause, such as an
// *rsql.SyntaxError.
type TriggerError struct {
	Index int    // position in spec.triggers (a WatchTopic's spec.filters)
	Field string // "type" or "filter"
	Err   error
}

// Error reads like `trigger 0: filter: invalid query "payload.x==": ...`.
func (e *TriggerError) Error() string { return fmt.Sprintf("trigger %d: %v", e.Index, e.Err) }

// Unwrap returns the cause.
func (e *TriggerError) Unwrap() error { return e.Err }

// ValidateSpec checks every trigger of a ResourceHook spec, returning a
// *TriggerError for the first bad one. It is what Put checks, so a hook the
// API server accepted is one the index takes.
func ValidateSpec(spec *api.ResourceHookSpec) error {
	_, err := NewMatcher(spec.Triggers)
	return err
}

// ValidateTrigger checks one trigger: its types are among created, updated
// and deleted, and its filter, if any, parses. The error does not say which
// trigger; ValidateSpec adds that.
func ValidateTrigger(t api.Trigger) error {
	if _, err := compileTrigger(t); err != nil {
		return err.Err
	}
	return nil
}

// typeSet is a set of event types a trigger listens to, as bits.
type typeSet uint8

const (
	typeCreated typeSet = 1 << iota
	typeUpdated
	typeDeleted
)

// triggerTypes maps the trigger's lower-case type names to their bits.
var triggerTypes = map[string]typeSet{"created": typeCreated, "updated": typeUpdated, "deleted": typeDeleted}

// eventTypes maps an event to the trigger type that catches it. A
// subresource update is an update: Amplify delivers SubResourceUpdated to
// hooks listening for "updated". Events missing here match no trigger.
var eventTypes = map[api.EventType]typeSet{
	api.ResourceCreated:    typeCreated,
	api.ResourceUpdated:    typeUpdated,
	api.SubResourceUpdated: typeUpdated,
	api.ResourceDeleted:    typeDeleted,
}

// trigger is an api.Trigger made ready for matching: "*" is stored as ""
// so that every test reads `want == "" || want == got`, and the filter is
// parsed once.
type trigger struct {
	hook   *hook
	bucket bucketKey
	group  string
	types  typeSet
	scoped bool // whether the trigger has a scope, and so needs the resource to have one
	scope  api.TriggerScope
	filter rsql.Expr // nil when the trigger has none
}

// compileTrigger returns a *TriggerError naming the field at fault; the
// caller sets its Index.
func compileTrigger(t api.Trigger) (*trigger, *TriggerError) {
	c := &trigger{
		bucket: bucketKey{kind: wild(t.Kind), name: wild(t.Name)},
		group:  wild(t.Group),
		scoped: t.Scope != nil,
	}
	if t.Scope != nil {
		c.scope = api.TriggerScope{Kind: wild(t.Scope.Kind), Name: wild(t.Scope.Name)}
	}
	if len(t.Type) == 0 {
		return nil, &TriggerError{Field: "type", Err: errors.New("type: list at least one of created, updated, deleted")}
	}
	for _, name := range t.Type {
		bit, ok := triggerTypes[name]
		if !ok {
			return nil, &TriggerError{Field: "type", Err: fmt.Errorf("type %q is not one of created, updated, deleted", name)}
		}
		c.types |= bit
	}
	if strings.TrimSpace(t.Filter) != "" {
		e, err := rsql.Parse(t.Filter)
		if err != nil {
			// rsql's message already quotes the query, so it is not repeated.
			return nil, &TriggerError{Field: "filter", Err: fmt.Errorf("filter: %w", err)}
		}
		c.filter = e
	}
	return c, nil
}

// wild folds the two spellings of "anything" into one.
func wild(s string) string {
	if s == "*" {
		return ""
	}
	return s
}

// compileHook checks that r is a ResourceHook in an Integration and compiles
// its spec.
func compileHook(r *api.ResourceInstance) (*hook, error) {
	if r.Kind != "ResourceHook" {
		return nil, fmt.Errorf("%s is not a ResourceHook", r.Ref())
	}
	if r.ScopeKind() != "Integration" || r.ScopeName() == "" {
		return nil, fmt.Errorf("%s is not in an Integration", r.Ref())
	}
	var spec api.ResourceHookSpec
	if err := r.DecodeSpec(&spec); err != nil {
		return nil, fmt.Errorf("spec: %w", err)
	}
	h := &hook{key: hookKey{integration: r.ScopeName(), name: r.Name}}
	for i, t := range spec.Triggers {
		c, err := compileTrigger(t)
		if err != nil {
			err.Index = i
			return nil, err
		}
		c.hook = h
		h.triggers = append(h.triggers, c)
	}
	for _, w := range spec.Webhooks {
		if w != "" {
			h.targets = append(h.targets, Target{Integration: h.key.integration, Webhook: w})
		}
	}
	slices.SortFunc(h.targets, compareTargets)
	h.targets = slices.Compact(h.targets)
	return h, nil
}
