package rsql

import (
	"errors"
	"testing"
)

// TestWithOneEntry is the point of =with=: the conditions in its query hold
// for one and the same reference, where a dotted selector per condition is
// satisfied by different references.
func TestWithOneEntry(t *testing.T) {
	doc := map[string]any{"metadata": map[string]any{"references": []any{
		map[string]any{"kind": "Secret", "name": "token"},
		map[string]any{"kind": "APIService", "name": "github"},
	}}}
	for _, tc := range []struct {
		query string
		want  bool
	}{
		{"metadata.references.kind==Secret;metadata.references.name==github", true},
		{"metadata.references=with='kind==Secret;name==github'", false},
		{"metadata.references=without='kind==Secret;name==github'", true},
		{"metadata.references=with='kind==Secret;name==token'", true},
	} {
		e, err := Parse(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Match(doc); got != tc.want {
			t.Errorf("%q matched %v, want %v", tc.query, got, tc.want)
		}
	}
}

// TestWithEntries covers entries that are neither objects nor strings.
func TestWithEntries(t *testing.T) {
	doc := map[string]any{
		"nulls":  []any{nil},
		"mixed":  []any{1.0, "one", true, map[string]any{"a": 1.0}, []any{}},
		"object": map[string]any{},
	}
	for _, tc := range []struct {
		query string
		want  bool
	}{
		{"nulls=with=''", true}, // an array of one null has an entry
		{"nulls=with='@==null'", true},
		{"nulls=with='a==null'", true},
		{"nulls=with='@!=null'", false},
		{"mixed=with='@==1'", true},
		{"mixed=with='@===one'", true},
		{"mixed=with='@==TRUE'", true},
		{"mixed=with='a==1'", true},
		{"mixed=with='@==null'", true}, // the empty array is tested as null, as a comparison does
		{"mixed=without='@==2'", true},
		{"object=with=''", true},
		{"object=with='@!=null'", true},
	} {
		e, err := Parse(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Match(doc); got != tc.want {
			t.Errorf("%q matched %v, want %v", tc.query, got, tc.want)
		}
	}
}

// TestWithSyntaxError checks the fields servers read: the query is the one
// given, not the quoted one the error was found in.
func TestWithSyntaxError(t *testing.T) {
	query := `refs=with='kind==\'Secret'`
	_, err := Parse(query)
	var syntax *SyntaxError
	if !errors.As(err, &syntax) {
		t.Fatalf("error %v is not a *SyntaxError", err)
	}
	want := SyntaxError{Query: query, Pos: 26, Msg: "a closing single quote is expected"}
	if *syntax != want {
		t.Errorf("error = %#v, want %#v", *syntax, want)
	}
}
