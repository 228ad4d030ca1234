package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// readFile returns the file's settings as strings, keys lower-cased and
// nested mappings flattened to dotted keys ("a: {b: 1}" is "a.b" = "1"), as
// the viper-based reader before it did. A missing file holds nothing.
func readFile(path string) (map[string]string, error) {
	out := map[string]string{}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	flatten(out, "", doc)
	return out, nil
}

func flatten(out map[string]string, prefix string, m map[string]any) {
	for k, v := range m {
		key := prefix + strings.ToLower(k)
		switch v := v.(type) {
		case map[string]any:
			flatten(out, key+".", v)
		case map[any]any: // a mapping with a key that is not a string
			sm := make(map[string]any, len(v))
			for mk, mv := range v {
				sm[scalarString(mk)] = mv
			}
			flatten(out, key+".", sm)
		default:
			out[key] = scalarString(v)
		}
	}
}

// scalarString writes a decoded YAML scalar as the setting's string: 8080 is
// "8080", true is "true", null is "". A sequence has no string value.
func scalarString(v any) string {
	switch v := v.(type) {
	case nil, []any:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// encodeFile writes values as a YAML mapping, sorted by key; a dotted key
// becomes a nested mapping again, so a file read and written back keeps its
// shape.
func encodeFile(values map[string]string) ([]byte, error) {
	doc := map[string]any{}
	for k, v := range values {
		m := doc
		parts := strings.Split(strings.ToLower(k), ".")
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[p] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = v
	}
	return yaml.Marshal(doc)
}
