package subscription

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/centralhq/central/pkg/api"
)

// Compile checks one property's schema as JSON Schema draft-04 (the only
// draft the catalog supports) and returns it ready to validate. The error
// says where in the schema the problem is.
func Compile(key string, raw json.RawMessage) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("the schema of property %q is not JSON: %v", key, err)
	}
	if m, ok := doc.(map[string]any); ok {
		if s, ok := m["$schema"].(string); ok && !strings.Contains(s, "draft-04") {
			return nil, fmt.Errorf("the schema of property %q declares %s; only draft-04 (http://json-schema.org/draft-04/schema#) is supported", key, s)
		}
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	// No loader reaches the network: a $ref must point inside the schema.
	c.UseLoader(jsonschema.SchemeURLLoader{})
	url := "property/" + key + ".json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("the schema of property %q: %v", key, err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("the schema of property %q is not valid draft-04: %s", key, flatten(err))
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
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("property %q is not JSON: %v", p.Key, err)
		}
		if err := sch.Validate(inst); err != nil {
			return fmt.Errorf("property %q does not match the subscription definition's schema: %s", p.Key, flatten(err))
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

// flatten turns the library's multi-line error into one line of
// "at /path: reason" parts.
func flatten(err error) string {
	var verr *jsonschema.ValidationError
	if errors.As(err, &verr) {
		var parts []string
		for _, line := range strings.Split(verr.Error(), "\n")[1:] {
			if line = strings.TrimSpace(line); line != "" {
				parts = append(parts, strings.TrimPrefix(line, "- "))
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, "; ")
		}
	}
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
