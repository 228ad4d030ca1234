package loader

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// This file writes yaml.Node trees as JSON text. sigs.k8s.io/yaml.YAMLToJSON
// would be shorter, but it decodes through Go values: integers beyond uint64
// become float64 (123456789012345678901234567890 turns into
// 1.2345678901234568e+29), "1.10" becomes 1.1, and YAML 1.1's yes/no/on/off
// become booleans, which js-yaml, Amplify's parser, keeps as strings. Working
// on nodes keeps every number exactly as written and follows YAML 1.2 like
// js-yaml does. Timestamps stay the strings the user wrote.

// errExpansion is returned when aliases expand a source beyond its budget
// (the "billion laughs" attack): yaml.Node keeps aliases unexpanded, so the
// parser's own guard does not apply here.
var errExpansion = errors.New("aliases expand to too much data")

// converter writes JSON for the entries of one source, sharing one budget.
type converter struct {
	buf    []byte
	spent  int                 // bytes written for earlier entries
	limit  int                 // bytes the whole source may produce
	active map[*yaml.Node]bool // collections being written, to catch alias loops
}

// newConverter sizes the budget from the input: plain YAML never grows more
// than a few times as JSON (quotes, "null" for empty values, escapes), so
// anything far beyond that comes from aliases.
func newConverter(inputSize int) *converter {
	return &converter{limit: 8*inputSize + 1<<20, active: map[*yaml.Node]bool{}}
}

// convert returns n as one JSON value, in a fresh slice the caller keeps.
func (c *converter) convert(n *yaml.Node) ([]byte, error) {
	c.buf = nil
	err := c.value(n)
	c.spent += len(c.buf)
	return c.buf, err
}

func (c *converter) value(n *yaml.Node) error {
	if c.spent+len(c.buf) > c.limit {
		return errExpansion
	}
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias == nil {
			return lineError(n, "alias *%s has no anchor", n.Value)
		}
		return c.value(n.Alias)
	case yaml.ScalarNode:
		return c.scalar(n)
	case yaml.SequenceNode, yaml.MappingNode:
		if c.active[n] {
			return lineError(n, "an alias refers to the collection that contains it")
		}
		c.active[n] = true
		defer delete(c.active, n)
		if n.Kind == yaml.SequenceNode {
			return c.sequence(n)
		}
		return c.mapping(n)
	}
	return lineError(n, "unexpected YAML node")
}

func (c *converter) sequence(n *yaml.Node) error {
	c.buf = append(c.buf, '[')
	for i, item := range n.Content {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		if err := c.value(item); err != nil {
			return err
		}
	}
	c.buf = append(c.buf, ']')
	return nil
}

func (c *converter) mapping(n *yaml.Node) error {
	members, err := c.members(n)
	if err != nil {
		return err
	}
	c.buf = append(c.buf, '{')
	for i, m := range members {
		if i > 0 {
			c.buf = append(c.buf, ',')
		}
		c.buf = appendString(c.buf, m.key)
		c.buf = append(c.buf, ':')
		if err := c.value(m.value); err != nil {
			return err
		}
	}
	c.buf = append(c.buf, '}')
	return nil
}

func (c *converter) scalar(n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!null":
		c.buf = append(c.buf, "null"...)
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			return lineError(n, "%q is not true or false", n.Value)
		}
		c.buf = strconv.AppendBool(c.buf, b)
	case "!!int", "!!float":
		num, err := number(n)
		if err != nil {
			return err
		}
		c.buf = append(c.buf, num...)
	default: // !!str, !!timestamp, !!binary and custom tags: the text as written
		c.buf = appendString(c.buf, n.Value)
	}
	return nil
}

var jsonNumber = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`) })

// number writes an !!int or !!float as a JSON number. Spellings JSON accepts
// are kept verbatim, so nothing is rounded; YAML-only spellings (0x1F, 0o17,
// 1_000, +1, .5) are converted, integers exactly, floats through float64.
func number(n *yaml.Node) (string, error) {
	if jsonNumber().MatchString(n.Value) {
		return n.Value, nil
	}
	plain := strings.ReplaceAll(n.Value, "_", "") // as yaml.v3 resolves them
	if n.ShortTag() == "!!int" {
		if i, ok := new(big.Int).SetString(plain, 0); ok {
			return i.String(), nil
		}
		return "", lineError(n, "%q is not an integer", n.Value)
	}
	f, err := strconv.ParseFloat(plain, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", lineError(n, "%q is not a number JSON can hold", n.Value)
	}
	return strconv.FormatFloat(f, 'g', -1, 64), nil
}

// appendString quotes s as a JSON string. Unlike encoding/json it leaves <, >
// and & alone, so specs echoed back (apply -o json) read as the user wrote.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\r':
			b = append(b, `\r`...)
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

func lineError(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("line %d: %s", n.Line, fmt.Sprintf(format, args...))
}
