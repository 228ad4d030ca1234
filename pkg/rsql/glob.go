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
// earlier one would have: the cost is O(len(pattern)·len(s)) at worst.
// There is no escape for a literal '*' or '_': both still match themselves,
// and === is the operator for exact text.
func globFold(pattern []rune, s string) bool {
	px, sx := 0, 0
	starPx, starSx := -1, 0 // the last '*' and where in s it was tried
	for px < len(pattern) || sx < len(s) {
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
