package rsql

import "strings"

// The grammar, with "after" threaded through so that a message can name the
// token that something was expected after:
//
//	or         = and { ("," | "or") and }
//	and        = constraint { (";" | "and") constraint }
//	constraint = "(" or ")" | comparison
//	comparison = selector operator ( value | "(" value { "," value } ")" )
//	           | selector ( "=with=" | "=without=" ) quoted-query
//	selector   = "@" | name { "." name }

func (p *parser) or(after string) (node, error) {
	var terms or
	for {
		e, err := p.and(after)
		if err != nil {
			return nil, err
		}
		// Flattening (a,b),c to a,b,c keeps String canonical.
		if nested, ok := e.(or); ok {
			terms = append(terms, nested...)
		} else {
			terms = append(terms, e)
		}
		if after = p.logical(',', "or"); after == "" {
			break
		}
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return terms, nil
}

func (p *parser) and(after string) (node, error) {
	var terms and
	for {
		e, err := p.constraint(after)
		if err != nil {
			return nil, err
		}
		if nested, ok := e.(and); ok {
			terms = append(terms, nested...)
		} else {
			terms = append(terms, e)
		}
		p.skipSpace()
		if after = p.logical(';', "and"); after == "" {
			break
		}
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return terms, nil
}

func (p *parser) constraint(after string) (node, error) {
	p.skipSpace()
	if p.eof() || p.query[p.off] != '(' {
		return p.comparison(after)
	}
	if p.depth == maxDepth {
		return nil, p.errorf(p.off, "at most %d nested groups are allowed", maxDepth)
	}
	p.depth++
	p.off++
	e, err := p.or("(")
	if err != nil {
		return nil, err
	}
	switch {
	case p.eof():
		return nil, p.errorf(p.off, `")" is expected`)
	case p.query[p.off] != ')':
		return nil, p.errorf(p.off, `";", ",", "and", "or" or ")" is expected`)
	}
	p.off++
	p.depth--
	return e, nil
}

func (p *parser) comparison(after string) (node, error) {
	path, err := p.selector(after)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	op, text, err := p.operator(selectorText(path))
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if op == opWith || op == opWithout {
		return p.with(path, op, text)
	}
	c := &comparison{path: path, op: op}
	c.positive, c.negate = op.positive()
	if op == opIn || op == opOut {
		c.values, err = p.list(text, op)
		return c, err
	}
	if !p.eof() && p.query[p.off] == '(' {
		return nil, p.errorf(p.off, "a single value, not a list, is expected after %q", text)
	}
	at := p.off
	raw, null, err := p.value(text)
	if err != nil {
		return nil, err
	}
	if null && op.ordered() {
		return nil, p.errorf(at, "a value other than null is expected after %q", text)
	}
	c.values = []value{newValue(raw, null, op)}
	if n := len(c.values[0].glob); n > maxGlob {
		return nil, p.errorf(at, "a value with wildcards (* or _) is at most %d characters, not %d; === compares longer text exactly", maxGlob, n)
	}
	return c, nil
}

// selector reads a dotted path; every part must have a name, because an
// empty one ("a..b") is almost certainly a typo that would silently match
// nothing. The selector @ is the nil path: the entry a =with= query is
// matched against, which a part of a longer path cannot name.
func (p *parser) selector(after string) ([]string, error) {
	start := p.off
	text := p.scan(endsSelector)
	if text == "" {
		if after == "" {
			return nil, p.errorf(p.off, "a selector is expected")
		}
		return nil, p.errorf(p.off, "a selector is expected after %q", after)
	}
	if text == "@" {
		if p.outer == nil {
			return nil, p.errorf(start, `"@" stands for an entry and is only allowed in the quoted query of =with= or =without=`)
		}
		return nil, nil
	}
	path := strings.Split(text, ".")
	off := start
	for i, name := range path {
		switch {
		case name == "" && i == 0:
			return nil, p.errorf(off, `a selector cannot start with "."`)
		case name == "":
			return nil, p.errorf(off, `a name is expected after "."`)
		case name == "@":
			return nil, p.errorf(off, `"@" stands for the whole entry and cannot be part of a longer selector`)
		}
		off += len(name) + 1
	}
	return path, nil
}

// list reads the arguments of =in= and =out=: a parenthesised list or, as
// RSQL allows, a single bare value.
func (p *parser) list(text string, op operator) ([]value, error) {
	if p.eof() || p.query[p.off] != '(' {
		raw, null, err := p.value(text)
		if err != nil {
			return nil, err
		}
		return []value{newValue(raw, null, op)}, nil
	}
	p.off++
	var values []value
	for after := "("; ; after = "," {
		p.skipSpace()
		raw, null, err := p.value(after)
		if err != nil {
			return nil, err
		}
		values = append(values, newValue(raw, null, op))
		p.skipSpace()
		if p.eof() || (p.query[p.off] != ',' && p.query[p.off] != ')') {
			return nil, p.errorf(p.off, `"," or ")" is expected`)
		}
		p.off++
		if p.query[p.off-1] == ')' {
			return values, nil
		}
	}
}
