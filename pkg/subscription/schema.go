package subscription

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/jsonschema"
)

// Compile checks one property's schema as JSON Schema draft-04 (the only
// draft the catalog supports) and returns it ready to validate. The error
// says where in the schema the problem is.
func Compile(key string, raw json.RawMessage) (*jsonschema.Schema, error) {
	doc, err := jsonschema.Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("the schema of property %q is not JSON: %v", key, err)
	}
	// No $ref reaches the network: one must point inside the schema.
	sch, err := jsonschema.CompileValue(doc)
	if err != nil {
		return nil, fmt.Errorf("the schema of property %q is not valid draft-04: %v", key, err)
	}
	return sch, nil
}

// CheckDefinition compiles every property schema of a definition.
func CheckDefinition(spec *api.ConsumerSubscriptionDefinitionSpec) error {
	seen := map[string]bool{}
	for i, p := range spec.Schema.Properties {
		if p.Key == "" {
			return fmt.Errorf("schema property %d needs a key (for API subscriptions: profile)", i)
		}
		if seen[p.Key] {
			return fmt.Errorf("schema property %q appears twice", p.Key)
		}
		seen[p.Key] = true
		if _, err := Compile(p.Key, p.Value); err != nil {
			return err
		}
	}
	return nil
}

// CheckProperties validates a subscriber's properties against the
// definition: each must match its schema, and a property the definition does
// not declare is refused. The error names the property and where in it.
func CheckProperties(spec *api.ConsumerSubscriptionDefinitionSpec, props map[string]json.RawMessage) error {
	declared := map[string]bool{}
	for _, p := range spec.Schema.Properties {
		declared[p.Key] = true
		sch, err := Compile(p.Key, p.Value)
		if err != nil {
			return err
		}
		raw, ok := props[p.Key]
		if !ok {
			raw = json.RawMessage("{}") // an absent property is an empty one
		}
		inst, err := jsonschema.Decode(raw)
		if err != nil {
			return fmt.Errorf("property %q is not JSON: %v", p.Key, err)
		}
		if err := sch.Validate(inst); err != nil {
			return fmt.Errorf("property %q does not match the subscription definition's schema: %v", p.Key, err)
		}
	}
	for k := range props {
		if !declared[k] {
			return fmt.Errorf("property %q is not in the subscription definition (it declares %s)", k, keys(spec))
		}
	}
	return nil
}

func keys(spec *api.ConsumerSubscriptionDefinitionSpec) string {
	var ks []string
	for _, p := range spec.Schema.Properties {
		ks = append(ks, strconv(p.Key))
	}
	if len(ks) == 0 {
		return "no properties"
	}
	return strings.Join(ks, ", ")
}

func strconv(s string) string { return fmt.Sprintf("%q", s) }
