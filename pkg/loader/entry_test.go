package loader

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// summarize renders entries as "index kind/name", or "index error".
func summarize(entries []Entry) []string {
	var out []string
	for _, e := range entries {
		if e.Err != nil {
			out = append(out, fmt.Sprintf("%d %v", e.Index, e.Err))
			continue
		}
		out = append(out, fmt.Sprintf("%d %s/%s", e.Index, e.Resource.Kind, e.Resource.Name))
	}
	return out
}

func TestLoadEntries(t *testing.T) {
	tests := []struct {
		name, file, content string
		want                []string // F stands for the file's path
	}{
		{"multi-document YAML skips empty documents", "r.yaml",
			"---\nkind: A\nname: a\n---\n---\n# just a comment\n---\nnull\n---\nkind: B\nname: b\n...\n",
			[]string{"1 A/a", "2 B/b"}},
		{"JSON array", "r.json", `[{"kind": "A", "name": "a"}, {"kind": "B", "name": "b"}]`,
			[]string{"1 A/a", "2 B/b"}},
		{"stream of JSON values", "r.json", "{\"kind\": \"A\", \"name\": \"a\"}\n[{\"kind\": \"B\", \"name\": \"b\"}]\nnull\n",
			[]string{"1 A/a", "2 B/b"}},
		{"YAML top-level sequence", "r.yml", "- kind: A\n  name: a\n- kind: B\n  name: b\n",
			[]string{"1 A/a", "2 B/b"}},
		{"JSON in a .yaml file", "r.yaml", `{"kind": "A", "name": "a"}`, []string{"1 A/a"}},
		{"YAML flow mapping in a .json file", "r.json", "{kind: A, name: a,}", []string{"1 A/a"}},
		{"byte order mark", "r.json", "\uFEFF{\"kind\": \"A\", \"name\": \"a\"}", []string{"1 A/a"}},
		{"bad entries among good ones", "r.yaml", `kind: A
name: a
---
name: nokind
---
- 1
- [x]
---
kind: C
name: 5
---
kind: D
name: d
metadata: {scope: Env}
---
kind: E
name: e
`, []string{
			"1 A/a",
			`2 F: Entry 2, "Unknown kind/nokind": The "kind" field is missing.`,
			`3 F: Entry 3, "Unknown kind/Unknown name": Entry format is invalid. An entry must be an object, not a number.`,
			`4 F: Entry 4, "Unknown kind/Unknown name": Entry format is invalid. An entry must be an object, not a list.`,
			`5 F: Entry 5, "C/Unknown name": Entry format is invalid. "name" must be a string, not a number.`,
			`6 F: Entry 6, "D/d": Entry format is invalid. "metadata.scope" must be an object, not a string.`,
			"7 E/e",
		}},
		{"null and scalars in a JSON array", "r.json", `[null, "x", true, {"kind": "A", "name": "a"}]`, []string{
			`1 F: Entry 1, "Unknown kind/Unknown name": Entry format is invalid. An entry must be an object, not null.`,
			`2 F: Entry 2, "Unknown kind/Unknown name": Entry format is invalid. An entry must be an object, not a string.`,
			`3 F: Entry 3, "Unknown kind/Unknown name": Entry format is invalid. An entry must be an object, not true or false.`,
			"4 A/a",
		}},
		{"empty kind", "r.json", `{"kind": "", "name": "a"}`,
			[]string{`1 F: Entry 1, "Unknown kind/a": The "kind" field is missing.`}},
		{"duplicate key", "r.yaml", "kind: A\nname: a\nname: b\n", []string{
			`1 F: Entry 1, "A/b": Entry format is invalid. line 3: mapping key "name" already defined at line 2.`,
		}},
		{"alias loop", "r.yaml", "kind: A\nname: a\nspec: &s {self: *s}\n", []string{
			`1 F: Entry 1, "A/a": Entry format is invalid. line 3: an alias refers to the collection that contains it.`,
		}},
		{"merge loop", "r.yaml", "kind: A\nname: a\nspec: &s {<<: *s}\n", []string{
			`1 F: Entry 1, "A/a": Entry format is invalid. line 3: an alias refers to the collection that contains it.`,
		}},
		{"infinity", "r.yaml", "kind: A\nname: a\nspec: {n: .inf}\n", []string{
			`1 F: Entry 1, "A/a": Entry format is invalid. line 3: ".inf" is not a number JSON can hold.`,
		}},
		{"list as a key", "r.yaml", "kind: A\nname: a\nspec: {[x]: 1}\n", []string{
			`1 F: Entry 1, "A/a": Entry format is invalid. line 3: a mapping key must be a plain value, not a list or mapping.`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), tt.file, tt.content)
			entries, err := Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(summarize(entries), "\n")
			want := strings.ReplaceAll(strings.Join(tt.want, "\n"), "F:", path+":")
			if got != want {
				t.Errorf("entries\n got:\n%s\nwant:\n%s", got, want)
			}
			for _, e := range entries {
				if e.Source != path {
					t.Errorf("entry %d: Source = %q, want %q", e.Index, e.Source, path)
				}
				if (e.Err == nil) == (e.Resource == nil) {
					t.Errorf("entry %d: want exactly one of Resource and Err", e.Index)
				}
			}
		})
	}
}

