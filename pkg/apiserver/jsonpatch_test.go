package apiserver

import (
	"encoding/json"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestParsePointer(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  string
	}{
		{in: "", want: nil},
		{in: "/", want: []string{""}},
		{in: "/spec/url", want: []string{"spec", "url"}},
		{in: "/attributes/a~1b", want: []string{"attributes", "a/b"}},
		{in: "/attributes/m~0n", want: []string{"attributes", "m~n"}},
		{in: "/x/~01", want: []string{"x", "~1"}}, // ~0 first, so not "/"
		{in: "spec/url", err: `starts with "/"`},
		{in: "/spec/a~2", err: "must be escaped"},
		{in: "/spec/a~", err: "must be escaped"},
		{in: strings.Repeat("/a", maxPointerTokens), want: slices.Repeat([]string{"a"}, maxPointerTokens)},
		{in: strings.Repeat("/a", maxPointerTokens+1), err: "at most 64 tokens; this one has 65"},
		{in: strings.Repeat("/", 200000), err: "this one has 200000"},
	} {
		got, err := parsePointer(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parsePointer(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parsePointer(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if back := pointerTo(got); back != tc.in {
			t.Errorf("pointerTo(%q) = %q, want %q", got, back, tc.in)
		}
	}
}

func TestApplyPatch(t *testing.T) {
	const doc = `{"title":"t","tags":["a","b"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":null,"list":[{"x":1}]}}`
	for _, tc := range []struct {
		name, ops string
		want      string // the whole document after the patch
		err       string // or a part of the error
	}{
		{name: "add sets a member", ops: `[{"op":"add","path":"/spec/url","value":"https://x"}]`,
			want: `{"title":"t","tags":["a","b"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":null,"list":[{"x":1}],"url":"https://x"}}`},
		{name: "add replaces a member", ops: `[{"op":"add","path":"/title","value":"new"}]`,
			want: `{"title":"new","tags":["a","b"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":null,"list":[{"x":1}]}}`},
		{name: "add - appends", ops: `[{"op":"add","path":"/tags/-","value":"c"}]`,
			want: `{"title":"t","tags":["a","b","c"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":null,"list":[{"x":1}]}}`},
		{name: "add at an index inserts", ops: `[{"op":"add","path":"/tags/1","value":"c"},{"op":"add","path":"/tags/3","value":"z"}]`,
			want: `{"title":"t","tags":["a","c","b","z"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":null,"list":[{"x":1}]}}`},
		{name: "add a null value", ops: `[{"op":"add","path":"/spec/list/0/x","value":null}]`,
			want: `{"title":"t","tags":["a","b"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":null,"list":[{"x":null}]}}`},
		{name: "escaped keys", ops: `[{"op":"replace","path":"/attributes/a~1b","value":"3"},{"op":"remove","path":"/attributes/m~0n"}]`,
			want: `{"title":"t","tags":["a","b"],"attributes":{"k":"v","a/b":"3"},"spec":{"n":1.50,"s":null,"list":[{"x":1}]}}`},
		{name: "replace an array item", ops: `[{"op":"replace","path":"/tags/0","value":"A"}]`,
			want: `{"title":"t","tags":["A","b"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":null,"list":[{"x":1}]}}`},
		{name: "replace a null member", ops: `[{"op":"replace","path":"/spec/s","value":{}}]`,
			want: `{"title":"t","tags":["a","b"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":{},"list":[{"x":1}]}}`},
		{name: "remove an array item", ops: `[{"op":"remove","path":"/tags/0"}]`,
			want: `{"title":"t","tags":["b"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":null,"list":[{"x":1}]}}`},
		{name: "remove inside an array item", ops: `[{"op":"remove","path":"/spec/list/0/x"}]`,
			want: `{"title":"t","tags":["a","b"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":null,"list":[{}]}}`},
		{name: "build a tree", ops: `[{"op":"x-build-object-tree","path":"/spec/a/b"},{"op":"add","path":"/spec/a/b/c","value":true}]`,
			want: `{"title":"t","tags":["a","b"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":null,"list":[{"x":1}],"a":{"b":{"c":true}}}}`},
		{name: "build a tree keeps what exists", ops: `[{"op":"x-build-object-tree","path":"/spec/list/0/y"},{"op":"x-build-object-tree","path":"/spec/s/t"},{"op":"x-build-object-tree","path":"/spec/n"}]`,
			want: `{"title":"t","tags":["a","b"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":{"t":{}},"list":[{"x":1,"y":{}}]}}`},
		{name: "operations see the ones before", ops: `[{"op":"add","path":"/spec/o","value":{}},{"op":"add","path":"/spec/o/p","value":1},{"op":"remove","path":"/spec/o/p"}]`,
			want: `{"title":"t","tags":["a","b"],"attributes":{"k":"v","a/b":"1","m~n":"2"},"spec":{"n":1.50,"s":null,"list":[{"x":1}],"o":{}}}`},
		{name: "replace the whole document", ops: `[{"op":"replace","path":"","value":{"a":1}}]`, want: `{"a":1}`},

		{name: "replace a missing member", ops: `[{"op":"replace","path":"/spec/nope","value":1}]`, err: "/spec/nope does not exist"},
		{name: "remove a missing member", ops: `[{"op":"remove","path":"/attributes/nope"}]`, err: "/attributes/nope does not exist"},
		{name: "add under a missing parent", ops: `[{"op":"add","path":"/spec/a/b","value":1}]`, err: "/spec/a does not exist"},
		{name: "add past the end", ops: `[{"op":"add","path":"/tags/3","value":"x"}]`, err: "past the end of an array of 2"},
		{name: "replace -", ops: `[{"op":"replace","path":"/tags/-","value":"x"}]`, err: `"-" is not an array index`},
		{name: "remove past the end", ops: `[{"op":"remove","path":"/tags/2"}]`, err: "past the end"},
		{name: "leading zero", ops: `[{"op":"remove","path":"/tags/01"}]`, err: `"01" is not an array index`},
		{name: "negative index", ops: `[{"op":"remove","path":"/tags/-0"}]`, err: `"-0" is not an array index`},
		{name: "member of a string", ops: `[{"op":"add","path":"/title/x","value":1}]`, err: "/title/x is inside a string"},
		{name: "member of a null", ops: `[{"op":"add","path":"/spec/s/x","value":1}]`, err: "/spec/s/x is inside a null"},
		{name: "tree through a number", ops: `[{"op":"x-build-object-tree","path":"/spec/n/x"}]`, err: "/spec/n/x is inside a number"},
		{name: "remove the whole document", ops: `[{"op":"remove","path":""}]`, err: "cannot be removed"},
		{name: "the first failure stops", ops: `[{"op":"add","path":"/title","value":"x"},{"op":"remove","path":"/nope"}]`, err: "Operation 1 (remove /nope)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ops []patchOp
			if err := json.Unmarshal([]byte(tc.ops), &ops); err != nil {
				t.Fatal(err)
			}
			for i := range ops {
				if err := ops[i].check(i); err != nil {
					t.Fatal(err)
				}
			}
			in, _ := decodeValue(json.RawMessage(doc))
			got, err := applyPatch(in, ops)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one with %q", err, tc.err)
				}
				return
			}
			want, _ := decodeValue(json.RawMessage(tc.want))
			if err != nil || !reflect.DeepEqual(got, want) {
				b, _ := json.Marshal(got)
				t.Fatalf("got %s, %v\nwant %s", b, err, tc.want)
			}
		})
	}
}

