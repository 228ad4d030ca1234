package apiserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The operations of the Amplify API's JSON Patch: RFC 6902's add, replace
// and remove, and x-build-object-tree. move, copy and test are not served.
const (
	opAdd             = "add"
	opReplace         = "replace"
	opRemove          = "remove"
	opBuildObjectTree = "x-build-object-tree"
)

// maxPointerTokens caps the tokens of a patch operation's JSON pointer
// (/spec/a/b has 3). No resource member a client edits needs more, and the
// cap bounds the work and the nesting one operation can make.
const maxPointerTokens = 64

// patchOp is one operation of an application/json-patch+json body.
type patchOp struct {
	Op   string `json:"op"`
	Path string `json:"path"`
	// Value is nil when the operation has no value, and "null" for a JSON
	// null (json calls RawMessage's UnmarshalJSON with null too).
	Value json.RawMessage `json:"value"`

	tokens []string // Path, parsed
}

// check validates the operation's name, pointer and value; i is its index
// in the patch, for messages.
func (op *patchOp) check(i int) error {
	switch op.Op {
	case opAdd, opReplace:
		if op.Value == nil {
			return invalid(op.Path, "Operation %d (%s %s) needs a value.", i, op.Op, op.Path)
		}
	case opRemove, opBuildObjectTree:
	default:
		return invalid(op.Path, "Operation %d: op %q is not served; use add, replace, remove or x-build-object-tree.", i, op.Op)
	}
	var err error
	if op.tokens, err = parsePointer(op.Path); err != nil {
		if short := abbreviate(op.Path, 200); short != op.Path { // say which, without sending it all back
			return invalid("", "Operation %d (%s %q…): %v.", i, op.Op, short, err)
		}
		return invalid(op.Path, "Operation %d (%s %q): %v.", i, op.Op, op.Path, err)
	}
	return nil
}