func TestEntryErrorIsAs(t *testing.T) {
	entries, err := Parse("r.yaml", []byte("kind: A\nname: 5\n---\nname: b\n"))
	if err != nil {
		t.Fatal(err)
	}
	var ee *EntryError
	if !errors.As(entries[0].Err, &ee) || ee.Kind != "A" || ee.Index != 1 || ee.Source != "r.yaml" {
		t.Errorf("entry 1: errors.As gave %+v", ee)
	}
	if !errors.Is(entries[0].Err, ErrEntryFormat) {
		t.Errorf("entry 1: %v is not ErrEntryFormat", entries[0].Err)
	}
	if !errors.Is(entries[1].Err, ErrKindMissing) {
		t.Errorf("entry 2: %v is not ErrKindMissing", entries[1].Err)
	}
}

func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "b.yaml", "kind: B\nname: b1\n---\nkind: B\nname: b2\n")
	writeFile(t, dir, "a.json", `{"kind": "A", "name": "a"}`)
	writeFile(t, dir, "c.txt", "kind: C\n")                    // ignored: not a resource file
	writeFile(t, dir, "sub/d.yaml", "kind: D\nname: d\n")      // ignored: not recursive
	writeFile(t, dir, "dir.yaml/e.yaml", "kind: E\nname: e\n") // a directory named like a file
	writeFile(t, dir, "e.YML", "kind: E\nname: e\n")
	bad := writeFile(t, dir, "bad.yaml", "kind: [\n")

	entries, err := Load(dir, nil)
	got := strings.Join(summarize(entries), ", ")
	if want := "1 A/a, 1 B/b1, 2 B/b2, 1 E/e"; got != want {
		t.Errorf("entries = %s, want %s", got, want)
	}
	sources := []string{"a.json", "b.yaml", "b.yaml", "e.YML"}
	for i, e := range entries {
		if i < len(sources) && e.Source != filepath.Join(dir, sources[i]) {
			t.Errorf("entry %d: Source = %q, want %q", i, e.Source, filepath.Join(dir, sources[i]))
		}
	}
	var se *SourceError
	if !errors.As(err, &se) || se.Source != bad || !errors.Is(err, ErrContent) {
		t.Errorf("error = %v, want a content error for %s", err, bad)
	}
}

func TestLoadStdin(t *testing.T) {
	tests := []struct{ name, stdin, want string }{
		{"JSON", `[{"kind": "A", "name": "a"}, {"kind": "B", "name": "b"}]`, "1 A/a, 2 B/b"},
		{"JSON object", "\n  {\"kind\": \"A\", \"name\": \"a\"}", "1 A/a"},
		{"YAML", "kind: A\nname: a\n---\nkind: B\nname: b\n", "1 A/a, 2 B/b"},
		{"YAML sequence", "- {kind: A, name: a}\n- {kind: B, name: b}\n", "1 A/a, 2 B/b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, err := Load(Stdin, strings.NewReader(tt.stdin))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(summarize(entries), ", "); got != tt.want {
				t.Errorf("entries = %s, want %s", got, tt.want)
			}
			for _, e := range entries {
				if e.Source != Stdin {
					t.Errorf("Source = %q, want %q", e.Source, Stdin)
				}
			}
		})
	}
}
