package rsql

import (
	"encoding/json"
	"strconv"
	"strings"
)

func (c *comparison) Match(doc map[string]any) bool { return c.match(doc) }

func (c *comparison) match(v any) bool { return c.reach(v, c.path) != c.negate }

// reach walks path from v and reports whether any value it arrives at
// satisfies the positive operator. Arrays fan out, at the end of the path
// as well as on the way, and anything the path cannot reach (a missing key,
// a field of a scalar, an empty array) is tested as null.
func (c *comparison) reach(v any, path []string) bool {
	for ; len(path) > 0; path = path[1:] {
		switch x := v.(type) {
		case map[string]any:
			v = x[path[0]]
		case []any:
			return c.reachEach(x, path)
		default:
			return c.test(nil)
		}
	}
	if x, ok := v.([]any); ok {
		return c.reachEach(x, nil)
	}
	return c.test(v)
}

func (c *comparison) reachEach(elems []any, path []string) bool {
	if len(elems) == 0 {
		return c.test(nil)
	}
	for _, e := range elems {
		if c.reach(e, path) {
			return true
		}
	}
	return false
}

// test applies the positive operator to one value from the document.
func (c *comparison) test(leaf any) bool {
	switch c.positive {
	case opEqual:
		return c.values[0].equal(leaf, true)
	case opExact:
		return c.values[0].equal(leaf, false)
	case opIn:
		for i := range c.values {
			if c.values[i].equal(leaf, false) {
				return true
			}
		}
		return false
	}
	order, ok := c.values[0].order(leaf)
	if !ok {
		return false
	}
	switch c.positive {
	case opLess:
		return order < 0
	case opLessEq:
		return order <= 0
	case opGreater:
		return order > 0
	default:
		return order >= 0
	}
}

// equal compares a document value with v: null with null only, numbers
// numerically when v is a number, and everything else by its string form,
// folding case and applying wildcards when fold is set. Objects equal nothing.
func (v *value) equal(leaf any, fold bool) bool {
	if leaf == nil || v.null {
		return leaf == nil && v.null
	}
	var s string
	switch x := leaf.(type) {
	case string:
		s = x
	case bool:
		s = strconv.FormatBool(x)
	default:
		n, ok := leafNumber(leaf)
		if !ok {
			return false
		}
		if v.isNum && v.glob == nil {
			return compareNumbers(n, v.num) == 0
		}
		s = n.String()
	}
	switch {
	case !fold:
		return s == v.raw
	case v.glob != nil:
		return globFold(v.glob, s)
	default:
		return strings.EqualFold(s, v.raw)
	}
}

// order compares a document value with v: as numbers if both are, else as
// times if both are, else as strings. ok is false for null and objects,
// which have no order.
func (v *value) order(leaf any) (order int, ok bool) {
	switch x := leaf.(type) {
	case nil:
		return 0, false
	case string:
		if v.isNum {
			if n, ok := parseNumber(x); ok {
				return compareNumbers(n, v.num), true
			}
		}
		if v.isTime {
			if t, ok := parseTimestamp(x); ok {
				return t.Compare(v.time), true
			}
		}
		return strings.Compare(x, v.raw), true
	case bool:
		return strings.Compare(strconv.FormatBool(x), v.raw), true
	}
	n, ok := leafNumber(leaf)
	if !ok {
		return 0, false
	}
	if v.isNum {
		return compareNumbers(n, v.num), true
	}
	return strings.Compare(n.String(), v.raw), true
}

// leafNumber reads the number types a decoded document holds. int and int64
// are not JSON's, but documents built by hand in Go often carry them.
func leafNumber(leaf any) (number, bool) {
	switch x := leaf.(type) {
	case float64:
		return numberFromFloat(x), true
	case json.Number:
		return parseNumber(string(x))
	case int:
		return number{i: int64(x), f: float64(x), isInt: true}, true
	case int64:
		return number{i: x, f: float64(x), isInt: true}, true
	}
	return number{}, false
}
