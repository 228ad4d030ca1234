// Package printers renders API values for people and scripts: a table whose
// columns come from the server's CommandLineInterface definitions, JSON
// indented like the Amplify CLI prints it, and YAML that keeps the key order
// of the JSON. Every printer takes any JSON-marshalable value, so resources,
// lists of them and ad-hoc records such as deliveries all go through the same
// code.
package printers

import (
	"errors"
	"io"
)

// Printer writes one value in one output format.
type Printer interface {
	// Print writes v, which must be JSON-marshalable, to w.
	Print(w io.Writer, v any) error
}

// ErrUnknownFormat is returned by ForFormat for an -o value it does not know.
// It is a sentinel so that commands can wrap it as a flag error with
// errors.Is rather than matching the text.
var ErrUnknownFormat = errors.New(`invalid "output" (-o,--output) value provided, allowed: yaml | json`)

// ForFormat returns the printer for an -o/--output value: the table for "",
// otherwise YAML or JSON. The table is passed in because only the caller
// knows the columns of the kind it is listing. "table" is refused like any
// other unknown value: the table is what no -o gives, as in axway central.
func ForFormat(format string, table Table) (Printer, error) {
	switch format {
	case "":
		return table, nil
	case "yaml":
		return YAML{}, nil
	case "json":
		return JSON{}, nil
	}
	return nil, ErrUnknownFormat
}

// Print writes v to w as format, "yaml" or "json": the machine-readable
// output of a command whose -o was given.
func Print(w io.Writer, format string, v any) error {
	p, err := ForFormat(format, Table{})
	if err != nil {
		return err
	}
	return p.Print(w, v)
}
