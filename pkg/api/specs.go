package api

// Typed specs of the kinds the server itself acts on. Other kinds keep their
// spec as free-form JSON.

// SecretSpec is the spec of a Secret.
type SecretSpec struct {
	Data map[string]string `json:"data"`
}

// WebhookSpec is the spec of a Webhook.
type WebhookSpec struct {
	Enabled bool              `json:"enabled"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Auth    *WebhookAuth      `json:"auth,omitempty"`
}

// WebhookAuth sends a Secret's value with every request.
type WebhookAuth struct {
	Secret   *SecretRef       `json:"secret,omitempty"`
	Location *WebhookLocation `json:"location,omitempty"`
}

// SecretRef names a key of a Secret in the webhook's own scope.
type SecretRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

// WebhookLocation says where the secret's value goes: a header (default
// Authorization) or a query parameter.
type WebhookLocation struct {
	In   string `json:"in"`
	Name string `json:"name,omitempty"`
}

// ResourceHookSpec is the spec of a ResourceHook: when any trigger matches an
// event, the named webhooks (in the hook's Integration) receive it.
type ResourceHookSpec struct {
	Triggers []Trigger `json:"triggers"`
	Webhooks []string  `json:"webhooks"`
}

// Trigger matches events by group, kind, name, type and scope; "*" matches
// anything.
type Trigger struct {
	Group string        `json:"group"`
	Kind  string        `json:"kind"`
	Name  string        `json:"name"`
	Type  []string      `json:"type"`
	Scope *TriggerScope `json:"scope,omitempty"`
	// Filter is an optional RSQL expression over the event envelope, e.g.
	// payload.spec.production==true; the event goes out only when it holds.
	Filter string `json:"filter,omitempty"`
}

// TriggerScope limits a trigger to resources in one scope.
type TriggerScope struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}
