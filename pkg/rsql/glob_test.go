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
// globBits, which is what allocates, and still gives the right answers.
func TestGlobFoldLong(t *testing.T) {
	s := strings.Repeat("a", 1<<18)
	for _, tc := range []struct {
		pattern         string
		want, handsOver bool
	}{
		{"*" + strings.Repeat("a", 1000) + "b", false, true},
		{"*" + strings.Repeat("A", 1000), true, true},
		{"*" + strings.Repeat("a_", 500) + "*", true, false}, // matched at the first try
	} {
		p := []rune(tc.pattern)
		if got := globFold(p, s); got != tc.want {
			t.Errorf("globFold(%.12q…, a×2^18) = %v, want %v", tc.pattern, got, tc.want)
		}
		if a := testing.AllocsPerRun(1, func() { globFold(p, s) }); (a > 0) != tc.handsOver {
			t.Errorf("globFold(%.12q…, a×2^18) allocated %v times: handing over to globBits is %v", tc.pattern, a, tc.handsOver)
		}
	}
	// Ordinary input stays with the backtracking, which allocates nothing.
	p, store := []rune("*store*"), s+"store"
	if a := testing.AllocsPerRun(10, func() { globFold(p, store) }); a != 0 {
		t.Errorf("an ordinary match allocated %v times", a)
	}
}

// TestGlobBitsManyCharacters: a value of distinct characters, each of
// which once cost a pass over the pattern and a mask of its own, costs no
// more than any other.
func TestGlobBitsManyCharacters(t *testing.T) {
	var b strings.Builder
	for r := rune(0x4e00); r < 0x4e00+20000; r++ {
		b.WriteRune(r)
	}
	s := b.String()
	p := []rune("*" + strings.Repeat("a", 1000) + "b")
	if globBits(p, s) || !globBits([]rune("*_\u4e01*"), s) {
		t.Fatal("globBits gave a wrong answer")
	}
	if a := testing.AllocsPerRun(1, func() { globBits(p, s) }); a > 20 {
		t.Errorf("globBits allocated %v times for %d distinct characters", a, 20000)
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
