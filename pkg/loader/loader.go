// Package loader reads the resource files given to `central apply|create|delete
// -f FILE|DIR|-`: one loader, so every verb accepts the same inputs and reports
// problems with the same messages (Amplify CLI wording), each naming its file
// and entry.
//
// A source is YAML (several documents separated by ---) or JSON (one or more
// top-level values). A top-level array, or YAML sequence, is flattened: each
// element is an entry. Null and empty documents are skipped and take no entry
// number. Kinds are not checked here: only the CLI knows, from the server's
// resource definitions, which kinds exist.
package loader

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/centralhq/central/pkg/api"
)

// MaxFileSize is the size from which a source is refused, as in Amplify
// (20 MB, taken as MiB). It bounds what is read, from stdin too.
const MaxFileSize = 20 << 20

// Stdin is the path that makes Load read its stdin argument.
const Stdin = "-"

// Entry is one resource document read from a file.
type Entry struct {
	Source string // file path, or "-" for stdin
	// Index is the 1-based position of the entry within its source. Empty
	// documents are not entries and take no number; the elements of a
	// flattened array each take one.
	Index    int
	Resource *api.ResourceInstance // nil when Err is set
	Err      error                 // the entry's own problem (*EntryError); other entries still load
}

// Load reads path: a .yaml/.yml/.json file, a directory, or "-" for stdin.
//
// A directory contributes its .yaml, .yml and .json files, sorted by name;
// it is not recursive: subdirectories and other files are ignored. The
// extension check is case-insensitive. For stdin, which has no extension,
// YAML or JSON is told from the content (as it is for files; see Parse).
//
// Load returns every entry in order. A problem with a whole source (missing
// file, bad extension, unparsable content) is a *SourceError and that
// source yields no entries; for a directory Load still loads the other
// files and returns their entries with the errors joined. Per-entry
// problems are in Entry.Err.
func Load(path string, stdin io.Reader) ([]Entry, error) {
	if path == Stdin {
		if stdin == nil {
			stdin = strings.NewReader("")
		}
		data, err := readLimited(stdin)
		if err != nil {
			return nil, &SourceError{Source: Stdin, Err: ErrNotFile, Cause: err}
		}
		return Parse(Stdin, data)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, statError(path, err)
	}
	if info.IsDir() {
		return loadDir(path)
	}
	return loadFile(path, info)
}

// loadDir loads the directory's resource files in name order. One bad file
// does not hide the others: the user sees all problems in one run.
func loadDir(dir string) ([]Entry, error) {
	list, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, &SourceError{Source: dir, Err: ErrNotFile, Cause: err}
	}
	var (
		entries []Entry
		errs    []error
		files   int
	)
	for _, d := range list {
		path := filepath.Join(dir, d.Name())
		if !hasResourceExt(path) {
			continue
		}
		info, err := os.Stat(path) // follows symlinks, unlike d.Info
		if err == nil && info.IsDir() {
			continue
		}
		files++
		var got []Entry
		if err != nil {
			err = statError(path, err)
		} else {
			got, err = loadFile(path, info)
		}
		entries = append(entries, got...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	if files == 0 {
		return nil, &SourceError{Source: dir, Err: ErrNoFiles}
	}
	return entries, errors.Join(errs...)
}

// loadFile checks a file in Amplify's order (kind of file, size, extension)
// and parses it.
func loadFile(path string, info fs.FileInfo) ([]Entry, error) {
	if !info.Mode().IsRegular() {
		return nil, &SourceError{Source: path, Err: ErrNotFile}
	}
	if info.Size() >= MaxFileSize {
		return nil, &SourceError{Source: path, Err: ErrTooLarge}
	}
	if !hasResourceExt(path) {
		return nil, &SourceError{Source: path, Err: ErrExtension}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &SourceError{Source: path, Err: ErrNotFile, Cause: err}
	}
	defer f.Close()
	data, err := readLimited(f) // the file may have grown since Stat
	if err != nil {
		return nil, &SourceError{Source: path, Err: ErrNotFile, Cause: err}
	}
	return Parse(path, data)
}

// readLimited reads at most MaxFileSize+1 bytes: enough for Parse to tell a
// source that is too large, without holding an endless stdin in memory.
func readLimited(r io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, MaxFileSize+1))
}

func statError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return &SourceError{Source: path, Err: ErrNotFound, Cause: err}
	}
	return &SourceError{Source: path, Err: ErrNotFile, Cause: err}
}

func hasResourceExt(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}
