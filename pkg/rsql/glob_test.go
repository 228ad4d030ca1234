package rsql

import "testing"

func TestGlobFold(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything", true},
		{"_", "", false},
		{"_", "é", true}, // one character, two bytes
		{"__", "é", false},
		{"caf_", "CAFÉ", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "abcbc", true},
		{"a*b*c", "acb", false},
		{"*ab", "aab", true},
		{"*ab", "abb", false},
		{"**a**", "bab", true},
		{"a_*", "a", false},
		{"*_", "x", true},
		{"k", "\u212a", true}, // the Kelvin sign folds to k
		{"straße", "STRASSE", false},
		{"*x", "\xffx", true},
		{"_x", "\xffx", true},
	} {
		if got := globFold([]rune(tc.pattern), tc.s); got != tc.want {
			t.Errorf("globFold(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
