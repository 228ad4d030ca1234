package events

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/config"
	"github.com/centralhq/central/pkg/iostreams"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ios, _, out, _ := iostreams.Test()
	// No Client or Definitions: the command must not ask the server.
	cmd := NewCmdEvents(&factory.Factory{IOStreams: ios}, nil)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestEventsTable(t *testing.T) {
	out, err := run(t)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "TYPE ") || !strings.Contains(lines[0], "DESCRIPTION") {
		t.Fatalf("table =\n%s", out)
	}
	for i, typ := range []string{"ResourceCreated", "ResourceUpdated", "ResourceDeleted", "SubResourceUpdated", "SubscriptionUpdatedEvent"} {
		if !strings.HasPrefix(lines[i+1], typ+" ") {
			t.Errorf("line %d = %q, want %s first", i+1, lines[i+1], typ)
		}
	}
}

func TestEventsExamples(t *testing.T) {
	out, err := run(t, "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var types []struct {
		Type        api.EventType `json:"type"`
		Description string        `json:"description"`
		Example     api.Event     `json:"example"`
	}
	if err := json.Unmarshal([]byte(out), &types); err != nil {
		t.Fatalf("%v in\n%s", err, out)
	}
	if len(types) != 5 {
		t.Fatalf("%d types", len(types))
	}
	for _, tt := range types {
		ex := tt.Example
		if ex.Type != tt.Type || ex.ID == "" || ex.Time.IsZero() || ex.Version != "v1" || ex.Organization.ID == "" || tt.Description == "" {
			t.Errorf("%s: incomplete example %+v", tt.Type, ex)
		}
		if tt.Type == api.SubscriptionUpdatedEvent {
			if !strings.Contains(string(ex.Payload), `"consumerInstance"`) {
				t.Errorf("SubscriptionUpdatedEvent payload = %s", ex.Payload)
			}
			continue
		}
		var r api.ResourceInstance
		if err := json.Unmarshal(ex.Payload, &r); err != nil || r.Kind != "APIService" || r.Metadata.Scope == nil || r.Metadata.Scope.Kind != "Environment" {
			t.Errorf("%s payload = %s (%v)", tt.Type, ex.Payload, err)
		}
		sub := ""
		if ex.Metadata != nil {
			sub = ex.Metadata.Subresource
		}
		if (tt.Type == api.SubResourceUpdated) != (sub != "") {
			t.Errorf("%s: metadata.subresource = %q", tt.Type, sub)
		}
		if sub != "" && r.SubResources[sub] == nil {
			t.Errorf("%s: the payload lacks the subresource %q", tt.Type, sub)
		}
	}
}

func TestEventsYAML(t *testing.T) {
	out, err := run(t, "-o", "yaml")
	if err != nil || !strings.Contains(out, "subresource: x-agent-details") {
		t.Errorf("err = %v, out =\n%s", err, out)
	}
}

func TestEventsBadOutput(t *testing.T) {
	_, err := run(t, "-o", "xml")
	var fe *clierr.FlagError
	if !errors.As(err, &fe) {
		t.Errorf("err = %v, want a FlagError", err)
	}
}

func TestEventsTakeTheConfiguredOutput(t *testing.T) {
	t.Setenv("CENTRAL_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("CENTRAL_OUTPUT", "json")
	for _, tc := range []struct {
		args     []string
		wantJSON bool
	}{{nil, true}, {[]string{"-o", "table"}, false}} {
		ios, _, out, _ := iostreams.Test()
		cmd := NewCmdEvents(&factory.Factory{IOStreams: ios, Config: config.Load}, nil)
		cmd.SetArgs(tc.args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		if err := cmd.ExecuteContext(context.Background()); err != nil {
			t.Fatal(err)
		}
		if isJSON := json.Valid(out.Bytes()); isJSON != tc.wantJSON {
			t.Errorf("CENTRAL_OUTPUT=json %v: JSON %v, want %v:\n%s", tc.args, isJSON, tc.wantJSON, out)
		}
	}
}
