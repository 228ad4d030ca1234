package resource

import (
	"errors"
	"fmt"
	"strings"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/loader"
)

// LoadFile loads the -f FILE of apply, create and delete (verb) with the
// loader. A source without resources (empty, only "---" or comments, or
// an empty list, as "central get -o yaml" prints when nothing matched) is
// no error: it is warned about on stderr and adds nothing, so that piping
// an empty list back in is a no-op. bad are the problems of the sources
// that still let others load (a directory's); err is a source's problem
// when nothing loaded and something was wrong, and stops the run.
func LoadFile(ios *iostreams.IOStreams, path, verb string) (entries []loader.Entry, bad []error, err error) {
	entries, err = loader.Load(path, ios.In)
	for _, err := range LoadErrors(err) {
		var se *loader.SourceError
		if !errors.As(err, &se) || !errors.Is(err, loader.ErrEmpty) {
			bad = append(bad, err)
			continue
		}
		if se.Source != path { // a file of a directory
			ios.Warning("%s: no resources in it; skipped.", loader.DisplayName(se.Source))
		}
	}
	switch {
	case len(entries) > 0:
		return entries, bad, nil
	case len(bad) == 1:
		return nil, nil, bad[0]
	case len(bad) > 1:
		return nil, nil, errors.Join(bad...)
	}
	ios.Warning("%s: no resources in it; nothing to %s.", loader.DisplayName(path), verb)
	return nil, nil, nil
}

// LoadErrors splits the per-source errors of a directory that also yielded
// entries (loader.Load joins them).
func LoadErrors(err error) []error {
	if err == nil {
		return nil
	}
	if _, single := err.(*loader.SourceError); !single {
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			return joined.Unwrap()
		}
	}
	return []error{err}
}

// BadEntriesError is a file refused before anything was sent: every bad
// entry, or bad source of a directory, in order.
type BadEntriesError struct{ Errs []error }

func (e *BadEntriesError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Nothing was done: the file has %d bad %s.", len(e.Errs), plural(len(e.Errs), "entry", "entries"))
	for _, err := range e.Errs {
		fmt.Fprintf(&b, "\n  - %s", strings.ReplaceAll(err.Error(), "\n", "\n    "))
	}
	return b.String()
}

// Unwrap exposes the entries' errors to errors.Is and errors.As.
func (e *BadEntriesError) Unwrap() []error { return e.Errs }

// ReportBadEntries prints what is wrong with a file's entries under one ✖,
// each on its own "- " line, as the Amplify CLI prints its CompositeError,
// and returns it as an error, or nil when errs is empty. A file with a bad
// entry is written (or deleted) not at all: run again once fixed, it does
// not meet a file half done, names the server generated included. The
// error is a clierr.Reported, so that under -o json|yaml stdout gets the
// same error document as for a file that does not parse.
func ReportBadEntries(ios *iostreams.IOStreams, errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	err := &BadEntriesError{Errs: errs}
	ios.Failure("%s", err)
	return &clierr.Reported{Err: err}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
