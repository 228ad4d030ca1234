package printers

import (
	"bytes"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// Yellow is the escape sequence pair chalk.yellow wraps text in; the
// Amplify CLI prints rows of resources being deleted in it.
const (
	yellowOn  = "\x1b[33m"
	yellowOff = "\x1b[39m"
)

// PlainTable writes an ad-hoc table, such as the list of resource types the
// server supports, in the same layout as Table. A nil or empty header prints
// no header line. Cells must be plain text: see renderTable.
func PlainTable(w io.Writer, header []string, rows [][]string) error {
	return renderTable(w, header, rows, nil)
}

// renderTable lays out header and rows the way kubectl and the Amplify CLI
// do: no borders or rules, columns left-aligned, padded to the widest cell
// and separated by two spaces, one line per row, no trailing spaces. Rows
// for which yellow[i] is true are coloured as a whole.
//
// Cells are sanitised first (see cellText) so that every row is exactly
// one line; widths are measured as a terminal shows them (displayWidth).
func renderTable(w io.Writer, header []string, rows [][]string, yellow []bool) error {
	cols := len(header)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return nil
	}
	lines := make([][]string, 0, len(rows)+1)
	if len(header) > 0 {
		lines = append(lines, sanitisedRow(header, cols))
	}
	for _, r := range rows {
		lines = append(lines, sanitisedRow(r, cols))
	}
	widths := make([]int, cols)
	cellWidths := make([][]int, len(lines))
	for i, line := range lines {
		cellWidths[i] = make([]int, cols)
		for j, c := range line {
			cellWidths[i][j] = displayWidth(c)
			widths[j] = max(widths[j], cellWidths[i][j])
		}
	}
	first := len(lines) - len(rows) // index of the first data line
	var out, line bytes.Buffer
	for i, cells := range lines {
		line.Reset()
		for j, c := range cells {
			line.WriteString(c)
			if j < cols-1 {
				line.WriteString(strings.Repeat(" ", widths[j]-cellWidths[i][j]+2))
			}
		}
		text := bytes.TrimRight(line.Bytes(), " ")
		if row := i - first; row >= 0 && row < len(yellow) && yellow[row] {
			out.WriteString(yellowOn)
			out.Write(text)
			out.WriteString(yellowOff)
		} else {
			out.Write(text)
		}
		out.WriteByte('\n')
	}
	_, err := w.Write(out.Bytes())
	return err
}

// displayWidth is how many terminal columns s takes, counted per
// character as most terminals do: East Asian wide and fullwidth characters
// (emoji among them) and regional indicators (half a flag) take two;
// combining marks, format characters (such as a zero-width joiner or a
// soft hyphen), line and paragraph separators and ANSI escape sequences
// none; others one, ambiguous-width
// characters included, as in terminals outside East Asian locales.
func displayWidth(s string) int {
	total := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			i += escapeLength(s[i:])
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Zl, unicode.Zp):
		case r >= 0x1f1e6 && r <= 0x1f1ff: // regional indicators
			total += 2
		default:
			k := width.LookupRune(r).Kind()
			if k == width.EastAsianWide || k == width.EastAsianFullwidth {
				total += 2
			} else {
				total++
			}
		}
	}
	return total
}

// escapeLength is the length of the ANSI escape sequence at the start of s:
// a CSI sequence (ESC [ parameters final-byte) or ESC and one character.
func escapeLength(s string) int {
	if len(s) < 2 || s[1] != '[' {
		return min(len(s), 2)
	}
	for i := 2; i < len(s); i++ {
		if s[i] >= 0x40 && s[i] <= 0x7e {
			return i + 1
		}
	}
	return len(s)
}

// sanitisedRow returns r padded to cols cells with control characters
// replaced, so that every row renders as exactly one line.
func sanitisedRow(r []string, cols int) []string {
	out := make([]string, cols)
	for i, c := range r {
		out[i] = cellText(c)
	}
	return out
}

// cellText replaces control characters (newlines, tabs, escapes) with
// spaces: a newline would split the row over several lines and an escape
// sequence from the server could repaint the user's terminal.
func cellText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
}
