package printers

import (
	"encoding/json"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// goldenNow is the fixed clock of every golden file.
var goldenNow = time.Date(2025, time.June, 15, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return goldenNow }

// Columns as the server's CommandLineInterface resources define them.
var (
	unscopedColumns = []api.Column{
		{Name: "Name", Type: "string", JSONPath: ".name"},
		{Name: "Age", Type: "date", JSONPath: ".metadata.audit.createTimestamp"},
		{Name: "Title", Type: "string", JSONPath: ".title"},
		{Name: "Resource Kind", Type: "string", JSONPath: ".kind"},
		{Name: "Resource Group", Type: "string", JSONPath: ".group"},
		{Name: "Id", Type: "string", JSONPath: ".metadata.id", Hidden: true},
	}
	scopedColumns = []api.Column{
		{Name: "Name", Type: "string", JSONPath: ".name"},
		{Name: "Age", Type: "date", JSONPath: ".metadata.audit.createTimestamp"},
		{Name: "Title", Type: "string", JSONPath: ".title"},
		{Name: "Resource Kind", Type: "string", JSONPath: ".kind"},
		{Name: "Scope Kind", Type: "string", JSONPath: ".metadata.scope.kind"},
		{Name: "Scope Name", Type: "string", JSONPath: ".metadata.scope.name"},
		{Name: "Resource Group", Type: "string", JSONPath: ".group"},
		{Name: "Enabled", Type: "string", JSONPath: ".spec.enabled"},
	}
)

// resource builds a resource as the server returns it, created d before
// goldenNow.
func resource(kind, name, title string, d time.Duration, scope *api.Scope, spec string) api.ResourceInstance {
	r := api.ResourceInstance{
		Group:      "management",
		APIVersion: "v1alpha1",
		Kind:       kind,
		Name:       name,
		Title:      title,
		Metadata: api.Metadata{
			ID: "8a2e8f3c-" + name,
			Audit: api.Audit{
				CreateTimestamp: api.NewTime(goldenNow.Add(-d)),
				CreateUserID:    "user-1",
			},
			Scope:           scope,
			ResourceVersion: "42",
		},
	}
	if spec != "" {
		r.Spec = json.RawMessage(spec)
	}
	return r
}

func environments() []api.ResourceInstance {
	return []api.ResourceInstance{
		resource("Environment", "prod", "Production", 3*time.Hour, nil, ""),
		resource("Environment", "staging-eu", "Staging (EU)", 23*24*time.Hour, nil, ""),
	}
}

func withDeleting() []api.ResourceInstance {
	envs := environments()
	old := resource("Environment", "legacy", "Legacy", 2*365*24*time.Hour, nil, "")
	old.Metadata.State = api.StateDeleting
	return append(envs[:1], old, envs[1])
}

func webhooks() []api.ResourceInstance {
	prod := &api.Scope{Kind: "Environment", Name: "prod"}
	wh := resource("Webhook", "notify", "Notify ops", 90*time.Second, prod,
		`{"url":"https://hooks.example.com/a?b=1&c=2","enabled":true,"headers":{"X-Team":"ops"}}`)
	wh.SubResources = map[string]json.RawMessage{"status": json.RawMessage(`{"level":"Success"}`)}
	off := resource("Webhook", "audit", "", 40*24*time.Hour, &api.Scope{Kind: "Integration", Name: "siem"},
		`{"url":"https://siem.example.com","enabled":false}`)
	return []api.ResourceInstance{wh, off}
}

// trickyJSON holds strings that YAML would read as other types, keys in an
// order no sorting would produce, and multiline text. A RawMessage keeps the
// order as written.
const trickyJSON = `{
	"zeta": "true", "alpha": "4824", "mid": "2024-01-02T15:04:05.000+0000",
	"empty": "", "null": "null", "tilde": "~", "yes": "yes", "On": "On", "n": "n",
	"octal": "0777", "hex": "0x1F", "exp": "1e3", "under": "1_000", "sexagesimal": "1:20",
	"inf": ".inf", "nan": ".NaN", "date": "2024-01-02", "rfc3339": "2024-01-02T15:04:05Z",
	"version": "1.2.3", "negative": "-12", "plainish": "v1alpha1",
	"indicators": ["- item", "# comment", "a: b", "key:", "@at", "` + "`tick" + `", "!tag", "&anchor",
		"*alias", "%pct", "{flow}", "[flow]", ">folded", "|literal", "?q", "'single'", "\"double\"", "x #y"],
	"spaces": [" leading", "trailing ", "tab\there", "\u0001control", "unicode ✓"],
	"multiline": "first line\nsecond line\n",
	"multilineNoEnd": "first\nsecond",
	"multilineTrailingSpace": "first \nsecond",
	"long": "a long string that goes on and on past the eighty column mark without any line breaks at all, really",
	"numbers": [0, -2.5, 1e+30, 12345678901234567, 4824],
	"bools": [true, false], "nothing": null,
	"keys": {"true": 1, "1": 2, "on": 3, "": 4, "2024-01-02": 5, "normal": 6},
	"emptyObject": {}, "emptyList": [],
	"nested": {"b": {"d": 1, "c": 2}, "a": [{"y": 1, "x": 2}]}
}`
