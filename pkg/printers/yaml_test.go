package printers

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/centralhq/central/pkg/loader"
)

// documentStart splits the YAML printer's list output into documents.
var documentStart = regexp.MustCompile(`(?m)^---\n`)

// TestYAMLRoundTrip reads the YAML back with sigs.k8s.io/yaml, a YAML 1.1
// parser like the ones kubectl-style tools use, and with yaml.v3, a YAML
// 1.2 parser, and expects the JSON it started from: no string may come back
// as a bool, number, null or timestamp, and no key may change.
func TestYAMLRoundTrip(t *testing.T) {
	values := map[string]any{
		"tricky":   json.RawMessage(trickyJSON),
		"resource": webhooks()[0],
		"list":     webhooks(),
		"scalar":   "yes",
		"empty":    []any{},
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (YAML{}).Print(&buf, v); err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			var elems []json.RawMessage
			docs := []string{buf.String()}
			if err := json.Unmarshal(want, &elems); err == nil {
				// A list is a stream of documents, each after a blank
				// line and "---"; no element, no document, no output.
				if buf.Len() > 0 && !strings.HasPrefix(buf.String(), "\n---\n") {
					t.Fatalf("a list does not start with a blank line and ---:\n%s", buf.String())
				}
				docs = documentStart.Split(buf.String(), -1)[1:]
				if len(docs) != len(elems) {
					t.Fatalf("%d documents for %d elements:\n%s", len(docs), len(elems), buf.String())
				}
			} else {
				elems = []json.RawMessage{want}
			}
			for i, doc := range docs {
				got, err := sigsyaml.YAMLToJSON([]byte(doc))
				if err != nil {
					t.Fatalf("sigs.k8s.io/yaml: %v\n%s", err, doc)
				}
				assertSameJSON(t, "sigs.k8s.io/yaml", got, elems[i])

				var generic any
				if err := yaml.Unmarshal([]byte(doc), &generic); err != nil {
					t.Fatalf("yaml.v3: %v\n%s", err, doc)
				}
				got, err = json.Marshal(generic)
				if err != nil {
					t.Fatalf("yaml.v3 value is not JSON: %v", err)
				}
				assertSameJSON(t, "yaml.v3", got, elems[i])
			}
		})
	}
}

// assertSameJSON compares two JSON documents by meaning, not by bytes.
func assertSameJSON(t *testing.T, parser string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v", parser, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s read back a different value\ngot:  %s\nwant: %s", parser, got, want)
	}
}

func TestAmbiguousString(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "true": true, "No": true, "OFF": true, "~": true, "4824": true, "-1.5": true,
		".5": true, "0x1F": true, "2024-01-02": true, "1:20": true, "+.inf": true,
		"v1alpha1": false, "Environment": false, "a b": false, "-": false, ".": false,
		"line\nbreak": false, "https://x": false,
	} {
		if got := ambiguousString(s); got != want {
			t.Errorf("ambiguousString(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestYAMLListLoadsBack: what `get -o yaml` prints for a list is what
// `apply -f -` reads, entry for entry, the blank line and "---" before each
// resource included.
func TestYAMLListLoadsBack(t *testing.T) {
	list := webhooks()
	var buf bytes.Buffer
	if err := (YAML{}).Print(&buf, list); err != nil {
		t.Fatal(err)
	}
	entries, err := loader.Parse(loader.Stdin, buf.Bytes())
	if err != nil {
		t.Fatalf("%v in\n%s", err, buf.String())
	}
	if len(entries) != len(list) {
		t.Fatalf("%d entries for %d resources in\n%s", len(entries), len(list), buf.String())
	}
	for i, e := range entries {
		if e.Err != nil {
			t.Fatalf("entry %d: %v", i+1, e.Err)
		}
		got, _ := json.Marshal(e.Resource)
		want, _ := json.Marshal(list[i])
		assertSameJSON(t, "loader", got, want)
	}
}
