package printers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"
)

// YAML prints a value as YAML with the keys in the order of its JSON
// encoding. The value is marshalled to JSON and that token stream is turned
// into a yaml.Node tree: going through map[string]any would sort the keys and
// print "metadata" before "name", unlike the JSON output and the Amplify CLI.
//
// A JSON array prints each element as its own document, preceded by a blank
// line and a "---" line: the Amplify CLI's "\n---\n" + dump(item), so `get`
// output can be fed back to `apply -f`. An empty array is a stream of no
// documents and prints nothing; scripts tell "nothing" from an error by the
// exit code (an error prints an error document and exits 1).
type YAML struct{}

// Print writes v as YAML.
func (YAML) Print(w io.Writer, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	root, err := yamlNode(dec)
	if err != nil {
		return fmt.Errorf("converting JSON to YAML: %w", err)
	}
	if root.Kind != yaml.SequenceNode {
		return writeYAMLDocument(w, root)
	}
	for _, item := range root.Content {
		if _, err := io.WriteString(w, "\n---\n"); err != nil {
			return err
		}
		if err := writeYAMLDocument(w, item); err != nil {
			return err
		}
	}
	return nil
}

// writeYAMLDocument encodes one document without a "---" line. A fresh
// encoder per document is what keeps the separator under our control.
func writeYAMLDocument(w io.Writer, n *yaml.Node) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2) // js-yaml's default, which Amplify users are used to
	if err := enc.Encode(n); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// yamlNode reads one JSON value from dec and returns it as a YAML node.
func yamlNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if t == '[' {
			n = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		}
		for dec.More() {
			if n.Kind == yaml.MappingNode {
				tok, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := tok.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v is not a string", tok)
				}
				n.Content = append(n.Content, stringNode(key))
			}
			child, err := yamlNode(dec)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, child)
		}
		_, err := dec.Token() // the closing delimiter
		return n, err
	case string:
		return stringNode(t), nil
	case json.Number:
		// Untagged and plain: the JSON number syntax is a subset of the
		// YAML int and float syntax, so it reads back as a number.
		return &yaml.Node{Kind: yaml.ScalarNode, Value: t.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t)}, nil
	default: // nil
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
}

// stringNode returns a scalar that reads back as the string s. yaml.v3
// quotes plain scalars that YAML 1.2 would read as another type, but only
// when encoding Go strings, not nodes, and not for the YAML 1.1 forms
// (yes, on, 1_000, 1:20) that sigs.k8s.io/yaml and other 1.1 parsers still
// apply. So strings that could be misread are single-quoted here, like
// js-yaml does; the !!str tag remains as a safety net, making the encoder
// double-quote anything this check misses.
func stringNode(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if ambiguousString(s) {
		n.Style = yaml.SingleQuotedStyle
	}
	return n
}

// yamlKeywords are the plain scalars that YAML 1.1 or 1.2 reads as null,
// bool, infinity or NaN, lower-cased.
var yamlKeywords = map[string]bool{
	"~": true, "null": true, "true": true, "false": true, "yes": true, "no": true,
	"on": true, "off": true, "y": true, "n": true,
	".inf": true, "-.inf": true, "+.inf": true, ".nan": true,
}

// numberLike matches every YAML 1.1 and 1.2 int and float form (decimal,
// 0x, 0o, 0b, octal, underscores, base 60, exponents) and more besides;
// quoting a string that did not need it is harmless.
var numberLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-+]?\.?[0-9][0-9a-fA-FxXoO._:+-]*$`) })

// dateLike matches the start of a YAML timestamp.
var dateLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}`) })

// ambiguousString reports whether s, written plain, could be read back as
// something other than the string s.
func ambiguousString(s string) bool {
	if s == "" {
		return true
	}
	if strings.Contains(s, "\n") {
		return false // printed as a literal block, which is always a string
	}
	return yamlKeywords[strings.ToLower(s)] || numberLike().MatchString(s) || dateLike().MatchString(s)
}
