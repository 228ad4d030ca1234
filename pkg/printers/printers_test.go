package printers

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestForFormat(t *testing.T) {
	table := Table{Columns: unscopedColumns}
	for format, want := range map[string]Printer{"": table, "yaml": YAML{}, "json": JSON{}} {
		got, err := ForFormat(format, table)
		if err != nil || reflect.TypeOf(got) != reflect.TypeOf(want) {
			t.Errorf("ForFormat(%q) = %T, %v; want %T", format, got, err, want)
		}
	}
	for _, format := range []string{"yml", "JSON", "wide"} {
		_, err := ForFormat(format, table)
		if !errors.Is(err, ErrUnknownFormat) {
			t.Errorf("ForFormat(%q) error = %v, want ErrUnknownFormat", format, err)
		}
	}
	const msg = `invalid "output" (-o,--output) value provided, allowed: yaml | json`
	if ErrUnknownFormat.Error() != msg {
		t.Errorf("message = %q, want %q", ErrUnknownFormat, msg)
	}
}

func TestLookup(t *testing.T) {
	var item any
	if err := json.Unmarshal([]byte(`{"a":{"b":[{"c":"x"}],"n":null},"s":"top"}`), &item); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]any{
		".s": "top", "s": "top", ".a.b.0.c": "x", ".a.b[0].c": "x",
		".a.b.1.c": nil, ".a.b.x": nil, ".s.deeper": nil, ".a.n": nil, ".missing": nil,
	} {
		if got := lookup(item, path); !reflect.DeepEqual(got, want) {
			t.Errorf("lookup(%q) = %#v, want %#v", path, got, want)
		}
	}
}

func TestTableRejectsScalar(t *testing.T) {
	var buf bytes.Buffer
	if err := (Table{Columns: unscopedColumns}).Print(&buf, "just a string"); err == nil {
		t.Error("Print of a string succeeded, want an error")
	}
	if err := (Table{Columns: unscopedColumns}).Print(&buf, nil); err != nil || buf.Len() != 0 {
		t.Errorf("Print(nil) = %v, %q; want nothing", err, buf.String())
	}
}

func TestPlainTableEdges(t *testing.T) {
	var buf bytes.Buffer
	if err := PlainTable(&buf, nil, nil); err != nil || buf.Len() != 0 {
		t.Errorf("empty PlainTable = %v, %q; want nothing", err, buf.String())
	}
	// Ragged rows are padded, a missing header prints no header line.
	if err := PlainTable(&buf, nil, [][]string{{"a"}, {"bb", "c"}}); err != nil {
		t.Fatal(err)
	}
	if want := "a\nbb  c\n"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestUnescapeJS(t *testing.T) {
	for in, want := range map[string]string{
		`"a\u0026b \u003cx\u003E"`: `"a&b <x>"`,
		`"\\u0026"`:                `"\\u0026"`, // an escaped backslash, then text
		`"\u00e9 \n \" \\"`:        `"\u00e9 \n \" \\"`,
		`"\u2028"`:                 "\"\u2028\"",
		`{"k":1}`:                  `{"k":1}`,
	} {
		if got := string(unescapeJS([]byte(in))); got != want {
			t.Errorf("unescapeJS(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestJSONKeepsMeaning checks that the unescaping and indentation leave the
// document's meaning intact.
func TestJSONKeepsMeaning(t *testing.T) {
	var buf bytes.Buffer
	if err := (JSON{}).Print(&buf, json.RawMessage(trickyJSON)); err != nil {
		t.Fatal(err)
	}
	assertSameJSON(t, "encoding/json", buf.Bytes(), []byte(trickyJSON))
}
