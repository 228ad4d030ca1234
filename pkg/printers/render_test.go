package printers

import (
	"bytes"
	"testing"
)

func TestDisplayWidth(t *testing.T) {
	for s, want := range map[string]int{
		"":                         0,
		"abc":                      3,
		"héllo":                    5,
		"e\u0301":                  1, // a combining accent
		"日本語":                      6,
		"ｆｕｌｌ":                     8, // fullwidth forms
		"ｱ":                        1, // halfwidth katakana
		"한국어":                      6,
		"👍":                        2,
		"🇫🇷":                       4, // two regional indicators, counted apiece as before
		"✓±…€Ω":                    5, // narrow or ambiguous
		"a\u200bb\u00ad":           2, // zero-width space, soft hyphen
		"a\u2028":                  1,
		"\x1b[33mab\x1b[39m":       2,
		"\x1b[1;38;5;208mx\x1b[0m": 1,
		"\x1b":                     0,
		"\x1bMx":                   1,
		"\x1b[31":                  0, // an unterminated sequence
	} {
		if got := displayWidth(s); got != want {
			t.Errorf("displayWidth(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestRenderTableLayout(t *testing.T) {
	var buf bytes.Buffer
	header := []string{"NAME", "TITLE", "NOTE"}
	rows := [][]string{
		{"日本", "wide", "x"},
		{"a", "", "trailing  "},
		{"tab\there", "line\nbreak"},
		{"ｆ", "\x1b[31mred", ""},
	}
	if err := renderTable(&buf, header, rows, []bool{false, true}); err != nil {
		t.Fatal(err)
	}
	want := "NAME      TITLE       NOTE\n" +
		"日本      wide        x\n" +
		yellowOn + "a                     trailing" + yellowOff + "\n" +
		"tab here  line break\n" +
		"ｆ         [31mred\n" // the escape became a space
	if buf.String() != want {
		t.Errorf("got\n%q\nwant\n%q", buf.String(), want)
	}
	// Only empty cells: empty columns still take their two-space gap.
	buf.Reset()
	if err := renderTable(&buf, []string{"", "", "C"}, [][]string{{"", "", "c"}}, nil); err != nil {
		t.Fatal(err)
	}
	if want := "    C\n    c\n"; buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}
