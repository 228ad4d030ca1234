package loader

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/centralhq/central/pkg/api"
)

// addYAML converts one YAML entry to JSON and adds it. A node that cannot be
// written as JSON (a duplicate key, .inf, an alias loop) is that entry's
// problem; only running out of expansion budget fails the source, since
// every later entry would fail the same way.
func (p *parser) addYAML(conv *converter, n *yaml.Node) error {
	raw, err := conv.convert(n)
	if errors.Is(err, errExpansion) {
		return err
	}
	if err != nil {
		kind, name := nodeLabel(n)
		p.entries = append(p.entries, p.entryError(kind, name, ErrEntryFormat, sentence(err.Error()), err))
		return nil
	}
	p.addJSON(raw)
	return nil
}

// addJSON decodes one entry given as a JSON value.
func (p *parser) addJSON(raw json.RawMessage) {
	if raw[0] != '{' {
		reason := fmt.Sprintf("An entry must be an object, not %s.", jsonKindOf(raw[0]))
		p.entries = append(p.entries, p.entryError("", "", ErrEntryFormat, reason, nil))
		return
	}
	var r api.ResourceInstance
	if err := json.Unmarshal(raw, &r); err != nil {
		kind, name := rawLabel(raw)
		p.entries = append(p.entries, p.entryError(kind, name, ErrEntryFormat, decodeReason(err), err))
		return
	}
	if r.Kind == "" {
		p.entries = append(p.entries, p.entryError("", r.Name, ErrKindMissing, "", nil))
		return
	}
	p.entries = append(p.entries, Entry{Source: p.source, Index: len(p.entries) + 1, Resource: &r})
}

func (p *parser) entryError(kind, name string, sentinel error, reason string, cause error) Entry {
	index := len(p.entries) + 1
	return Entry{Source: p.source, Index: index, Err: &EntryError{
		Source: p.source, Index: index, Kind: kind, Name: name,
		Err: sentinel, Reason: reason, Cause: cause,
	}}
}

// decodeReason turns the decoder's error into a sentence about the entry's
// fields; encoding/json's own text names our unexported Go types.
func decodeReason(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return fmt.Sprintf("%q must be %s, not %s.", typeErr.Field, jsonTypeOf(typeErr.Type), jsonValueName(typeErr.Value))
	}
	return sentence(err.Error())
}

// jsonTypeOf names the JSON value a Go type decodes from.
func jsonTypeOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "a list"
	default:
		return "a number"
	}
}

// jsonValueName names encoding/json's UnmarshalTypeError.Value ("number 1.5",
// "array", …) in the CLI's words.
func jsonValueName(v string) string {
	switch {
	case strings.HasPrefix(v, "number"):
		return "a number"
	case v == "string":
		return "a string"
	case v == "bool":
		return "true or false"
	case v == "array":
		return "a list"
	case v == "object":
		return "an object"
	}
	return v
}

// jsonKindOf names a JSON value by its first byte.
func jsonKindOf(first byte) string {
	switch first {
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	}
	return "a number"
}

// rawLabel reads kind and name from an entry that did not decode, so the
// message still says which resource is wrong.
func rawLabel(raw json.RawMessage) (kind, name string) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return "", ""
	}
	_ = json.Unmarshal(fields["kind"], &kind) // a non-string stays ""
	_ = json.Unmarshal(fields["name"], &name)
	return kind, name
}

// nodeLabel is rawLabel for a YAML entry that could not become JSON.
func nodeLabel(n *yaml.Node) (kind, name string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return "", ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
			continue
		}
		switch k.Value {
		case "kind":
			kind = v.Value
		case "name":
			name = v.Value
		}
	}
	return kind, name
}
