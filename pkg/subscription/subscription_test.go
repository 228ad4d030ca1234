package subscription

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
)

// seedSchema is the profile schema of the seed's ConsumerSubscriptionDefinition.
const seedSchema = `{"$schema":"http://json-schema.org/draft-04/schema#","description":"A sample of a custom subscription payload.",
"type":"object","properties":{"Job title":{"type":"string","description":"Job title"}}}`

func def(schema string) *api.ConsumerSubscriptionDefinitionSpec {
	return &api.ConsumerSubscriptionDefinitionSpec{Webhooks: []string{"w"},
		Schema: api.SubscriptionSchema{Properties: []api.SchemaProperty{{Key: "profile", Value: json.RawMessage(schema)}}}}
}

func TestTransitions(t *testing.T) {
	allowed := map[string]string{
		Requested: "APPROVED,REJECTED", Approved: "ACTIVE,FAILED_TO_SUBSCRIBE", FailedToSubscribe: "REQUESTED",
		Active: "UNSUBSCRIBE_INITIATED", UnsubscribeInitiated: "UNSUBSCRIBED,FAILED_TO_UNSUBSCRIBE",
		FailedToUnsubscribe: "UNSUBSCRIBE_INITIATED", Unsubscribed: "REQUESTED", Rejected: "REQUESTED",
	}
	for _, from := range states() {
		for _, to := range states() {
			want := strings.Contains(","+allowed[from]+",", ","+to+",")
			if err := CheckMove("s", from, to); (err == nil) != want {
				t.Errorf("%s -> %s: %v, want allowed=%v", from, to, err, want)
			}
		}
	}
	err := CheckMove("s", Requested, Active)
	if err == nil || !strings.Contains(err.Error(), "is in state REQUESTED, which can move only to APPROVED or REJECTED") {
		t.Fatalf("message: %v", err)
	}
	if err := CheckMove("s", Requested, "DONE"); err == nil || !strings.Contains(err.Error(), "not a subscription state") {
		t.Fatalf("unknown state: %v", err)
	}
}

func TestSchemas(t *testing.T) {
	if err := CheckDefinition(def(seedSchema)); err != nil {
		t.Fatalf("the seed's schema: %v", err)
	}
	for schema, want := range map[string]string{
		`{"type":"nonsense"}`: `property "profile" is not valid draft-04`,
		`{"type":`:            "is not JSON",
		`{"$schema":"http://json-schema.org/draft-07/schema#"}`: "only draft-04",
		`{"$ref":"http://127.0.0.1:1/x.json"}`:                  `property "profile" is not valid draft-04`,
	} {
		if err := CheckDefinition(def(schema)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", schema, err, want)
		}
	}
	d := def(`{"type":"object","required":["team"],"properties":{"team":{"type":"string"},"seats":{"type":"integer","maximum":10}}}`)
	for props, want := range map[string]string{
		`{"profile":{"team":"blue","seats":3}}`: "",
		`{"profile":{"seats":3}}`:               `property "profile" does not match`,
		`{"profile":{"team":"b","seats":11}}`:   "/seats",
		`{"profile":{"team":"b"},"other":{}}`:   `property "other" is not in the subscription definition`,
		`{}`:                                    "missing propert",
	} {
		var m map[string]json.RawMessage
		_ = json.Unmarshal([]byte(props), &m)
		err := CheckProperties(d, m)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", props, err, want)
		}
	}
}

// The messages name the property, the JSON pointer inside it and the reason.
func TestSchemaMessages(t *testing.T) {
	err := CheckDefinition(def(`{"type":"object","properties":{"plan":{"type":"strin"}},"required":"plan"}`))
	want := `the schema of property "profile" is not valid draft-04: ` +
		`at /properties/plan/type: "strin" is not a JSON type (want one of array, boolean, integer, null, number, object, string); ` +
		`at /required: must be a non-empty array of property names, not "plan"`
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	d := def(`{"type":"object","required":["team"],"additionalProperties":false,
		"properties":{"team":{"type":"string"},"plan":{"enum":["free","pro"]},"Job title":{"type":"string","maxLength":5}}}`)
	for props, want := range map[string]string{
		`{"profile":{"team":"a","plan":"gold"}}`: `property "profile" does not match the subscription definition's schema: ` +
			`at /plan: value must be one of "free", "pro" (got "gold")`,
		`{"profile":{"Job title":"Engineer","x":1}}`: `property "profile" does not match the subscription definition's schema: ` +
			`missing property "team" (required); at /Job title: must be at most 5 characters long, got 8; property "x" is not allowed (additionalProperties is false)`,
		`{"profile":[1]}`: `property "profile" does not match the subscription definition's schema: want object, got array`,
	} {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(props), &m); err != nil {
			t.Fatal(err)
		}
		if err := CheckProperties(d, m); err == nil || err.Error() != want {
			t.Errorf("%s:\ngot  %v\nwant %s", props, err, want)
		}
	}
	if err := CheckProperties(d, map[string]json.RawMessage{"profile": json.RawMessage(`{"team":`)}); err == nil ||
		!strings.Contains(err.Error(), `property "profile" is not JSON`) {
		t.Errorf("broken JSON: %v", err)
	}
}
