package jsonschema

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// node is one compiled schema object. Counts are -1 when absent.
type node struct {
	ptr string // where it is in the schema document

	refText string // the $ref as written; when set, nothing else applies
	refPtr  string
	ref     *node

	types    typeSet
	enum     []any
	enumKeys map[string]bool // canonical forms of enum

	properties        map[string]*node
	propertyNames     []string // sorted
	patternProperties []patternSchema
	additionalProps   *node
	noAdditionalProps bool
	required          []string
	dependencies      []dependency // sorted by property
	minProperties     int
	maxProperties     int

	items             *node
	itemList          []*node
	additionalItems   *node
	noAdditionalItems bool
	minItems          int
	maxItems          int
	uniqueItems       bool

	minLength int
	maxLength int
	pattern   *pattern
	format    string

	minimum, maximum                   *number
	exclusiveMinimum, exclusiveMaximum bool
	multipleOf                         *number

	allOf, anyOf, oneOf []*node
	not                 *node
}

type patternSchema struct {
	pattern
	schema *node
}

// dependency is one entry of "dependencies": other properties the property
// needs, or a schema the whole object must then match.
type dependency struct {
	property string
	needs    []string
	schema   *node
}

type compiler struct {
	doc   any
	nodes map[string]*node // by JSON pointer, for $ref
	all   []*node
	refs  []*node // nodes whose $ref is not resolved yet
	probs []Problem
}

func (c *compiler) fail(ptr, format string, args ...any) {
	c.probs = append(c.probs, Problem{Path: ptr, Message: fmt.Sprintf(format, args...)})
}

// compile checks the schema v found at ptr and returns it compiled; a
// problem is recorded and the result is then not to be used.
func (c *compiler) compile(v any, ptr string) *node {
	n := &node{ptr: ptr, minProperties: -1, maxProperties: -1, minItems: -1, maxItems: -1, minLength: -1, maxLength: -1}
	c.nodes[ptr] = n
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(ptr, "a schema must be a JSON object, not %s", kindOf(v))
		return n
	}
	c.all = append(c.all, n)
	k := keywords{c: c, m: m, ptr: ptr}

	for _, key := range []string{"$schema", "id", "title", "description"} {
		k.string(key)
	}
	n.format, _ = k.string("format")
	if ref, ok := k.string("$ref"); ok {
		n.refText = ref
		if p, ok := c.refPointer(ref, ptr+"/$ref"); ok {
			n.refPtr = p
			c.refs = append(c.refs, n)
		}
	}
	n.types = k.types()
	if list, ok := k.array("enum", true); ok {
		n.enum = list
		n.enumKeys = make(map[string]bool, len(list))
		for _, v := range list {
			n.enumKeys[canonicalString(v)] = true
		}
		if j, i, dup := firstRepeat(list); dup {
			c.fail(ptr+"/enum", "values #%d and #%d are equal; they must be unique", j, i)
		}
	}

	n.properties, n.propertyNames = k.schemaMap("properties")
	patterns, names := k.schemaMap("patternProperties")
	for _, src := range names {
		if re := k.regexp(src, ptr+"/patternProperties/"+pointerToken(src)); re != nil {
			n.patternProperties = append(n.patternProperties, patternSchema{pattern{re, src}, patterns[src]})
		}
	}
	n.additionalProps, n.noAdditionalProps = k.schemaOrFalse("additionalProperties")
	if v, ok := m["required"]; ok {
		n.required = k.names(k.at("required"), v)
	}
	n.dependencies = k.dependencies()
	n.minProperties = k.count("minProperties")
	n.maxProperties = k.count("maxProperties")
	k.schemaMap("definitions") // checked, and found by $ref

	switch items := m["items"].(type) {
	case nil:
		if _, ok := m["items"]; ok {
			c.fail(ptr+"/items", "must be a schema or an array of schemas, not null")
		}
	case []any:
		n.itemList = k.schemaList("items", items)
	default:
		n.items = c.compile(items, ptr+"/items")
	}
	n.additionalItems, n.noAdditionalItems = k.schemaOrFalse("additionalItems")
	n.minItems = k.count("minItems")
	n.maxItems = k.count("maxItems")
	n.uniqueItems = k.boolean("uniqueItems")

	n.minLength = k.count("minLength")
	n.maxLength = k.count("maxLength")
	if src, ok := k.string("pattern"); ok {
		if re := k.regexp(src, ptr+"/pattern"); re != nil {
			n.pattern = &pattern{re, src}
		}
	}

	n.minimum = k.number("minimum")
	n.maximum = k.number("maximum")
	n.exclusiveMinimum = k.exclusive("exclusiveMinimum", "minimum")
	n.exclusiveMaximum = k.exclusive("exclusiveMaximum", "maximum")
	if n.multipleOf = k.number("multipleOf"); n.multipleOf != nil && n.multipleOf.r.Sign() <= 0 {
		c.fail(ptr+"/multipleOf", "must be greater than 0, not %s", n.multipleOf.text)
	}

	n.allOf = k.schemas("allOf")
	n.anyOf = k.schemas("anyOf")
	n.oneOf = k.schemas("oneOf")
	if v, ok := m["not"]; ok {
		n.not = c.compile(v, ptr+"/not")
	}
	return n
}

