package printers

import (
	"bytes"
	"encoding/json"
	"io"
)

// JSON prints a value as JSON indented by four spaces with a trailing
// newline, the way the Amplify CLI's JSON.stringify(x, null, 4) does, so
// scripts written against it keep working. A slice prints as a JSON array.
type JSON struct{}

// Print writes v as indented JSON.
func (JSON) Print(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "    ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(unescapeJS(buf.Bytes()))
	return err
}

// jsEscapes are the escapes encoding/json writes that JSON.stringify does
// not. SetEscapeHTML(false) is not enough: a MarshalJSON method that calls
// json.Marshal (api.ResourceInstance does) has already escaped <, > and &,
// turning every "&" of a URL in a spec into \u0026, and U+2028 and U+2029
// are always escaped.
var jsEscapes = map[string]string{
	"0026": "&", "003c": "<", "003e": ">", "003C": "<", "003E": ">",
	"2028": "\u2028", "2029": "\u2029",
}

// unescapeJS replaces the jsEscapes in valid JSON b by the characters
// themselves. Backslashes occur only inside strings and every escape is
// copied whole, so an escaped backslash followed by "u0026" stays text.
func unescapeJS(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\u`)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			out = append(out, b[i])
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) {
			if s, ok := jsEscapes[string(b[i+2:i+6])]; ok {
				out = append(out, s...)
				i += 5
				continue
			}
		}
		out = append(out, b[i], b[i+1])
		i++
	}
	return out
}
