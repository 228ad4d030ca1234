package rsql

import (
	"unicode"
	"unicode/utf8"
)

// globFold reports whether s matches pattern, where '*' matches any run of
// characters and '_' exactly one, and letters match regardless of case.
//
// It is a hand-written matcher rather than a regexp because it runs on
// every row of a list and needs neither compilation nor allocation. On a
// mismatch it backtracks only to the last '*', letting it swallow one more
// character, which is enough because a later '*' can absorb whatever an
// earlier one would have. That costs O(len(pattern)·len(s)) at worst, and
// the worst is easy to write (a long '*aaa…ab' against a long run of 'a'),
// stored in a hook's filter and met on every write: past a budget linear in
// the input, globFold hands over to globBits, which is linear in s.
// There is no escape for a literal '*' or '_': both still match themselves,
// and === is the operator for exact text.
func globFold(pattern []rune, s string) bool {
	px, sx := 0, 0
	starPx, starSx := -1, 0 // the last '*' and where in s it was tried
	budget := 8 * (len(pattern) + len(s) + 8)
	for px < len(pattern) || sx < len(s) {
		if budget--; budget < 0 {
			return globBits(pattern, s)
		}
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				starPx, starSx = px, sx
				px++
				continue
			case '_':
				if sx < len(s) {
					_, w := utf8.DecodeRuneInString(s[sx:])
					px, sx = px+1, sx+w
					continue
				}
			default:
				if sx < len(s) {
					r, w := utf8.DecodeRuneInString(s[sx:])
					if foldEqual(r, c) {
						px, sx = px+1, sx+w
						continue
					}
				}
			}
		}
		if starPx < 0 || starSx >= len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starSx:])
		starSx += w
		px, sx = starPx+1, starSx
	}
	return true
}

// globBits matches as globFold does, by running the pattern's automaton on
// all its states at once, one bit each (shift-and): state i is "the first i
// characters of the pattern, '*' left out, are matched", and a '*' lets the
// state before it stay on any character. Each character of s costs one
// shift of len(pattern)/64 words, so the whole match is linear in s.
func globBits(pattern []rune, s string) bool {
	var chars []rune // the pattern without its '*'
	for _, c := range pattern {
		if c != '*' {
			chars = append(chars, c)
		}
	}
	words := len(chars)/64 + 1
	bit := func(set []uint64, i int) { set[i/64] |= 1 << (i % 64) }
	loop := make([]uint64, words) // the states a '*' keeps
	i := 0
	for _, c := range pattern {
		if c == '*' {
			bit(loop, i)
		} else {
			i++
		}
	}
	// next[c] holds bit i+1 when the pattern's i-th character takes c:
	// worked out for ASCII here and for other characters as they come.
	ascii := make([]uint64, 128*words)
	other := map[rune][]uint64{}
	next := func(r rune) []uint64 {
		if r < utf8.RuneSelf {
			return ascii[int(r)*words : int(r+1)*words]
		}
		if m, ok := other[r]; ok {
			return m
		}
		m := make([]uint64, words)
		for i, c := range chars {
			if c == '_' || foldEqual(r, c) {
				bit(m, i+1)
			}
		}
		other[r] = m
		return m
	}
	for i, c := range chars {
		for r := rune(0); r < utf8.RuneSelf; r++ {
			if c == '_' || foldEqual(r, c) {
				bit(ascii[int(r)*words:], i+1)
			}
		}
	}
	states := make([]uint64, words)
	states[0] = 1
	for _, r := range s {
		m, live, carry := next(r), uint64(0), uint64(0)
		for w := range states {
			st := states[w]
			states[w] = (st<<1|carry)&m[w] | st&loop[w]
			carry = st >> 63
			live |= states[w]
		}
		if live == 0 {
			return false
		}
	}
	return states[len(chars)/64]&(1<<(len(chars)%64)) != 0
}

// foldEqual reports whether a and b are the same letter under Unicode
// simple case folding, as strings.EqualFold compares them.
func foldEqual(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		return 'a' <= a|0x20 && a|0x20 <= 'z' && a|0x20 == b|0x20
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}