// refPointer turns a $ref into the JSON pointer it names in this schema.
func (c *compiler) refPointer(ref, at string) (string, bool) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok && ref != "" {
		c.fail(at, "%q is outside this schema: only references within it (\"#\" or \"#/definitions/...\") are supported, and nothing is fetched", ref)
		return "", false
	}
	p, err := url.PathUnescape(frag)
	if err != nil {
		c.fail(at, "%q is not a valid reference: %v", ref, err)
		return "", false
	}
	if p != "" && !strings.HasPrefix(p, "/") {
		c.fail(at, "%q names a location by id; only JSON pointers (\"#/definitions/...\") are supported", ref)
		return "", false
	}
	return p, true
}

// resolveRefs points every $ref at its target, compiling targets that are
// not where a schema is expected (such as "#/properties/a/items").
func (c *compiler) resolveRefs() {
	for len(c.refs) > 0 {
		n := c.refs[0]
		c.refs = c.refs[1:]
		target, ok := c.nodes[n.refPtr]
		if !ok {
			v, found := lookup(c.doc, n.refPtr)
			if !found {
				c.fail(n.ptr+"/$ref", "%q points to nothing in this schema", n.refText)
				continue
			}
			target = c.compile(v, n.refPtr)
		}
		n.ref = target
	}
}

// lookup follows a JSON pointer through a decoded document.
func lookup(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch d := doc.(type) {
		case map[string]any:
			v, ok := d[tok]
			if !ok {
				return nil, false
			}
			doc = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(d) || tok != strconv.Itoa(i) {
				return nil, false
			}
			doc = d[i]
		default:
			return nil, false
		}
	}
	return doc, true
}

// checkCycles refuses schemas that would apply to the same value forever,
// such as {"allOf": [{"$ref": "#"}]}: a $ref, allOf, anyOf, oneOf, not or
// schema dependency looping back without descending into the value.
func (c *compiler) checkCycles() {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[*node]int{}
	var visit func(n *node) bool
	visit = func(n *node) bool {
		switch state[n] {
		case visiting:
			c.fail(n.ptr, "the schema refers to itself through $ref without descending into the value, so it can never be checked")
			return false
		case done:
			return true
		}
		state[n] = visiting
		for _, next := range n.sameValue() {
			if !visit(next) {
				return false
			}
		}
		state[n] = done
		return true
	}
	for _, n := range c.all {
		if !visit(n) {
			return
		}
	}
}

// sameValue lists the schemas that apply to the same value as n.
func (n *node) sameValue() []*node {
	if n.ref != nil {
		return []*node{n.ref}
	}
	next := slices.Concat(n.allOf, n.anyOf, n.oneOf)
	if n.not != nil {
		next = append(next, n.not)
	}
	for _, d := range n.dependencies {
		if d.schema != nil {
			next = append(next, d.schema)
		}
	}
	return next
}

// keywords reads the keywords of one schema object, recording problems.
type keywords struct {
	c   *compiler
	m   map[string]any
	ptr string
}

func (k keywords) at(key string) string { return k.ptr + "/" + pointerToken(key) }

func (k keywords) string(key string) (string, bool) {
	v, ok := k.m[key]
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		k.c.fail(k.at(key), "must be a string, not %s", kindOf(v))
	}
	return s, ok
}

func (k keywords) boolean(key string) bool {
	v, ok := k.m[key]
	if !ok {
		return false
	}
	b, ok := v.(bool)
	if !ok {
		k.c.fail(k.at(key), "must be true or false, not %s", kindOf(v))
	}
	return b
}

func (k keywords) number(key string) *number {
	v, ok := k.m[key]
	if !ok {
		return nil
	}
	n, ok := numberOf(v)
	if !ok {
		k.c.fail(k.at(key), "must be a number, not %s", kindOf(v))
		return nil
	}
	return &n
}

// count reads a non-negative integer, -1 when absent.
func (k keywords) count(key string) int {
	n := k.number(key)
	if n == nil {
		return -1
	}
	if !n.r.IsInt() || n.r.Sign() < 0 || !n.r.Num().IsInt64() || n.r.Num().Int64() > 1<<31 {
		k.c.fail(k.at(key), "must be a whole number, 0 or more, not %s", n.text)
		return -1
	}
	return int(n.r.Num().Int64())
}

