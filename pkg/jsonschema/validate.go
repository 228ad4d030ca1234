package jsonschema

import (
	"fmt"
	"math/big"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxSteps bounds the work of one Validate: schemas that branch (anyOf,
// oneOf) and recurse ($ref) can otherwise take exponential time on a deeply
// nested value. Real subscription properties take a few hundred steps.
const maxSteps = 100_000

// checker is the state of one Validate.
type checker struct {
	steps int // schemas applied so far
}

// validate appends to probs every way v, found at path, fails n.
func (n *node) validate(c *checker, v any, path string, probs *[]Problem) {
	if c.steps++; c.steps > maxSteps {
		return // Validate reports it
	}
	if n.ref != nil {
		n.ref.validate(c, v, path, probs)
		return
	}
	add := func(format string, args ...any) {
		*probs = append(*probs, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	num, isNum := numberOf(v)
	if n.types != 0 && !n.allowsType(v, num, isNum) {
		add("want %s, got %s", n.types, described(v))
		return // the other keywords would only repeat it
	}
	if n.enum != nil && !n.enumKeys[canonicalString(v)] {
		add("value must be one of %s (got %s)", enumText(n.enum), preview(v))
	}
	switch x := v.(type) {
	case map[string]any:
		n.validateObject(c, x, path, probs, add)
	case []any:
		n.validateArray(c, x, path, probs, add)
	case string:
		n.validateString(x, add)
	default:
		if isNum {
			n.validateNumber(num, add)
		}
	}
	for _, s := range n.allOf {
		s.validate(c, v, path, probs)
	}
	if n.anyOf != nil {
		var failures [][]Problem
		for _, s := range n.anyOf {
			var sub []Problem
			if s.validate(c, v, path, &sub); len(sub) == 0 {
				failures = nil
				break
			}
			failures = append(failures, sub)
		}
		if failures != nil {
			add("matches no schema of anyOf (%s)", alternatives(failures, path))
		}
	}
	if n.oneOf != nil {
		var failures [][]Problem
		var matched []string
		for i, s := range n.oneOf {
			var sub []Problem
			if s.validate(c, v, path, &sub); len(sub) == 0 {
				matched = append(matched, "#"+strconv.Itoa(i))
			}
			failures = append(failures, sub)
		}
		if len(matched) == 0 {
			add("matches no schema of oneOf (%s)", alternatives(failures, path))
		} else if len(matched) > 1 {
			add("must match exactly one schema of oneOf, but matches %s", strings.Join(matched, " and "))
		}
	}
	if n.not != nil {
		var sub []Problem
		if n.not.validate(c, v, path, &sub); len(sub) == 0 {
			add("must not match the schema of \"not\"")
		}
	}
}

func (n *node) allowsType(v any, num number, isNum bool) bool {
	if isNum {
		return n.types&tNumber != 0 || n.types&tInteger != 0 && num.r.IsInt()
	}
	return n.types&typeNamed(kindOf(v)) != 0
}

// described names v's type, with the value itself for a scalar.
func described(v any) string {
	switch v.(type) {
	case []any, map[string]any, nil:
		return kindOf(v)
	}
	return kindOf(v) + " " + preview(v)
}

func enumText(values []any) string {
	const shown = 10
	parts := make([]string, 0, shown+1)
	for i, e := range values {
		if i == shown {
			parts = append(parts, fmt.Sprintf("... (%d values)", len(values)))
			break
		}
		parts = append(parts, preview(e))
	}
	return strings.Join(parts, ", ")
}

// maxAlternatives bounds the text of alternatives, which nests: anyOf
// within anyOf would otherwise double it at every level.
const maxAlternatives = 600

// alternatives tells why each schema of anyOf or oneOf failed, with paths
// relative to where the combinator is when they go deeper.
func alternatives(failures [][]Problem, path string) string {
	var b strings.Builder
	for i, sub := range failures {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString("#" + strconv.Itoa(i) + ": ")
		for j, p := range sub {
			if j > 0 {
				b.WriteString(", ")
			}
			if p.Path == path {
				b.WriteString(p.Message)
			} else {
				b.WriteString(p.String())
			}
		}
		if b.Len() > maxAlternatives {
			break
		}
	}
	text := b.String()
	if len(text) > maxAlternatives {
		cut := maxAlternatives
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "..."
	}
	return text
}

func (n *node) validateObject(c *checker, obj map[string]any, path string, probs *[]Problem, add func(string, ...any)) {
	var missing, extra []string
	for _, name := range n.required {
		if _, ok := obj[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		add("missing %s (required)", plural("property", "properties", missing))
	}
	for _, name := range sortedKeys(obj) {
		at := path + "/" + pointerToken(name)
		declared := false
		if s, ok := n.properties[name]; ok {
			declared = true
			s.validate(c, obj[name], at, probs)
		}
		for _, p := range n.patternProperties {
			if p.re.MatchString(name) {
				declared = true
				p.schema.validate(c, obj[name], at, probs)
			}
		}
		switch {
		case declared:
		case n.noAdditionalProps:
			extra = append(extra, name)
		case n.additionalProps != nil:
			n.additionalProps.validate(c, obj[name], at, probs)
		}
	}
	if len(extra) > 0 {
		verb := "are"
		if len(extra) == 1 {
			verb = "is"
		}
		add("%s %s not allowed (additionalProperties is false)", plural("property", "properties", extra), verb)
	}
	if n.minProperties >= 0 && len(obj) < n.minProperties {
		add("must have at least %d properties, got %d", n.minProperties, len(obj))
	}
	if n.maxProperties >= 0 && len(obj) > n.maxProperties {
		add("must have at most %d properties, got %d", n.maxProperties, len(obj))
	}
	for _, d := range n.dependencies {
		if _, ok := obj[d.property]; !ok {
			continue
		}
		if d.schema != nil {
			d.schema.validate(c, obj, path, probs)
			continue
		}
		var lacking []string
		for _, name := range d.needs {
			if _, ok := obj[name]; !ok {
				lacking = append(lacking, name)
			}
		}
		if len(lacking) > 0 {
			add("property %q needs %s too (dependencies)", d.property, plural("property", "properties", lacking))
		}
	}
}

// plural writes `property "a"` or `properties "a", "b"`.
func plural(one, many string, names []string) string {
	if len(names) == 1 {
		return one + " " + quoted(names)
	}
	return many + " " + quoted(names)
}

func (n *node) validateArray(c *checker, list []any, path string, probs *[]Problem, add func(string, ...any)) {
	for i, e := range list {
		at := path + "/" + strconv.Itoa(i)
		switch {
		case n.items != nil:
			n.items.validate(c, e, at, probs)
		case n.itemList == nil:
		case i < len(n.itemList):
			n.itemList[i].validate(c, e, at, probs)
		case n.noAdditionalItems:
			if i == len(n.itemList) {
				add("has %d items, but the schema allows at most %d (additionalItems is false)", len(list), len(n.itemList))
			}
		case n.additionalItems != nil:
			n.additionalItems.validate(c, e, at, probs)
		}
	}
	if n.minItems >= 0 && len(list) < n.minItems {
		add("must have at least %d items, got %d", n.minItems, len(list))
	}
	if n.maxItems >= 0 && len(list) > n.maxItems {
		add("must have at most %d items, got %d", n.maxItems, len(list))
	}
	if n.uniqueItems {
		if j, i, dup := firstRepeat(list); dup {
			add("items must be unique, but #%d and #%d are equal", j, i)
		}
	}
}

func (n *node) validateString(s string, add func(string, ...any)) {
	if n.minLength >= 0 || n.maxLength >= 0 {
		length := utf8.RuneCountInString(s)
		if n.minLength >= 0 && length < n.minLength {
			add("must be at least %d characters long, got %d", n.minLength, length)
		}
		if n.maxLength >= 0 && length > n.maxLength {
			add("must be at most %d characters long, got %d", n.maxLength, length)
		}
	}
	if n.pattern != nil && !n.pattern.re.MatchString(s) {
		add("%s does not match the pattern %s", preview(s), n.pattern.src)
	}
	if reason := checkFormat(n.format, s); reason != "" {
		add("%s is not a valid %s: %s", preview(s), n.format, reason)
	}
}

func (n *node) validateNumber(v number, add func(string, ...any)) {
	if n.minimum != nil {
		switch c := v.r.Cmp(n.minimum.r); {
		case n.exclusiveMinimum && c <= 0:
			add("must be greater than %s, got %s", n.minimum.text, v.text)
		case c < 0:
			add("must be at least %s, got %s", n.minimum.text, v.text)
		}
	}
	if n.maximum != nil {
		switch c := v.r.Cmp(n.maximum.r); {
		case n.exclusiveMaximum && c >= 0:
			add("must be less than %s, got %s", n.maximum.text, v.text)
		case c > 0:
			add("must be at most %s, got %s", n.maximum.text, v.text)
		}
	}
	if n.multipleOf != nil && !new(big.Rat).Quo(v.r, n.multipleOf.r).IsInt() {
		add("must be a multiple of %s, got %s", n.multipleOf.text, v.text)
	}
}

// checkFormat checks the formats draft-04 defines, loosely; it returns why
// s is not of the format, or "" (also for formats it does not know).
func checkFormat(format, s string) string {
	switch format {
	case "date-time":
		if _, err := time.Parse(time.RFC3339, strings.ToUpper(s)); err != nil {
			return "want RFC 3339, such as 2024-01-31T09:30:00Z"
		}
	case "email":
		at := strings.LastIndexByte(s, '@')
		if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n") {
			return "want name@domain"
		}
	case "hostname":
		return checkHostname(s)
	case "ipv4":
		if a, err := netip.ParseAddr(s); err != nil || !a.Is4() {
			return "want four decimal numbers, such as 192.0.2.1"
		}
	case "ipv6":
		if a, err := netip.ParseAddr(s); err != nil || !a.Is6() || a.Zone() != "" {
			return "want an IPv6 address, such as 2001:db8::1"
		}
	case "uri":
		if u, err := url.Parse(s); err != nil || u.Scheme == "" {
			return "want an absolute URI, such as https://example.com/path"
		}
	}
	return ""
}

func checkHostname(s string) string {
	if s == "" || len(s) > 253 {
		return "want 1 to 253 characters"
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "want dot-separated labels of 1 to 63 characters, not starting or ending with -"
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return "want letters, digits, - and ."
			}
		}
	}
	return ""
}
