package rsql

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// with is "selector =with= 'query'" or, negated, =without=: whether some
// entry of a multi-valued property satisfies a query of its own.
type with struct {
	path   []string // nil for @, the document itself
	negate bool     // =without=
	query  node     // parsed once, by Parse
}

func (w *with) Match(doc map[string]any) bool { return w.match(doc) }

func (w *with) match(v any) bool { return w.reach(v, w.path) != w.negate }

// reach walks path from v as a comparison does, fanning out over the arrays
// it crosses, and reports whether an entry of what it arrives at satisfies
// the query. Unlike a comparison it tests nothing it cannot reach: a
// missing property has no entries, so not even the query "" holds for it.
func (w *with) reach(v any, path []string) bool {
	for ; len(path) > 0; path = path[1:] {
		switch x := v.(type) {
		case map[string]any:
			v = x[path[0]]
		case []any:
			for _, e := range x {
				if w.reach(e, path) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	switch x := v.(type) {
	case nil:
		return false
	case []any:
		// An entry is not flattened further: the entries of [[1,2],[3]] are
		// the arrays, which @ then fans out over as any selector would.
		for _, e := range x {
			if w.query.match(e) {
				return true
			}
		}
		return false
	}
	return w.query.match(v)
}

// String puts the query in single quotes, as the Amplify documentation
// writes it, or in double quotes when it has a single quote in it, as a
// nested =with= does; a quote of the same kind inside is escaped.
func (w *with) String() string {
	op := opWith
	if w.negate {
		op = opWithout
	}
	var b strings.Builder
	b.WriteString(selectorText(w.path))
	b.WriteString(op.String())
	query := w.query.String()
	quote := byte('\'')
	if strings.IndexByte(query, '\'') >= 0 {
		quote = '"'
	}
	writeQuoted(&b, query, quote)
	return b.String()
}

// with reads the quoted query after =with= or =without= and parses it there
// and then, with a parser of its own whose errors point into p's query.
func (p *parser) with(path []string, op operator, text string) (node, error) {
	if p.eof() || (p.query[p.off] != '\'' && p.query[p.off] != '"') {
		return nil, p.errorf(p.off, "a query in quotes is expected after %q, as in %s'name==x'", text, text)
	}
	if p.depth == maxDepth {
		return nil, p.errorf(p.off, "at most %d nested groups are allowed", maxDepth)
	}
	query, at, err := p.quoted(true)
	if err != nil {
		return nil, err
	}
	// A quote meant to be part of the query ends it early, and what follows
	// cannot then continue this one. Saying so helps more than reporting
	// whatever the query cut short lacks.
	if !p.valueEnds() {
		return nil, p.errorf(p.off-1, "the query after %q ends at this quote; escape a quote inside it with \"\\\" or use the other kind", text)
	}
	inner := parser{query: query, depth: p.depth + 1, outer: p, at: at}
	q, err := inner.parse()
	if err != nil {
		return nil, err
	}
	return &with{path: path, negate: op == opWithout, query: q}, nil
}

// valueEnds reports whether the query may go on from here after a value:
// at its end, a space, ")" or a logical operator.
func (p *parser) valueEnds() bool {
	if p.eof() {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(p.query[p.off:]); unicode.IsSpace(r) || r == ')' {
		return true
	}
	ahead := *p
	return ahead.logical(';', "and") != "" || ahead.logical(',', "or") != ""
}
