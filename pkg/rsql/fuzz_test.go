package rsql

import (
	"reflect"
	"testing"
)

// FuzzParse checks that Parse never panics and that whatever it accepts
// prints a canonical form that parses to the same Expr, which matches the
// same documents.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.query)
	}
	for _, tc := range parseErrorCases {
		f.Add(tc.query)
	}
	for _, tc := range matchCases {
		f.Add(tc.query)
	}
	doc := decode(f, false)
	f.Fuzz(func(t *testing.T, query string) {
		e, err := Parse(query)
		if err != nil {
			return
		}
		s := e.String()
		again, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", query, s, err)
		}
		if s2 := again.String(); s2 != s {
			t.Fatalf("Parse(%q) = %q, which reprints as %q", query, s, s2)
		}
		if !reflect.DeepEqual(e, again) {
			t.Fatalf("Parse(%q) = %#v, but Parse(%q) = %#v", query, e, s, again)
		}
		if e.Match(doc) != again.Match(doc) {
			t.Fatalf("Parse(%q) and Parse(%q) disagree on the test document", query, s)
		}
	})
}
