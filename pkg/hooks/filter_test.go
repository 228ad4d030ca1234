package hooks

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/rsql"
)

// Filters read the whole envelope a webhook receives, not just the resource.
func TestMatchFilter(t *testing.T) {
	prod := resource("APIService", "s1", "Environment", "e1")
	prod.Spec = json.RawMessage(`{"production": true, "replicas": 9007199254740993}`)
	for _, tc := range []struct {
		filter string
		typ    api.EventType
		want   bool
	}{
		{"payload.spec.production==true", api.ResourceCreated, true},
		{"payload.spec.production == true", api.ResourceCreated, true},
		{"payload.spec.production==false", api.ResourceCreated, false},
		{"payload.spec.missing==true", api.ResourceCreated, false},
		{"payload.spec.replicas==9007199254740993", api.ResourceCreated, true}, // past float64's exact range
		{"type==SubResourceUpdated;metadata.subresource==approval", api.SubResourceUpdated, true},
		{"type==SubResourceUpdated;metadata.subresource==approval", api.ResourceUpdated, false},
		{"metadata.sequenceID>5 and product==AmplifyCentral", api.ResourceUpdated, true},
		{"   ", api.ResourceUpdated, true}, // blank is no filter
	} {
		x := NewIndex()
		put(t, x, "i1", "h", []api.Trigger{{Kind: "APIService", Type: allTypes, Filter: tc.filter}}, "w")
		ev := event(t, tc.typ, prod)
		if tc.typ == api.SubResourceUpdated {
			ev.Metadata.Subresource = "approval"
		}
		if got := x.Match(ev, prod) != nil; got != tc.want {
			t.Errorf("filter %q on %s: matched = %v, want %v", tc.filter, tc.typ, got, tc.want)
		}
	}
}

// The envelope is decoded once however many filters run, and not at all
// when no trigger that names the resource has a filter.
func TestMatchDecodesEnvelopeOnce(t *testing.T) {
	x := NewIndex()
	put(t, x, "i1", "a", []api.Trigger{{Kind: "Environment", Type: allTypes, Filter: "payload.name==e1"}}, "a")
	put(t, x, "i1", "b", []api.Trigger{{Kind: "*", Type: allTypes, Filter: "payload.name==e*"}}, "b")
	put(t, x, "i1", "c", []api.Trigger{{Kind: "APIService", Type: allTypes}}, "c")
	put(t, x, "i1", "d", []api.Trigger{{Kind: "Environment", Type: []string{"deleted"}, Filter: "id==e1"}}, "d")
	env := resource("Environment", "e1", "", "")
	targets, st := x.match(event(t, api.ResourceCreated, env), env)
	if got := webhooks(targets); !slices.Equal(got, []string{"i1/a", "i1/b"}) || st.decoded != 1 {
		t.Errorf("Environment: Match = %v after %d decodes, want [i1/a i1/b] after 1", got, st.decoded)
	}
	svc := resource("APIService", "s1", "Environment", "e1")
	x.Delete("i1", "b")
	if targets, st := x.match(event(t, api.ResourceCreated, svc), svc); len(targets) != 1 || st.decoded != 0 {
		t.Errorf("APIService: Match = %v after %d decodes, want [i1/c] after 0", webhooks(targets), st.decoded)
	}
}

// An event whose payload does not encode fails every filter but still
// reaches the hooks without one.
func TestMatchMalformedPayload(t *testing.T) {
	x := NewIndex()
	put(t, x, "i1", "plain", []api.Trigger{{Kind: "Environment", Type: allTypes}}, "plain")
	put(t, x, "i1", "filtered", []api.Trigger{{Kind: "Environment", Type: allTypes, Filter: "payload.name!=nope"}}, "filtered")
	env := resource("Environment", "e1", "", "")
	ev := event(t, api.ResourceCreated, env)
	ev.Payload = json.RawMessage(`{"name":`)
	if got := webhooks(x.Match(ev, env)); !slices.Equal(got, []string{"i1/plain"}) {
		t.Errorf("got %v, want [i1/plain]", got)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		trigger api.Trigger
		want    string // "" for valid
	}{
		{api.Trigger{Kind: "*", Type: []string{"updated"}, Filter: "payload.spec.production == true"}, ""},
		{api.Trigger{Kind: "*", Type: []string{"updated"}, Filter: "payload.x=="},
			`filter: invalid query "payload.x==": a value is expected after "==" at character 12`},
		{api.Trigger{Kind: "*"}, "type: list at least one of created, updated, deleted"},
		{api.Trigger{Kind: "*", Type: []string{"created", "Updated"}}, `type "Updated" is not one of created, updated, deleted`},
	} {
		err := ValidateTrigger(tc.trigger)
		if got := errorString(err); got != tc.want {
			t.Errorf("ValidateTrigger(%+v) = %q, want %q", tc.trigger, got, tc.want)
		}
		spec := &api.ResourceHookSpec{Triggers: []api.Trigger{{Kind: "Environment", Type: allTypes}, tc.trigger}}
		var te *TriggerError
		if err := ValidateSpec(spec); tc.want != "" && (!errors.As(err, &te) || te.Index != 1 || err.Error() != "trigger 1: "+tc.want) {
			t.Errorf("ValidateSpec = %v, want trigger 1: %s", err, tc.want)
		}
	}
	var se *rsql.SyntaxError
	if err := ValidateTrigger(api.Trigger{Type: allTypes, Filter: "a=="}); !errors.As(err, &se) {
		t.Errorf("a bad filter gives %T, want it to wrap *rsql.SyntaxError", err)
	}
}

func errorString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
