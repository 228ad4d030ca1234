package rsql

import (
	"cmp"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// value is one argument of a comparison with every reading of it that Match
// may need worked out once, at Parse time.
type value struct {
	raw  string // the text, unquoted
	null bool   // the unquoted word null: missing or JSON null

	num    number // raw as a number, when isNum
	isNum  bool
	time   time.Time // raw as a timestamp or epoch milliseconds, when isTime
	isTime bool
	glob   []rune // the wildcard pattern of == and !=; nil when raw has none
}

func newValue(raw string, null bool, op operator) value {
	v := value{raw: raw, null: null}
	if null {
		return v
	}
	v.num, v.isNum = parseNumber(raw)
	v.time, v.isTime = parseQueryTime(raw)
	if (op == opEqual || op == opNotEqual) && strings.ContainsAny(raw, "*_") {
		v.glob = []rune(raw)
	}
	return v
}

// number keeps integers exact: a float64 loses sequence IDs and resource
// versions past 2^53, which json.Number documents still carry in full.
type number struct {
	i     int64
	f     float64
	isInt bool
}

func numberFromFloat(f float64) number {
	if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
		return number{i: int64(f), f: f, isInt: true}
	}
	return number{f: f}
}

// parseNumber reads s as a JSON number, leading zeros allowed. It refuses
// what strconv alone would take (NaN, Inf, hex, "+1", "1_000"), which
// would make words and version strings compare as numbers.
func parseNumber(s string) (number, bool) {
	if !isDecimal(s) {
		return number{}, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return number{i: i, f: float64(i), isInt: true}, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return number{}, false
	}
	return numberFromFloat(f), true
}

// isDecimal reports whether s is -?digits[.digits][(e|E)[+-]digits].
func isDecimal(s string) bool {
	i := 0
	digits := func() bool {
		start := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	if !digits() {
		return false
	}
	if i < len(s) && s[i] == '.' {
		if i++; !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		if i++; i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}

func compareNumbers(a, b number) int {
	if a.isInt && b.isInt {
		return cmp.Compare(a.i, b.i)
	}
	return cmp.Compare(a.f, b.f)
}

// String is the number as encoding/json would write it, so that wildcards
// and string comparisons see the same text whichever way the document was
// decoded: 3.0 and json.Number("3.0") both read "3".
func (n number) String() string {
	if n.isInt {
		return strconv.FormatInt(n.i, 10)
	}
	format := byte('f')
	if abs := math.Abs(n.f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.FormatFloat(n.f, format, -1, 64)
}

// timeLayouts are the accepted timestamps. Parsing takes fractional seconds
// after "05" even when the layout has none, so the first covers the wire
// format (.000-0700) and "Z"; the second covers "-07:00".
var timeLayouts = []string{"2006-01-02T15:04:05Z0700", time.RFC3339}

// parseTimestamp reads a timestamp string. It checks the shape first
// because it runs on document values for every ordered comparison, most of
// which are not timestamps.
func parseTimestamp(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02T15:04:05Z") || s[4] != '-' || s[10] != 'T' {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// parseQueryTime also reads a plain integer as epoch milliseconds, the
// other form the API Server documents for dates in queries.
func parseQueryTime(s string) (time.Time, bool) {
	if t, ok := parseTimestamp(s); ok {
		return t, true
	}
	if !isDecimal(s) || strings.ContainsAny(s, ".eE") {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}
