package rsql

import (
	"unicode"
	"unicode/utf8"
)

// maxGlob is the longest wildcard pattern a query may hold, in characters:
// with it, globBits keeps to 17 words a character of the value.
const maxGlob = 1024

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
// the input, globFold hands over to globBits.
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
// shift of len(pattern)/64+1 words and a lookup of its case-folding class,
// whatever s holds: O(len(s)·len(pattern)/64), linear in s for a pattern of
// at most maxGlob characters.
func globBits(pattern []rune, s string) bool {
	n := 0 // characters, '*' left out
	for _, c := range pattern {
		if c != '*' {
			n++
		}
	}
	words := n/64 + 1
	bit := func(set []uint64, i int) { set[i/64] |= 1 << (i % 64) }
	// Bit i+1 of a class's mask is set when the pattern's i-th character
	// takes the characters of that class; any takes the '_' bits alone.
	loop, any := make([]uint64, words), make([]uint64, words)
	class := map[rune][]uint64{}
	i := 0
	for _, c := range pattern {
		switch c {
		case '*':
			bit(loop, i)
			continue
		case '_':
			bit(any, i+1)
		default:
			m := class[foldClass(c)]
			if m == nil {
				m = make([]uint64, words)
				class[foldClass(c)] = m
			}
			bit(m, i+1)
		}
		i++
	}
	for _, m := range class {
		for w := range m {
			m[w] |= any[w]
		}
	}
	states := make([]uint64, words)
	states[0] = 1
	for _, r := range s {
		m := class[foldClass(r)]
		if m == nil {
			m = any
		}
		live, carry := uint64(0), uint64(0)
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
	return states[n/64]&(1<<(n%64)) != 0
}

// foldClass names r's class under simple case folding, which foldEqual
// compares: the least character of its fold orbit, so 'k', 'K' and the
// Kelvin sign are one class.
func foldClass(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
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