// parsePointer splits an RFC 6901 JSON pointer into its unescaped tokens;
// "" is the whole document.
func parsePointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("a JSON pointer starts with \"/\", as in /spec/url")
	}
	if n := strings.Count(p, "/"); n > maxPointerTokens {
		return nil, fmt.Errorf("a JSON pointer has at most %d tokens; this one has %d", maxPointerTokens, n)
	}
	tokens := strings.Split(p[1:], "/")
	for i, t := range tokens {
		for j := 0; j < len(t); j++ {
			if t[j] == '~' && (j+1 == len(t) || t[j+1] != '0' && t[j+1] != '1') {
				return nil, fmt.Errorf("\"~\" must be escaped as ~0 (and \"/\" as ~1)")
			}
		}
		tokens[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return tokens, nil
}

// abbreviate cuts s to at most n bytes, at a character's start, for a
// message that quotes what a client sent.
func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// pointerTo renders tokens back into a pointer, for messages.
func pointerTo(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// applyPatch applies checked ops in order to doc, a JSON value decoded with
// UseNumber (objects as map[string]any, arrays as []any), and returns the
// result. doc's maps are changed in place. The first failing operation
// stops it, with a 400 naming that operation's path.
func applyPatch(doc any, ops []patchOp) (any, error) {
	for i, op := range ops {
		var err error
		if doc, err = applyOp(doc, op); err != nil {
			return nil, invalid(op.Path, "Operation %d (%s %s): %v.", i, op.Op, op.Path, err)
		}
	}
	return doc, nil
}

func applyOp(doc any, op patchOp) (any, error) {
	var value any
	if op.Value != nil {
		dec := json.NewDecoder(bytes.NewReader(op.Value))
		dec.UseNumber()
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
	}
	if op.Op == opBuildObjectTree {
		return buildTree(doc, op.tokens, 0)
	}
	if len(op.tokens) == 0 { // the whole document
		if op.Op == opRemove {
			return nil, fmt.Errorf("the whole document cannot be removed")
		}
		return value, nil
	}
	return within(doc, op.tokens, 0, func(parent any, key string, at []string) (any, error) {
		switch p := parent.(type) {
		case map[string]any:
			_, exists := p[key]
			switch {
			case op.Op == opAdd:
				p[key] = value
			case !exists:
				return nil, fmt.Errorf("%s does not exist", pointerTo(at))
			case op.Op == opReplace:
				p[key] = value
			default:
				delete(p, key)
			}
			return p, nil
		case []any:
			if op.Op == opAdd && key == "-" {
				return append(p, value), nil
			}
			n, err := arrayIndex(key, at)
			if err != nil {
				return nil, err
			}
			if op.Op == opAdd && n == len(p) {
				return append(p, value), nil
			}
			if n >= len(p) {
				return nil, fmt.Errorf("%s is past the end of an array of %d", pointerTo(at), len(p))
			}
			switch op.Op {
			case opAdd:
				return append(p[:n], append([]any{value}, p[n:]...)...), nil
			case opReplace:
				p[n] = value
				return p, nil
			default:
				return append(p[:n], p[n+1:]...), nil
			}
		}
		return nil, fmt.Errorf("%s is inside a %s, which has no members", pointerTo(at), kindOfValue(parent))
	})
}

// within walks doc down tokens, from tokens[i], to the container of the
// last one and returns doc with that container replaced by what fn makes of
// it: arrays that grow or shrink are stored back into their parents on the
// way up. at, given to fn and used in messages, is tokens up to the one at
// hand: a slice of tokens, never a copy.
func within(node any, tokens []string, i int, fn func(parent any, key string, at []string) (any, error)) (any, error) {
	at := tokens[:i+1]
	if i == len(tokens)-1 {
		return fn(node, tokens[i], at)
	}
	child, err := member(node, tokens[i], at)
	if err != nil {
		return nil, err
	}
	if child, err = within(child, tokens, i+1, fn); err != nil {
		return nil, err
	}
	return setMember(node, tokens[i], child), nil
}

// buildTree makes every token of the path from tokens[i] on an object
// member where it is missing (or null), walking through the members and
// array items that exist.
func buildTree(node any, tokens []string, i int) (any, error) {
	if i == len(tokens) {
		return node, nil
	}
	at := tokens[:i+1]
	var child any
	switch n := node.(type) {
	case map[string]any:
		child = n[tokens[i]]
	case []any:
		var err error
		if child, err = member(n, tokens[i], at); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%s is inside a %s, which has no members", pointerTo(at), kindOfValue(node))
	}
	if child == nil {
		child = map[string]any{}
	}
	child, err := buildTree(child, tokens, i+1)
	if err != nil {
		return nil, err
	}
	return setMember(node, tokens[i], child), nil
}

// member returns the existing member key of an object or array.
func member(node any, key string, at []string) (any, error) {
	switch n := node.(type) {
	case map[string]any:
		v, ok := n[key]
		if !ok {
			return nil, fmt.Errorf("%s does not exist", pointerTo(at))
		}
		return v, nil
	case []any:
		i, err := arrayIndex(key, at)
		if err != nil {
			return nil, err
		}
		if i >= len(n) {
			return nil, fmt.Errorf("%s is past the end of an array of %d", pointerTo(at), len(n))
		}
		return n[i], nil
	}
	return nil, fmt.Errorf("%s is inside a %s, which has no members", pointerTo(at), kindOfValue(node))
}

// setMember stores v as the member key that member found.
func setMember(node any, key string, v any) any {
	switch n := node.(type) {
	case map[string]any:
		n[key] = v
	case []any:
		i, _ := strconv.Atoi(key)
		n[i] = v
	}
	return node
}

// arrayIndex reads an array index token: decimal digits without leading
// zeros ("-", the end, is only for add).
func arrayIndex(key string, at []string) (int, error) {
	n, err := strconv.Atoi(key)
	if err != nil || key == "" || strings.Trim(key, "0123456789") != "" || len(key) > 1 && key[0] == '0' {
		return 0, fmt.Errorf("%s: %q is not an array index", pointerTo(at), key)
	}
	return n, nil
}

func kindOfValue(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "value"
}
