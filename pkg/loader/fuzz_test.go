package loader

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzLoad feeds arbitrary content to Parse, which Load runs on every file
// and on stdin. Besides not panicking, the result must be coherent: either
// a *SourceError and no entries, or entries numbered 1..n that each hold a
// resource that marshals back to JSON, or an *EntryError.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"",
		"kind: A\nname: a\nspec: {n: 123456789012345678901234567890}\nstatus: {x: 1}\n",
		"---\nkind: A\n---\n---\n- kind: B\n- 1\n",
		`[{"kind": "A", "name": "a"}, null, "x"]`,
		"{\"kind\": \"A\"}\n{\"kind\": \"B\"}",
		"{kind: A, name: b,}",
		"base: &b {x: 1}\nkind: A\nspec: {<<: *b, y: [*b, *b]}\n",
		"&a [*a]",
		"kind: A\nname: : x\n",
		"kind: A\nmetadata: {audit: {createTimestamp: nope}, scope: 3}\n",
		"n: !!int 0x_ff\nf: !!float .5\nb: !!bool yes\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := Parse("fuzz.yaml", data)
		if err != nil {
			var se *SourceError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *SourceError", err, err)
			}
			if entries != nil {
				t.Fatalf("got %d entries with a source error", len(entries))
			}
			return
		}
		if len(entries) == 0 {
			t.Fatal("no entries and no error")
		}
		for i, e := range entries {
			if e.Index != i+1 || e.Source != "fuzz.yaml" {
				t.Fatalf("entry %d: Index %d, Source %q", i+1, e.Index, e.Source)
			}
			var ee *EntryError
			switch {
			case e.Err != nil && e.Resource != nil:
				t.Fatalf("entry %d has both Resource and Err", e.Index)
			case e.Err != nil && !errors.As(e.Err, &ee):
				t.Fatalf("entry %d: error %T is not an *EntryError", e.Index, e.Err)
			case e.Err == nil && e.Resource == nil:
				t.Fatalf("entry %d has neither Resource nor Err", e.Index)
			case e.Resource != nil && e.Resource.Kind == "":
				t.Fatalf("entry %d has no kind", e.Index)
			}
			if e.Resource != nil {
				if _, err := json.Marshal(e.Resource); err != nil {
					t.Fatalf("entry %d does not marshal: %v", e.Index, err)
				}
			}
		}
	})
}
