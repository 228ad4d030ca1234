// Package rsql implements the query language of `?query=` on list endpoints
// and of `central get -q`: RSQL/FIQL as the Amplify API Server documents it.
//
// A query is parsed once and then matched against every row of a list, so
// everything that can be worked out from the query alone (numbers,
// timestamps, wildcard patterns) is worked out by Parse, and Match only
// reads the document. Documents are generic JSON: map[string]any as
// encoding/json produces it, with numbers as float64 or, under UseNumber,
// json.Number.
//
// The language in brief:
//
//	name==pet*                  case-insensitive, * is any run, _ is one character
//	name!=pet*                  its negation
//	name===Petstore, =eq=       case-sensitive and exact; !== and =neq= negate it
//	count<3 <= > >=             or =lt= =le= =gt= =ge=; numbers, then timestamps, then strings
//	tags=in=(a,b) =out=(a,b)    case-sensitive membership
//	a==1;b==2  a==1 and b==2    and, which binds tighter than
//	a==1,b==2  a==1 or b==2     or; parentheses group
//	owner.id==null              missing or JSON null; owner.id!=null is present
//	refs=with='kind==Secret'    some entry of refs satisfies the quoted query
//	refs=without='kind==Secret' no element does, as when refs is missing or empty
//	tags=with='@==dev*'         @ is the entry itself, for arrays of scalars
//
// A selector is a dotted path. Where it crosses an array the comparison holds
// if any element satisfies it; the negated operators (!=, !==, =out=) hold if
// no element satisfies their positive form, so tags!=dev means "not tagged dev".
//
// =with= applies a whole query to each entry of a multi-valued property in
// turn. Its selector leads to arrays as any selector does, crossing arrays
// on the way; every element of every array reached is an entry, a single
// value there is one entry, and a missing property or null has none. Each
// entry is matched as the document of the quoted query, so its selectors
// start at the entry and
//
//	metadata.references=with='kind==Secret;name==github'
//
// holds only if one reference has both, where
// metadata.references.kind==Secret;metadata.references.name==github also
// holds for a Secret reference and another one named github. An entry that
// is not an object (a tag in tags, say) has no fields: the selector @,
// which stands for the entry itself and is refused outside a =with= or
// =without= query, is how it is tested. =without= holds when =with= does
// not. An empty quoted query holds for every entry, so refs=with="" asks
// whether there are any. The quoted query may hold any query, nested
// =with= too; a quote inside it is escaped with a backslash or is of the
// other kind: refs=with='name=="a b"'.
package rsql

import "fmt"

// Expr is a parsed query. It is immutable, so one Expr may be matched from
// many goroutines at once.
type Expr interface {
	// Match reports whether the document satisfies the query.
	Match(doc map[string]any) bool
	// String returns the canonical form of the query: symbolic operators,
	// ";" and ",", and only the quotes and parentheses that are needed.
	// Parsing it gives an equal Expr.
	String() string
}

// SyntaxError is the error Parse returns for a malformed query. Servers map it
// to 400 Bad Request with errors.As rather than by reading the message.
type SyntaxError struct {
	Query string // the query as given
	// Pos is the 1-based position, in characters rather than bytes, where
	// the problem is; len(query)+1 when something is missing at the end.
	Pos int
	Msg string // what was expected there
}

// Error reads like `invalid query "name==": a value is expected after "==" at character 7`.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid query %q: %s at character %d", e.Query, e.Msg, e.Pos)
}

// Parse parses a query. An empty or all-blank query matches every document,
// which is what a list endpoint without ?query= does. Errors are
// *SyntaxError and say what was expected and at which character, e.g.
// `invalid query "name==": a value is expected after "==" at character 7`.
func Parse(query string) (Expr, error) {
	p := parser{query: query}
	return p.parse()
}

// parse reads a whole query: the one given to Parse or, with p.outer set,
// the quoted query of a =with=.
func (p *parser) parse() (node, error) {
	p.skipSpace()
	if p.eof() {
		return all{}, nil
	}
	e, err := p.or("")
	if err != nil {
		return nil, err
	}
	// or stops at the first thing that cannot continue the query; at the top
	// level that is only correct at the end.
	if !p.eof() {
		if p.query[p.off] == ')' {
			return nil, p.errorf(p.off, `")" has no matching "("`)
		}
		return nil, p.errorf(p.off, `";", ",", "and" or "or" is expected`)
	}
	return e, nil
}

// all is the query that matches everything: the empty query.
type all struct{}

func (all) Match(map[string]any) bool { return true }
func (all) match(any) bool            { return true }
func (all) String() string            { return "" }