func (k keywords) exclusive(key, bound string) bool {
	b := k.boolean(key)
	if _, ok := k.m[bound]; !ok && b {
		k.c.fail(k.at(key), "needs %q beside it", bound)
	}
	return b
}

func (k keywords) array(key string, nonEmpty bool) ([]any, bool) {
	v, ok := k.m[key]
	if !ok {
		return nil, false
	}
	list, ok := v.([]any)
	if !ok {
		k.c.fail(k.at(key), "must be an array, not %s", kindOf(v))
		return nil, false
	}
	if nonEmpty && len(list) == 0 {
		k.c.fail(k.at(key), "must not be empty")
		return nil, false
	}
	return list, true
}

// names reads a non-empty array of distinct strings (required, and the
// property dependencies).
func (k keywords) names(at string, v any) []string {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		k.c.fail(at, "must be a non-empty array of property names, not %s", preview(v))
		return nil
	}
	out := make([]string, 0, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			k.c.fail(at+"/"+strconv.Itoa(i), "must be a property name (a string), not %s", kindOf(e))
			continue
		}
		if slices.Contains(out, s) {
			k.c.fail(at, "names %q twice", s)
			continue
		}
		out = append(out, s)
	}
	return out
}

func (k keywords) types() typeSet {
	v, ok := k.m["type"]
	if !ok {
		return 0
	}
	const want = "one of array, boolean, integer, null, number, object, string"
	at := k.at("type")
	switch t := v.(type) {
	case string:
		if ts := typeNamed(t); ts != 0 {
			return ts
		}
		k.c.fail(at, "%q is not a JSON type (want %s)", t, want)
	case []any:
		if len(t) == 0 {
			k.c.fail(at, "must not be an empty array")
			return 0
		}
		var set typeSet
		for i, e := range t {
			s, _ := e.(string)
			ts := typeNamed(s)
			switch {
			case ts == 0:
				k.c.fail(at+"/"+strconv.Itoa(i), "%s is not a JSON type (want %s)", preview(e), want)
			case set&ts != 0:
				k.c.fail(at, "names %q twice", s)
			}
			set |= ts
		}
		return set
	default:
		k.c.fail(at, "must be a type name or an array of them, not %s", preview(v))
	}
	return 0
}

// schemaMap reads an object whose values are schemas, with its keys sorted.
func (k keywords) schemaMap(key string) (map[string]*node, []string) {
	v, ok := k.m[key]
	if !ok {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		k.c.fail(k.at(key), "must be an object of schemas, not %s", kindOf(v))
		return nil, nil
	}
	names := sortedKeys(obj)
	out := make(map[string]*node, len(obj))
	for _, name := range names {
		out[name] = k.c.compile(obj[name], k.at(key)+"/"+pointerToken(name))
	}
	return out, names
}

func (k keywords) schemaList(key string, list []any) []*node {
	out := make([]*node, len(list))
	for i, e := range list {
		out[i] = k.c.compile(e, k.at(key)+"/"+strconv.Itoa(i))
	}
	return out
}

// schemas reads allOf, anyOf or oneOf: a non-empty array of schemas.
func (k keywords) schemas(key string) []*node {
	list, ok := k.array(key, true)
	if !ok {
		return nil
	}
	return k.schemaList(key, list)
}

// schemaOrFalse reads additionalProperties or additionalItems: true (the
// default) allows anything, false nothing, a schema what matches it.
func (k keywords) schemaOrFalse(key string) (*node, bool) {
	switch v := k.m[key].(type) {
	case nil:
		if _, ok := k.m[key]; ok {
			k.c.fail(k.at(key), "must be a boolean or a schema, not null")
		}
	case bool:
		return nil, !v
	default:
		return k.c.compile(v, k.at(key)), false
	}
	return nil, false
}

func (k keywords) dependencies() []dependency {
	v, ok := k.m["dependencies"]
	if !ok {
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		k.c.fail(k.at("dependencies"), "must be an object, not %s", kindOf(v))
		return nil
	}
	var out []dependency
	for _, name := range sortedKeys(obj) {
		at := k.at("dependencies") + "/" + pointerToken(name)
		d := dependency{property: name}
		if _, isList := obj[name].([]any); isList {
			d.needs = k.names(at, obj[name])
		} else {
			d.schema = k.c.compile(obj[name], at)
		}
		out = append(out, d)
	}
	return out
}

func (k keywords) regexp(src, at string) *regexp.Regexp {
	re, err := regexp.Compile(src)
	if err != nil {
		k.c.fail(at, "%q is not a valid regular expression (Go RE2 syntax): %v", src, err)
		return nil
	}
	return re
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys
}
