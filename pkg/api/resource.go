package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// ResourceInstance is any resource of the API: the generic envelope around a
// kind-specific spec. Subresources (status, references, any x-* key) travel as
// further top-level keys and are kept raw in SubResources.
type ResourceInstance struct {
	Group      string            `json:"group"`
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Name       string            `json:"name"`
	Title      string            `json:"title"`
	Metadata   Metadata          `json:"metadata"`
	Attributes map[string]string `json:"attributes"`
	Tags       []string          `json:"tags"`
	Finalizers []Finalizer       `json:"finalizers"`
	Owner      *Owner            `json:"owner,omitempty"`
	Spec       json.RawMessage   `json:"spec"`

	// SubResources maps each subresource name to its raw JSON value.
	SubResources map[string]json.RawMessage `json:"-"`
}

// Metadata is the server-generated part of a resource.
type Metadata struct {
	ID              string      `json:"id,omitempty"`
	Audit           Audit       `json:"audit,omitzero"`
	Scope           *Scope      `json:"scope,omitempty"`
	ResourceVersion string      `json:"resourceVersion,omitempty"`
	References      []Reference `json:"references"`
	SelfLink        string      `json:"selfLink,omitempty"`
	// State is "DELETING" while finalizers hold a deleted resource, else empty.
	State string `json:"state,omitempty"`
}

// StateDeleting is Metadata.State while finalizers hold a deleted resource.
const StateDeleting = "DELETING"

// Audit records who created and last changed a resource, and when.
type Audit struct {
	CreateTimestamp Time   `json:"createTimestamp,omitzero"`
	CreateUserID    string `json:"createUserId,omitempty"`
	ModifyTimestamp Time   `json:"modifyTimestamp,omitzero"`
	ModifyUserID    string `json:"modifyUserId,omitempty"`
}

// Scope names the resource a scoped resource lives in.
type Scope struct {
	ID       string `json:"id,omitempty"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	SelfLink string `json:"selfLink,omitempty"`
}

// Reference points from one resource to another.
type Reference struct {
	ID        string `json:"id,omitempty"`
	Group     string `json:"group,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Name      string `json:"name,omitempty"`
	ScopeKind string `json:"scopeKind,omitempty"`
	ScopeName string `json:"scopeName,omitempty"`
	SelfLink  string `json:"selfLink,omitempty"`
	// Type is "soft" or "hard".
	Type string `json:"type,omitempty"`
}

// Finalizer holds a deleted resource in the DELETING state until removed.
type Finalizer struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Owner is the team that owns a resource; absent for admin-created ones.
type Owner struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// topLevelKeys are the keys of ResourceInstance that are not subresources.
var topLevelKeys = map[string]bool{
	"group": true, "apiVersion": true, "kind": true, "name": true, "title": true,
	"metadata": true, "attributes": true, "tags": true, "finalizers": true,
	"owner": true, "spec": true, "_embedded": true,
}

// IsSubResourceKey reports whether a top-level key of a resource document is a
// subresource rather than a field of the resource itself.
func IsSubResourceKey(key string) bool { return !topLevelKeys[key] }

type resourceFields ResourceInstance

// MarshalJSON writes the resource with its subresources as top-level keys,
// in a stable order: the resource's own fields, then subresources by name.
func (r ResourceInstance) MarshalJSON() ([]byte, error) {
	f := resourceFields(r)
	if f.Attributes == nil {
		f.Attributes = map[string]string{}
	}
	if f.Tags == nil {
		f.Tags = []string{}
	}
	if f.Finalizers == nil {
		f.Finalizers = []Finalizer{}
	}
	if f.Metadata.References == nil {
		f.Metadata.References = []Reference{}
	}
	if len(f.Spec) == 0 {
		f.Spec = json.RawMessage("{}")
	}
	b, err := json.Marshal(f)
	if err != nil || len(r.SubResources) == 0 {
		return b, err
	}
	names := make([]string, 0, len(r.SubResources))
	for k := range r.SubResources {
		names = append(names, k)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1])
	for _, k := range names {
		v := r.SubResources[k]
		if len(v) == 0 {
			continue
		}
		kb, _ := json.Marshal(k)
		buf.WriteByte(',')
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads a resource document, putting every key that is not a
// field of the resource into SubResources.
func (r *ResourceInstance) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		return fmt.Errorf("a resource must be an object")
	}
	var f resourceFields
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	f.SubResources = nil
	for k, v := range raw {
		if topLevelKeys[k] || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			continue
		}
		if f.SubResources == nil {
			f.SubResources = map[string]json.RawMessage{}
		}
		f.SubResources[k] = v
	}
	*r = ResourceInstance(f)
	return nil
}

// ScopeKind returns the kind of the resource's scope, or "" when unscoped.
func (r *ResourceInstance) ScopeKind() string {
	if r.Metadata.Scope == nil {
		return ""
	}
	return r.Metadata.Scope.Kind
}

// ScopeName returns the name of the resource's scope, or "" when unscoped.
func (r *ResourceInstance) ScopeName() string {
	if r.Metadata.Scope == nil {
		return ""
	}
	return r.Metadata.Scope.Name
}

// Ref renders the resource the way CLI messages name it: "Kind/name", with
// ` in the scope "Kind/name"` outside when scoped (the caller adds quotes).
func (r *ResourceInstance) Ref() string { return r.Kind + "/" + r.Name }

// DecodeSpec decodes the resource's spec into v.
func (r *ResourceInstance) DecodeSpec(v any) error {
	if len(r.Spec) == 0 {
		return nil
	}
	return json.Unmarshal(r.Spec, v)
}
