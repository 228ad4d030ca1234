package rsql

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

var globCases = []struct {
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
	{"\u212a*", "K", true},
	{"straße", "STRASSE", false},
	{"*x", "\xffx", true},
	{"_x", "\xffx", true},
	{strings.Repeat("_", 70) + "*", strings.Repeat("é", 70), true}, // past one word of states
	{strings.Repeat("_", 70) + "*", strings.Repeat("é", 69), false},
}

func TestGlobFold(t *testing.T) {
	for _, tc := range globCases {
		if got := globFold([]rune(tc.pattern), tc.s); got != tc.want {
			t.Errorf("globFold(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
		if got := globBits([]rune(tc.pattern), tc.s); got != tc.want {
			t.Errorf("globBits(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// TestGlobFoldLong is the kind of input on which backtracking alone takes
// len(pattern)·len(s) steps (a hook's filter of 5,002 characters against a
// 1 MB field took 39 s, stalling every write): globFold hands over to
// globBits and still gives the right answers.
func TestGlobFoldLong(t *testing.T) {
	s := strings.Repeat("a", 1<<18)
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{"*" + strings.Repeat("a", 3000) + "b", false},
		{"*" + strings.Repeat("A", 3000), true},
		{"*" + strings.Repeat("a_", 1500) + "*", true},
	} {
		if got := globFold([]rune(tc.pattern), s); got != tc.want {
			t.Errorf("globFold(%.12q…, a×2^18) = %v, want %v", tc.pattern, got, tc.want)
		}
	}
}

// TestGlobAgainstRegexp checks both matchers against regexp on random
// patterns and strings over a few letters, where every branch is met.
func TestGlobAgainstRegexp(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	word := func(alphabet []rune, n int) string {
		b := make([]rune, rnd.IntN(n+1))
		for i := range b {
			b[i] = alphabet[rnd.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 20000 {
		pattern := word([]rune("aAb*_é"), 8)
		s := word([]rune("aAbÉé"), 12)
		re := regexp.MustCompile(`(?is)^` + strings.NewReplacer(`\*`, ".*", "_", ".").Replace(regexp.QuoteMeta(pattern)) + `$`)
		want := re.MatchString(s)
		if got := globFold([]rune(pattern), s); got != want {
			t.Fatalf("globFold(%q, %q) = %v, regexp says %v", pattern, s, got, want)
		}
		if got := globBits([]rune(pattern), s); got != want {
			t.Fatalf("globBits(%q, %q) = %v, regexp says %v", pattern, s, got, want)
		}
	}
}