func TestPatchOpCheck(t *testing.T) {
	for _, tc := range []struct{ op, err string }{
		{`{"op":"add","path":"/title","value":"x"}`, ""},
		{`{"op":"remove","path":"/title"}`, ""},
		{`{"op":"x-build-object-tree","path":"/spec/a"}`, ""},
		{`{"op":"add","path":"/title"}`, "needs a value"},
		{`{"op":"replace","path":"/title"}`, "needs a value"},
		{`{"op":"move","path":"/title","from":"/name"}`, `op "move" is not served`},
		{`{"path":"/title"}`, `op "" is not served`},
		{`{"op":"remove","path":"title"}`, `starts with "/"`},
	} {
		var op patchOp
		if err := json.Unmarshal([]byte(tc.op), &op); err != nil {
			t.Fatal(err)
		}
		err := op.check(0)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("check(%s) = %v, want %q", tc.op, err, tc.err)
		}
	}
}

// Walking a path costs in proportion to its length: no level copies the
// path walked so far (which made a 20,000-token pointer take seconds and
// gigabytes before pointers were capped at maxPointerTokens).
func TestLongPathsAreLinear(t *testing.T) {
	const n = 5000 // past the cap: the walk is tested on its own
	tokens := slices.Repeat([]string{"a"}, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	doc, err := applyPatch(map[string]any{}, []patchOp{
		{Op: opBuildObjectTree, Path: pointerTo(tokens), tokens: tokens},
		{Op: opAdd, Path: pointerTo(tokens) + "/b", tokens: append(tokens, "b"), Value: json.RawMessage("1")},
	})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		doc = doc.(map[string]any)["a"]
	}
	if b := doc.(map[string]any)["b"]; b != json.Number("1") {
		t.Fatalf("at the end of the path: %v", doc)
	}
	// About 2 MB here; copying the path at every level allocates 16 bytes
	// times n²/2 for each operation, 400 MB.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 40<<20 {
		t.Fatalf("a %d-token path allocated %d MB", n, alloc>>20)
	}
}

func TestNestsDeeperThan(t *testing.T) {
	for _, tc := range []struct {
		json string
		n    int
		want bool
	}{
		{`1`, 0, false},
		{`{}`, 0, true},
		{`{}`, 1, false},
		{`{"a":[{}]}`, 2, true},
		{`{"a":[{}]}`, 3, false},
		{`{"a":"[[[[{{{{\"[[["}`, 1, false},
		{`["\\",[]]`, 1, true},
		{`[[],[],{"x":[]}]`, 2, true},
		{`[[],[],{"x":[]}]`, 3, false},
	} {
		if got := nestsDeeperThan([]byte(tc.json), tc.n); got != tc.want {
			t.Errorf("nestsDeeperThan(%s, %d) = %v", tc.json, tc.n, got)
		}
	}
}
