package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestSpecValues checks how YAML values reach the spec's raw JSON: numbers
// exactly as written, YAML 1.2 booleans, strings left unescaped.
func TestSpecValues(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"integer beyond uint64", "n: 123456789012345678901234567890", `{"n":123456789012345678901234567890}`},
		{"integer beyond float64 precision", "n: 9007199254740993", `{"n":9007199254740993}`},
		{"trailing zero kept", "f: 1.10", `{"f":1.10}`},
		{"exponent kept", "f: 1e300", `{"f":1e300}`},
		{"YAML-only integer spellings", "h: 0x1F\no: 0o17\nu: 1_000\np: +1\nb: 0b11", `{"h":31,"o":15,"u":1000,"p":1,"b":3}`},
		{"YAML-only float spellings", "d: .5\nn: -1.\ne: +1.5e3", `{"d":0.5,"n":-1,"e":1500}`},
		{"yes stays a string", "y: yes\nn: off", `{"y":"yes","n":"off"}`},
		{"booleans and null", "t: true\nf: False\nz: ~\ne:", `{"t":true,"f":false,"z":null,"e":null}`},
		{"timestamp stays as written", "t: 2024-01-02T03:04:05Z", `{"t":"2024-01-02T03:04:05Z"}`},
		{"quoted number is a string", `v: "1.0"`, `{"v":"1.0"}`},
		{"no HTML escaping", `s: "<a & b>"`, `{"s":"<a & b>"}`},
		{"control characters escaped", "s: \"a\\tb\\x01\\\"q\\\\\"\nl: |\n  x\n  y\n", `{"s":"a\tb\u0001\"q\\","l":"x\ny\n"}`},
		{"scalar keys", "1: a\ntrue: b\n~: c", `{"1":"a","true":"b","null":"c"}`},
		{"anchors and aliases", "a: &x [1, 2]\nb: *x", `{"a":[1,2],"b":[1,2]}`},
		{"merge keys", "base: &b {x: 1, y: 2}\nm: {<<: *b, y: 3, z: 4}", `{"base":{"x":1,"y":2},"m":{"x":1,"y":3,"z":4}}`},
		{"merge list, earlier wins", "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nm: {<<: [*a, *b]}", `{"a":{"x":1},"b":{"x":2,"y":2},"m":{"x":1,"y":2}}`},
		{"custom tag keeps the text", "v: !secret abc", `{"v":"abc"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := "kind: A\nname: a\nspec:\n  " + strings.ReplaceAll(tt.yaml, "\n", "\n  ") + "\n"
			entries, err := Parse("r.yaml", []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if entries[0].Err != nil {
				t.Fatal(entries[0].Err)
			}
			if got := string(entries[0].Resource.Spec); got != tt.want {
				t.Errorf("spec\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestJSONNumbersExact(t *testing.T) {
	entries, err := Parse(Stdin, []byte(`{"kind": "A", "spec": {"n": 123456789012345678901234567890, "f": 1.10}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(entries[0].Resource.Spec), `{"n": 123456789012345678901234567890, "f": 1.10}`; got != want {
		t.Errorf("spec = %s, want %s", got, want)
	}
}

func TestSubResources(t *testing.T) {
	for _, content := range []string{
		"kind: A\nname: a\nspec: {}\nstatus: {level: Success}\nx-compliance: {score: 98765432109876543210}\n",
		`{"kind": "A", "name": "a", "spec": {}, "status": {"level": "Success"}, "x-compliance": {"score": 98765432109876543210}}`,
	} {
		entries, err := Parse("r", []byte(content))
		if err != nil {
			t.Fatal(err)
		}
		r := entries[0].Resource
		got := map[string]string{}
		for k, v := range r.SubResources {
			var compact bytes.Buffer
			if err := json.Compact(&compact, v); err != nil {
				t.Fatal(err)
			}
			got[k] = compact.String()
		}
		want := map[string]string{"status": `{"level":"Success"}`, "x-compliance": `{"score":98765432109876543210}`}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: SubResources = %v, want %v", content, got, want)
		}
	}
}

// TestAliasBomb checks that aliases cannot blow a small file up: ten levels
// of ten aliases each would be 10^10 values.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("kind: A\nname: a\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	merges := "m0: &m0 {a: 1, b: 2}\n"
	for i := 1; i < 30; i++ {
		merges += fmt.Sprintf("m%d: &m%d {<<: [*m%d, *m%d, *m%d, *m%d]}\n", i, i, i-1, i-1, i-1, i-1)
	}
	empties := "e0: &e0 {}\n"
	for i := 1; i < 30; i++ {
		empties += fmt.Sprintf("e%d: &e%d {<<: [*e%d, *e%d, *e%d, *e%d]}\n", i, i, i-1, i-1, i-1, i-1)
	}
	for name, content := range map[string]string{
		"aliases":      b.String(),
		"merges":       "kind: A\n" + merges,
		"empty merges": "kind: A\n" + empties,
	} {
		_, err := Parse("bomb.yaml", []byte(content))
		if !errors.Is(err, ErrContent) || !errors.Is(err, errExpansion) {
			t.Errorf("%s: error = %v, want a content error about expansion", name, err)
		}
	}
}
