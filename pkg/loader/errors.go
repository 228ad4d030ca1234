package loader

import (
	"errors"
	"fmt"
	"strings"
)

// The sentinel errors below are what went wrong; SourceError and EntryError
// wrap them, so callers test with errors.Is and never compare messages. Their
// text is the Amplify CLI's wording, capitals and full stops included, because
// users and scripts know those sentences; that is why they break the usual Go
// rule of lower-case error strings.
var (
	// ErrNotFound means the path does not exist.
	ErrNotFound = errors.New("Couldn't find the definition file")
	// ErrNotFile means the path is neither a regular file nor a directory, or it
	// cannot be opened or listed.
	ErrNotFile = errors.New("Couldn't load the definition file")
	// ErrTooLarge means the source holds MaxFileSize bytes or more.
	ErrTooLarge = errors.New("File size too large")
	// ErrExtension means a file does not end in .yaml, .yml or .json.
	ErrExtension = errors.New("File extension is invalid, please provide '.yaml' or '.yml' or '.json' file")
	// ErrEncoding means the source holds a NUL byte or is not valid UTF-8.
	ErrEncoding = errors.New("File encoding is invalid, please make sure it is using UTF-8")
	// ErrContent means the source is not valid YAML or JSON; SourceError.Detail
	// says where and why.
	ErrContent = errors.New("File content is invalid")
	// ErrEmpty means the source holds no entries: nothing but blank, null or
	// "---" documents, or an empty list ("[]", as "central get -o yaml"
	// prints for no resources). The -f commands take it as nothing to do,
	// not as a failure; "central edit" takes it as a cancelled edit.
	ErrEmpty = errors.New("File is empty.")
	// ErrNoFiles means a directory holds no .yaml, .yml or .json file. Amplify
	// has no wording for it, as it does not load directories.
	ErrNoFiles = errors.New("Directory has no '.yaml', '.yml' or '.json' file")

	// ErrEntryFormat means an entry is not an object, or one of its fields has
	// the wrong type; EntryError.Reason says which.
	ErrEntryFormat = errors.New("Entry format is invalid.")
	// ErrKindMissing means an entry has no "kind", or an empty one.
	ErrKindMissing = errors.New(`The "kind" field is missing.`)
)

// SourceError is a problem with a whole file, directory or stdin: none of
// its entries are returned.
type SourceError struct {
	Source string // path as given, or "-" for stdin
	Err    error  // one of the sentinel errors above
	// Detail is the parser's message for ErrContent, with the document
	// number when it is not the first, and the line.
	Detail string
	Cause  error // the underlying os or parser error; may be nil
}

// Error renders the Amplify message. The two "Couldn't …" messages put the
// path last, as Amplify does; all others start with it.
func (e *SourceError) Error() string {
	if e.Err == ErrNotFound || e.Err == ErrNotFile {
		return e.Err.Error() + ": " + DisplayName(e.Source)
	}
	msg := DisplayName(e.Source) + ": " + e.Err.Error()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Unwrap exposes both the sentinel and the cause, so errors.Is works for
// ErrTooLarge and for fs.ErrPermission alike.
func (e *SourceError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// EntryError is a problem with one entry; the source's other entries still
// load. It is kept in Entry.Err.
type EntryError struct {
	Source string // path as given, or "-" for stdin
	Index  int    // 1-based entry number within the source
	// Kind and Name are what the entry says, when they could be read as
	// strings; empty otherwise.
	Kind, Name string
	Err        error // ErrEntryFormat or ErrKindMissing
	// Reason is why the format is invalid, from the decoder, as a sentence.
	Reason string
	Cause  error // the decoder's error; may be nil
}

// Error renders `<path>: Entry <n>, "<kind>/<name>": <message>` with
// Amplify's "Unknown name" placeholder, and "Unknown kind" by analogy.
func (e *EntryError) Error() string {
	kind, name := e.Kind, e.Name
	if kind == "" {
		kind = "Unknown kind"
	}
	if name == "" {
		name = "Unknown name"
	}
	msg := fmt.Sprintf("%s: Entry %d, %q: %s", DisplayName(e.Source), e.Index, kind+"/"+name, e.Err)
	if e.Reason != "" {
		msg += " " + e.Reason
	}
	return msg
}

// Unwrap exposes the sentinel and the decoder's error.
func (e *EntryError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// DisplayName is a source as messages name it: its path, or "stdin" for
// Stdin, since "-: File is empty." reads like a typo.
func DisplayName(source string) string {
	if source == Stdin {
		return "stdin"
	}
	return source
}

// sentence makes a foreign error message end like a sentence, so that it
// reads well after "Entry format is invalid.".
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}
