package rsql

import "strings"

// node is an Expr as Parse builds it, which can also be matched against a
// value that is not an object: an entry of a =with= may be a string.
type node interface {
	Expr
	match(v any) bool
}

// and holds when every term does. Parse flattens nested ands, so no term is
// itself an and.
type and []node

func (a and) Match(doc map[string]any) bool { return a.match(doc) }

func (a and) match(v any) bool {
	for _, e := range a {
		if !e.match(v) {
			return false
		}
	}
	return true
}

func (a and) String() string {
	parts := make([]string, len(a))
	for i, e := range a {
		parts[i] = e.String()
		// ";" binds tighter than ",", so only an or needs its parentheses back.
		if _, ok := e.(or); ok {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, ";")
}

// or holds when any term does. Parse flattens nested ors.
type or []node

func (o or) Match(doc map[string]any) bool { return o.match(doc) }

func (o or) match(v any) bool {
	for _, e := range o {
		if e.match(v) {
			return true
		}
	}
	return false
}

func (o or) String() string {
	parts := make([]string, len(o))
	for i, e := range o {
		parts[i] = e.String()
	}
	return strings.Join(parts, ",")
}

// operator is a comparison operator; aliases such as =eq= are folded into
// the symbolic form at Parse time.
type operator int

const (
	opEqual     operator = iota // ==, case-insensitive with wildcards
	opNotEqual                  // !=
	opExact                     // === and =eq=
	opNotExact                  // !== and =neq=
	opLess                      // < and =lt=
	opLessEq                    // <= and =le=
	opGreater                   // > and =gt=
	opGreaterEq                 // >= and =ge=
	opIn                        // =in=
	opOut                       // =out=
	opWith                      // =with=, which a with node holds rather than a comparison
	opWithout                   // =without=
)

var operatorText = [...]string{"==", "!=", "===", "!==", "<", "<=", ">", ">=", "=in=", "=out=", "=with=", "=without="}

// namedOperators are the FIQL spellings, lower-cased.
var namedOperators = map[string]operator{
	"eq": opExact, "neq": opNotExact,
	"lt": opLess, "le": opLessEq, "gt": opGreater, "ge": opGreaterEq,
	"in": opIn, "out": opOut, "with": opWith, "without": opWithout,
}

func (o operator) String() string { return operatorText[o] }

// positive returns the operator a negated one negates, and whether o is
// negated. Negation is applied after the fan-out over arrays ("no element
// satisfies"), not per element, so tags!=dev excludes anything tagged dev.
func (o operator) positive() (operator, bool) {
	switch o {
	case opNotEqual:
		return opEqual, true
	case opNotExact:
		return opExact, true
	case opOut:
		return opIn, true
	}
	return o, false
}

// ordered reports whether o compares by order, which null has none of.
func (o operator) ordered() bool { return opLess <= o && o <= opGreaterEq }

// comparison is one "selector operator value" term.
type comparison struct {
	path     []string // nil for @, the document itself
	op       operator
	positive operator // op without its negation
	negate   bool
	values   []value // exactly one unless op is =in= or =out=
}

func (c *comparison) String() string {
	var b strings.Builder
	b.WriteString(selectorText(c.path))
	b.WriteString(c.op.String())
	if c.op != opIn && c.op != opOut {
		writeValue(&b, &c.values[0])
		return b.String()
	}
	b.WriteByte('(')
	for i := range c.values {
		if i > 0 {
			b.WriteByte(',')
		}
		writeValue(&b, &c.values[i])
	}
	b.WriteByte(')')
	return b.String()
}

// selectorText is a selector as it is written.
func selectorText(path []string) string {
	if path == nil {
		return "@"
	}
	return strings.Join(path, ".")
}

// writeValue writes v unquoted when that reads back the same, else in
// double quotes.
func writeValue(b *strings.Builder, v *value) {
	if v.null || !needsQuotes(v.raw) {
		b.WriteString(v.raw)
		return
	}
	writeQuoted(b, v.raw, '"')
}

// writeQuoted writes s in quotes, escaping the quote and backslash.
func writeQuoted(b *strings.Builder, s string, quote byte) {
	b.WriteByte(quote)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == quote || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte(quote)
}

func needsQuotes(s string) bool {
	if s == "" || s == "null" || startsOperator(s[0]) {
		return true
	}
	for _, r := range s {
		if endsValue(r) {
			return true
		}
	}
	return false
}
