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
	// Signing, when set, names the Secret whose keys sign every request the
	// Standard Webhooks way (an extension of Amplify's Webhook).
	Signing *WebhookSigning `json:"signing,omitempty"`
	// Delivery overrides the server's delivery defaults for this webhook.
	Delivery *WebhookDelivery `json:"delivery,omitempty"`
}

// WebhookSigning points at the Secret holding a webhook's signing keys. The
// Secret's data holds "current" (whsec_...) and, during a rotation's overlap,
// "previous" and "previousValidUntil".
type WebhookSigning struct {
	Secret string `json:"secret"`
}

// WebhookDelivery overrides delivery defaults for one webhook.
type WebhookDelivery struct {
	// RetrySchedule lists the delays after the first attempt, e.g. ["5s","5m"]:
	// at most 20, each from 1s to 24h, adding up to at most 8 days.
	RetrySchedule []string `json:"retrySchedule,omitempty"`
	// ConnectTimeout and RequestTimeout are Go durations, e.g. "3s".
	ConnectTimeout string `json:"connectTimeout,omitempty"`
	RequestTimeout string `json:"requestTimeout,omitempty"`
	// Ordered delivers events about one resource in sequence order: a later
	// one waits while an earlier one is still pending.
	Ordered bool `json:"ordered,omitempty"`
	// MaxInFlight caps concurrent requests to this webhook, 1 to 1000
	// (default 4).
	MaxInFlight int `json:"maxInFlight,omitempty"`
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
