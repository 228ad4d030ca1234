package printers

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/centralhq/central/pkg/api"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// checkGolden compares got with testdata/name, or rewrites the file with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestGolden(t *testing.T) {
	table := func(cols []api.Column, color bool) Table {
		return Table{Columns: cols, Now: fixedNow, Color: color}
	}
	longAndMissing := []map[string]any{
		{"name": "a-name-that-is-exactly-fifty-three-characters-long-xx", "kind": "Environment",
			"title": "a title that is much longer than fifty-three characters and gets cut in the middle",
			"group": "management", "metadata": map[string]any{"audit": map[string]any{"createTimestamp": "not a date"}}},
		{"name": "bare"},
		{"name": "typed", "title": 4824, "kind": true, "group": []string{"a", "b"},
			"metadata": map[string]any{"audit": map[string]any{"createTimestamp": "2025-06-15T09:00:00Z"}}},
		{"name": "multi\nline\ttitle", "title": "ends with escape \x1b[31m"},
	}
	cases := []struct {
		file    string
		printer Printer
		value   any
	}{
		{"table_unscoped.golden", table(unscopedColumns, false), environments()},
		{"table_scoped.golden", table(scopedColumns, false), webhooks()},
		{"table_deleting_color.golden", table(unscopedColumns, true), withDeleting()},
		{"table_deleting_nocolor.golden", table(unscopedColumns, false), withDeleting()},
		{"table_long_missing.golden", table(unscopedColumns, false), longAndMissing},
		{"table_noheaders.golden", Table{Columns: unscopedColumns, Now: fixedNow, NoHeaders: true}, environments()},
		{"table_single.golden", table(unscopedColumns, false), environments()[0]},
		{"table_empty.golden", table(unscopedColumns, false), []api.ResourceInstance{}},
		{"yaml_single.golden", YAML{}, webhooks()[0]},
		{"yaml_list.golden", YAML{}, webhooks()},
		{"yaml_empty_list.golden", YAML{}, []api.ResourceInstance{}},
		{"yaml_tricky.golden", YAML{}, json.RawMessage(trickyJSON)},
		{"json_single.golden", JSON{}, webhooks()[0]},
		{"json_list.golden", JSON{}, webhooks()},
		{"json_empty_list.golden", JSON{}, []api.ResourceInstance{}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.printer.Print(&buf, tc.value); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.file, buf.Bytes())
		})
	}
}

// TestGoldenPlainTable is the "server supports the following resources"
// table of `central get` without arguments.
func TestGoldenPlainTable(t *testing.T) {
	var buf bytes.Buffer
	err := PlainTable(&buf,
		[]string{"RESOURCE", "SHORT NAMES", "RESOURCE KIND", "SCOPED", "SCOPE KIND", "RESOURCE GROUP"},
		[][]string{
			{"environments", "env", "Environment", "false", "", "management"},
			{"webhooks", "webh", "Webhook", "true", "Environment", "management"},
			{"webhooks", "webh", "Webhook", "true", "Integration", "management"},
			{"assetrequestdefinitions", "assetreqdef", "AssetRequestDefinition", "true", "Asset", "catalog"},
		})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "plaintable.golden", buf.Bytes())
}
