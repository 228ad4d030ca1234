package rsql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// parser reads a query left to right. The grammar is small enough that the
// tokens are read on demand, by the rule that expects them, rather than by a
// separate lexer: what a character means (the "=" in "a==b=c") depends on
// where it stands.
type parser struct {
	query string
	off   int // byte offset of the next unread character
	depth int // open parentheses and enclosing =with= queries

	// outer is set when query is the quoted query of a =with= or =without=,
	// unescaped. Its errors are reported against the outer query, where
	// at[i] is the offset of byte i of query and at[len(query)] that of the
	// closing quote, so that the character a user is shown is the one they
	// typed, escapes and all.
	outer *parser
	at    []int
}

// maxDepth bounds nesting so that a hostile query cannot make the recursive
// descent exhaust the stack of a server goroutine.
const maxDepth = 100

// errorf reports a problem at byte offset off, as a 1-based character
// position in the query the user gave.
func (p *parser) errorf(off int, format string, args ...any) *SyntaxError {
	if p.outer != nil {
		return p.outer.errorf(p.at[off], format, args...)
	}
	return &SyntaxError{Query: p.query, Pos: p.pos(off), Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) pos(off int) int { return utf8.RuneCountInString(p.query[:off]) + 1 }

func (p *parser) eof() bool { return p.off >= len(p.query) }

func (p *parser) skipSpace() {
	for !p.eof() {
		r, w := utf8.DecodeRuneInString(p.query[p.off:])
		if !unicode.IsSpace(r) {
			return
		}
		p.off += w
	}
}

// scan advances over characters until stop says one ends the token, and
// returns what it passed.
func (p *parser) scan(stop func(rune) bool) string {
	start := p.off
	for !p.eof() {
		r, w := utf8.DecodeRuneInString(p.query[p.off:])
		if stop(r) {
			break
		}
		p.off += w
	}
	return p.query[start:p.off]
}

// endsValue reports whether r ends an unquoted value.
func endsValue(r rune) bool {
	return unicode.IsSpace(r) || strings.ContainsRune(`'"();,`, r)
}

// endsSelector reports whether r ends a selector: a value's stops and the
// characters operators start with, so that "name==x" needs no spaces.
func endsSelector(r rune) bool {
	return endsValue(r) || strings.ContainsRune("=!<>", r)
}

// startsOperator reports whether an unquoted value may not start with c: in
// "a===b" or "a=<b" the reader could not tell where the operator ends.
func startsOperator(c byte) bool { return strings.IndexByte("=!<>", c) >= 0 }

// logical consumes a logical operator, its symbol or its word in any case,
// and returns it as written; "" when the next token is something else.
// The word needs a space, "(" or the end after it, so that "a==1 andy==2"
// is an error rather than "and" followed by "y==2".
func (p *parser) logical(symbol byte, word string) string {
	if p.eof() {
		return ""
	}
	if p.query[p.off] == symbol {
		p.off++
		return string(symbol)
	}
	end := p.off + len(word)
	if end > len(p.query) || !strings.EqualFold(p.query[p.off:end], word) {
		return ""
	}
	if end < len(p.query) {
		if r, _ := utf8.DecodeRuneInString(p.query[end:]); !unicode.IsSpace(r) && r != '(' {
			return ""
		}
	}
	p.off = end
	return p.query[end-len(word) : end]
}

// symbols are the operators that are not =name=, longest first so that
// "===" is not read as "==" followed by the value "=".
var symbols = []struct {
	text string
	op   operator
}{
	{"===", opExact}, {"!==", opNotExact}, {"==", opEqual}, {"!=", opNotEqual},
	{"<=", opLessEq}, {">=", opGreaterEq}, {"<", opLess}, {">", opGreater},
}

// operator reads a comparison operator and returns it with its text as
// written, for messages about what follows it.
func (p *parser) operator(selector string) (operator, string, error) {
	rest := p.query[p.off:]
	for _, s := range symbols {
		if strings.HasPrefix(rest, s.text) {
			p.off += len(s.text)
			return s.op, s.text, nil
		}
	}
	if strings.HasPrefix(rest, "=") {
		i := 1
		for i < len(rest) && ('a' <= rest[i]|0x20 && rest[i]|0x20 <= 'z') {
			i++
		}
		if i > 1 && i < len(rest) && rest[i] == '=' {
			text := rest[:i+1]
			op, ok := namedOperators[strings.ToLower(rest[1:i])]
			if !ok {
				return 0, "", p.errorf(p.off, "unknown operator %q", text)
			}
			p.off += len(text)
			return op, text, nil
		}
	}
	return 0, "", p.errorf(p.off, "an operator is expected after %q", selector)
}

// value reads one argument, quoted or not. null reports the unquoted word
// null; quoting it ("null") makes it the four-letter string instead.
func (p *parser) value(after string) (raw string, null bool, err error) {
	if !p.eof() {
		switch c := p.query[p.off]; {
		case c == '"' || c == '\'':
			raw, _, err := p.quoted(false)
			return raw, false, err
		case startsOperator(c):
			return "", false, p.errorf(p.off, "a value that starts with %q must be quoted", string(c))
		}
	}
	raw = p.scan(endsValue)
	if raw == "" {
		return "", false, p.errorf(p.off, "a value is expected after %q", after)
	}
	return raw, raw == "null", nil
}

// quoted reads a value in single or double quotes. A backslash takes the
// next character literally, whatever it is, as RSQL parsers do: "\n" is "n".
// With track set it also returns where each byte of the value, and then the
// closing quote, stand in the query: what a parser of the value as a query
// of its own needs for its errors.
func (p *parser) quoted(track bool) (string, []int, error) {
	quote := p.query[p.off]
	var b []byte
	var at []int
	for i := p.off + 1; i < len(p.query); i++ {
		c := p.query[i]
		if track {
			at = append(at, i)
		}
		if c == quote {
			p.off = i + 1
			return string(b), at, nil
		}
		if c == '\\' {
			if i++; i == len(p.query) {
				break
			}
			c = p.query[i] // placed, for errors, at its backslash
		}
		b = append(b, c)
	}
	name := "double"
	if quote == '\'' {
		name = "single"
	}
	p.off = len(p.query)
	return "", nil, p.errorf(p.off, "a closing %s quote is expected", name)
}
