package rsql

import "strings"

// and holds when every term does. Parse flattens nested ands, so no term is
// itself an and.
type and []Expr

func (a and) Match(doc map[string]any) bool {
	for _, e := range a {
		if !e.Match(doc) {
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
type or []Expr

func (o or) Match(doc map[string]any) bool {
	for _, e := range o {
		if e.Match(doc) {
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
)

var operatorText = [...]string{"==", "!=", "===", "!==", "<", "<=", ">", ">=", "=in=", "=out="}

// namedOperators are the FIQL spellings, lower-cased.
var namedOperators = map[string]operator{
	"eq": opExact, "neq": opNotExact,
	"lt": opLess, "le": opLessEq, "gt": opGreater, "ge": opGreaterEq,
	"in": opIn, "out": opOut,
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
	path     []string
	op       operator
	positive operator // op without its negation
	negate   bool
	values   []value // exactly one unless op is =in= or =out=
}

func (c *comparison) String() string {
	var b strings.Builder
	b.WriteString(strings.Join(c.path, "."))
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

// writeValue writes v unquoted when that reads back the same, else in
// double quotes with backslash escapes.
func writeValue(b *strings.Builder, v *value) {
	if v.null || !needsQuotes(v.raw) {
		b.WriteString(v.raw)
		return
	}
	b.WriteByte('"')
	for i := 0; i < len(v.raw); i++ {
		if c := v.raw[i]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v.raw[i])
	}
	b.WriteByte('"')
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
