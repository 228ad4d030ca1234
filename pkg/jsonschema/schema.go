// Package jsonschema checks JSON values against JSON Schema draft-04, the
// draft of the Amplify catalog's subscription schemas.
//
// Every draft-04 validation keyword is supported. A $ref must point inside
// the same schema ("#" or a JSON pointer such as "#/definitions/name"):
// nothing is ever fetched. "format" is checked loosely for the formats
// draft-04 defines (date-time, email, hostname, ipv4, ipv6, uri) and
// ignored for others, as are unknown keywords. Patterns are Go regular
// expressions (RE2), so ECMA 262 look-arounds and back-references make a
// schema invalid rather than silently never matching.
//
// Nothing is compiled or allocated until Compile is called.
package jsonschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// Schema is a compiled schema, safe for concurrent use.
type Schema struct {
	root *node
}

// Problem is one reason a schema is invalid or a value does not match it.
type Problem struct {
	// Path is the JSON pointer of where the problem is, in the schema or in
	// the value; "" is the whole document.
	Path    string
	Message string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return "at " + p.Path + ": " + p.Message
}

// Error lists the problems found, in a stable order.
type Error struct {
	Problems []Problem
}

// maxShown is how many problems Error prints; the rest are counted.
const maxShown = 12

func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i == maxShown {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-maxShown)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// Decode parses one JSON document the way Validate expects it: numbers stay
// json.Number, so that big integers and decimals are compared exactly.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// Compile parses and checks a draft-04 schema. A schema that is not valid
// gives an *Error whose paths point into the schema.
func Compile(data []byte) (*Schema, error) {
	doc, err := Decode(data)
	if err != nil {
		return nil, err
	}
	return CompileValue(doc)
}

// CompileValue is Compile for a schema already decoded by Decode.
func CompileValue(doc any) (*Schema, error) {
	c := &compiler{doc: doc, nodes: map[string]*node{}}
	if m, ok := doc.(map[string]any); ok {
		if s, ok := m["$schema"].(string); ok && !strings.Contains(s, "draft-04") {
			c.fail("/$schema", "%q: only draft-04 (http://json-schema.org/draft-04/schema#) is supported", s)
		}
	}
	root := c.compile(doc, "")
	c.resolveRefs()
	if len(c.probs) == 0 {
		c.checkCycles()
	}
	if len(c.probs) > 0 {
		return nil, &Error{Problems: c.probs}
	}
	return &Schema{root: root}, nil
}

// Validate checks v, a value from Decode (encoding/json's float64 numbers
// work too), and returns an *Error listing every mismatch with the JSON
// pointer of where it is in v.
func (s *Schema) Validate(v any) error {
	var probs []Problem
	c := &checker{}
	s.root.validate(c, v, "", &probs)
	if c.steps > maxSteps {
		return &Error{Problems: []Problem{{Message: fmt.Sprintf(
			"the value is too large or too deeply nested to check against this schema (over %d steps)", maxSteps)}}}
	}
	if len(probs) > 0 {
		return &Error{Problems: probs}
	}
	return nil
}

// typeSet is a set of the JSON types draft-04 names.
type typeSet uint8

const (
	tNull typeSet = 1 << iota
	tBoolean
	tString
	tNumber
	tInteger
	tArray
	tObject
)

var typeNames = [...]string{"null", "boolean", "string", "number", "integer", "array", "object"}

func typeNamed(name string) typeSet {
	for i, n := range typeNames {
		if n == name {
			return 1 << i
		}
	}
	return 0
}

func (t typeSet) String() string {
	var names []string
	for i, n := range typeNames {
		if t&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, " or ")
}

// number is a JSON number kept exact, with its text for messages.
type number struct {
	r    *big.Rat
	text string
}

// exactLimit bounds the numbers parsed exactly: a literal such as 1e999999999
// would otherwise take a huge amount of memory. Longer literals and larger
// exponents are compared as float64.
const exactLimit = 400

func parseNumber(s string) (number, bool) {
	exact := len(s) <= exactLimit
	if i := strings.IndexAny(s, "eE"); i >= 0 && exact {
		exp, err := strconv.Atoi(s[i+1:])
		exact = err == nil && exp >= -exactLimit && exp <= exactLimit
	}
	if exact {
		if r, ok := new(big.Rat).SetString(s); ok {
			return number{r, s}, true
		}
		return number{}, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return number{}, false
	}
	n := floatNumber(f)
	n.text = s
	return n, true
}

func floatNumber(f float64) number {
	text := strconv.FormatFloat(f, 'g', -1, 64)
	f = max(-maxFloat, min(maxFloat, f)) // an out-of-range literal gives ±Inf
	r := new(big.Rat)
	if r.SetFloat64(f) == nil { // NaN
		r.SetInt64(0)
	}
	return number{r, text}
}

const maxFloat = 1.7976931348623157e308

// numberOf returns v as a number if it is one.
func numberOf(v any) (number, bool) {
	switch n := v.(type) {
	case json.Number:
		return parseNumber(string(n))
	case float64:
		return floatNumber(n), true
	case int:
		return number{big.NewRat(int64(n), 1), strconv.Itoa(n)}, true
	case int64:
		return number{big.NewRat(n, 1), strconv.FormatInt(n, 10)}, true
	}
	return number{}, false
}

// kindOf names v's JSON type.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	if _, ok := numberOf(v); ok {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// canonical writes v so that two JSON values are equal exactly when their
// canonical forms are: numbers by value (1 and 1.0 are equal), object keys
// sorted.
func canonical(b *strings.Builder, v any) {
	if n, ok := numberOf(v); ok {
		b.WriteString("#" + n.r.RatString())
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		b.WriteString(strconv.Quote(x))
	case []any:
		b.WriteByte('[')
		for _, e := range x {
			canonical(b, e)
			b.WriteByte(',')
		}
		b.WriteByte(']')
	case map[string]any:
		b.WriteByte('{')
		for _, k := range sortedKeys(x) {
			b.WriteString(strconv.Quote(k) + ":")
			canonical(b, x[k])
			b.WriteByte(',')
		}
		b.WriteByte('}')
	default:
		fmt.Fprintf(b, "%T:%v", v, v)
	}
}

func canonicalString(v any) string {
	var b strings.Builder
	canonical(&b, v)
	return b.String()
}

// firstRepeat returns the indexes of the first value of list that equals
// an earlier one, or ok false.
func firstRepeat(list []any) (earlier, later int, ok bool) {
	seen := make(map[string]int, len(list))
	for i, v := range list {
		key := canonicalString(v)
		if j, dup := seen[key]; dup {
			return j, i, true
		}
		seen[key] = i
	}
	return 0, 0, false
}

// preview shows a value in a message: scalars as JSON, shortened.
func preview(v any) string {
	var s string
	switch x := v.(type) {
	case string:
		r := []rune(x)
		if len(r) > 40 {
			x = string(r[:37]) + "..."
		}
		s = strconv.Quote(x)
	case []any, map[string]any:
		return kindOf(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return kindOf(v)
		}
		s = string(b)
	}
	return s
}

// pointerToken escapes one JSON pointer reference token.
func pointerToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// quoted lists names as "a", "b".
func quoted(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// pattern is a compiled regular expression with its source for messages.
type pattern struct {
	re  *regexp.Regexp
	src string
}
