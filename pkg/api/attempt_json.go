package api

import (
	"slices"
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends a's JSON to b: the fields json.Marshal writes, and
// what it writes decodes to the same Attempt, without reflection. The
// stores record one attempt per delivery, and encoding it through
// encoding/json was about 3 % of a drain's CPU. Strings are escaped as
// JSON requires; unlike json.Marshal, <, > and & are left as they are,
// and backspace and form feed are written as \u0008 and \u000c.
func (a *Attempt) AppendJSON(b []byte) []byte {
	b = append(b, `{"number":`...)
	b = strconv.AppendInt(b, int64(a.Number), 10)
	b = append(b, `,"trigger":`...)
	b = appendJSONString(b, string(a.Trigger))
	b = append(b, `,"startedAt":`...)
	if a.StartedAt.IsZero() {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = a.StartedAt.AppendFormat(b, TimeFormat)
		b = append(b, '"')
	}
	b = append(b, `,"durationMs":`...)
	b = strconv.AppendInt(b, a.DurationMs, 10)
	if a.StatusCode != 0 {
		b = append(b, `,"statusCode":`...)
		b = strconv.AppendInt(b, int64(a.StatusCode), 10)
	}
	b = appendField(b, "errorClass", string(a.ErrorClass))
	b = appendField(b, "error", a.Error)
	b = appendField(b, "note", a.Note)
	if len(a.ResponseHeaders) > 0 {
		b = append(b, `,"responseHeaders":{`...)
		keys := make([]string, 0, len(a.ResponseHeaders))
		for k := range a.ResponseHeaders {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, a.ResponseHeaders[k])
		}
		b = append(b, '}')
	}
	b = appendField(b, "responseBody", a.ResponseBody)
	return append(b, '}')
}

// appendField appends ,"name":"v" unless v is empty (omitempty).
func appendField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, v)
}

// appendJSONString appends s as a JSON string. Bytes that are not UTF-8
// become U+FFFD, as json.Marshal makes them.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' { // valid JSON, but not inside JavaScript
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
