package printers

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
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
// do: no borders or rules, columns left-aligned, padded and separated by two
// spaces, one line per row. Rows for which yellow[i] is true are coloured
// as a whole.
//
// tablewriter does the measuring and padding, but two things are done
// afterwards, line by line, because tablewriter v1 cannot do them itself:
//   - it pads the last column to its full width, leaving trailing spaces
//     that editors strip from golden and testscript files; they are trimmed;
//   - it measures ANSI escapes correctly but inserts a reset before the next
//     cell, so a colour cannot span a row; whole lines are wrapped instead.
//
// Both rely on each row being exactly one line, so cells are sanitised
// first (see cellText) and wrapping is off.
func renderTable(w io.Writer, header []string, rows [][]string, yellow []bool) error {
	cols := len(header)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return nil
	}
	var buf bytes.Buffer
	tbl := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Lines:      tw.LinesNone,
				Separators: tw.SeparatorsNone,
			},
		})),
		// The header is already in its final form: no upper-casing or
		// underscore replacement by tablewriter.
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderMergeMode(tw.MergeNone),
		tablewriter.WithRowMergeMode(tw.MergeNone),
		tablewriter.WithTrimSpace(tw.Off),
		// The two-space gap is the right padding of every cell.
		tablewriter.WithPadding(tw.Padding{Right: "  ", Overwrite: true}),
	)
	lines := len(rows)
	if len(header) > 0 {
		tbl.Header(sanitisedRow(header, cols))
		lines++
	}
	for _, r := range rows {
		if err := tbl.Append(sanitisedRow(r, cols)); err != nil {
			return err
		}
	}
	if err := tbl.Render(); err != nil {
		return err
	}
	out := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(out) != lines {
		return fmt.Errorf("table layout produced %d lines for %d rows", len(out), lines)
	}
	first := lines - len(rows) // index of the first data line
	var res bytes.Buffer
	for i, line := range out {
		line = strings.TrimRight(line, " ")
		if row := i - first; row >= 0 && row < len(yellow) && yellow[row] {
			line = yellowOn + line + yellowOff
		}
		res.WriteString(line)
		res.WriteByte('\n')
	}
	_, err := w.Write(res.Bytes())
	return err
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
