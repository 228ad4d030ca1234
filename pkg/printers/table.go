package printers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// Table prints items as the Amplify CLI's default table: one column per
// api.Column of the kind's CommandLineInterface, in order, so the server
// decides what is shown and no kind is special-cased here.
type Table struct {
	// Columns are the kind's columns; hidden ones are skipped.
	Columns []api.Column
	// Now is the clock the AGE of date columns is measured against;
	// nil means time.Now.
	Now func() time.Time
	// Color prints rows of resources that have a metadata.state (being
	// deleted) in yellow. The caller decides, knowing whether the output is
	// a terminal.
	Color bool
	// NoHeaders leaves out the header line.
	NoHeaders bool
}

// maxCellLength is the longest string printed whole; longer ones keep
// cellKeep runes at each end around "...", as the Amplify CLI does.
const (
	maxCellLength = 53
	cellKeep      = 25
)

// Print writes v, a slice of resources or of map[string]any (a single one is
// accepted too), as a table. An empty list prints nothing, so the caller can
// print "No resources found." once across several lists.
func (t Table) Print(w io.Writer, v any) error {
	items, err := tableItems(v)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		return nil
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	var cols []api.Column
	var header []string
	for _, c := range t.Columns {
		if !c.Hidden {
			cols = append(cols, c)
			header = append(header, strings.ToUpper(c.Name))
		}
	}
	if t.NoHeaders {
		header = nil
	}
	rows := make([][]string, len(items))
	yellow := make([]bool, len(items))
	for i, item := range items {
		rows[i] = make([]string, len(cols))
		for j, c := range cols {
			rows[i][j] = columnText(c, item, now)
		}
		state, _ := lookup(item, ".metadata.state").(string)
		yellow[i] = t.Color && state != ""
	}
	return renderTable(w, header, rows, yellow)
}

// tableItems returns the generic JSON form of each item in v. Going through
// JSON means the column paths see exactly the wire document, with custom
// MarshalJSON (subresources as top-level keys) applied.
func tableItems(v any) ([]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // print 4824 as 4824, not 4824.0 or 4.824e+03
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	switch d := doc.(type) {
	case []any:
		return d, nil
	case map[string]any:
		return []any{d}, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("table output needs a list of objects, not %T", v)
}

// columnText renders one cell: a relative age for date columns, strings as
// they are, other values as compact JSON, missing values empty.
func columnText(c api.Column, item any, now func() time.Time) string {
	v := lookup(item, c.JSONPath)
	var s string
	switch val := v.(type) {
	case nil:
		return ""
	case string:
		s = val
		if c.Type == "date" {
			if ts, err := api.ParseTime(val); err == nil {
				return Age(ts.Time, now())
			}
		}
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(val); err != nil {
			return fmt.Sprint(val)
		}
		s = strings.TrimSuffix(buf.String(), "\n")
	}
	return shorten(cellText(s))
}

// shorten keeps long values, such as descriptions, from pushing the table
// off the screen.
func shorten(s string) string {
	r := []rune(s)
	if len(r) <= maxCellLength {
		return s
	}
	return string(r[:cellKeep]) + "..." + string(r[len(r)-cellKeep:])
}

// lookup follows a column's JSONPath, written with a leading dot like
// ".metadata.scope.name", through a generic JSON value. It also takes array
// indexes (".tags.0" or ".tags[0]"), as lodash.get does. A missing step
// gives nil.
func lookup(v any, path string) any {
	path = strings.ReplaceAll(strings.ReplaceAll(path, "[", "."), "]", "")
	for _, seg := range strings.Split(path, ".") {
		if seg == "" {
			continue
		}
		switch node := v.(type) {
		case map[string]any:
			v = node[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(node) {
				return nil
			}
			v = node[i]
		default:
			return nil
		}
	}
	return v
}
