package loader

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile creates name under dir with content and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sparseFile creates a file of size bytes without writing them.
func sparseFile(t *testing.T, dir, name string, size int64) string {
	t.Helper()
	path := writeFile(t, dir, name, "")
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
	return path
}

// countingReader is an endless stdin that records how much was read.
type countingReader struct{ n int64 }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	r.n += int64(len(p))
	return len(p), nil
}

func TestLoadSourceErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) string // returns the path to load
		stdin string
		want  string // the message, with DIR for the temp dir
		is    error
	}{
		{"missing", func(t *testing.T, dir string) string { return filepath.Join(dir, "nope.yaml") },
			"", "Couldn't find the definition file: DIR/nope.yaml", ErrNotFound},
		{"too large", func(t *testing.T, dir string) string { return sparseFile(t, dir, "big.yaml", MaxFileSize) },
			"", "DIR/big.yaml: File size too large", ErrTooLarge},
		{"just under the limit reaches the parser", func(t *testing.T, dir string) string {
			return sparseFile(t, dir, "big.yaml", MaxFileSize-1) // all NUL bytes
		}, "", "DIR/big.yaml: File encoding is invalid, please make sure it is using UTF-8", ErrEncoding},
		{"extension", func(t *testing.T, dir string) string { return writeFile(t, dir, "r.txt", "kind: A\n") },
			"", "DIR/r.txt: File extension is invalid, please provide '.yaml' or '.yml' or '.json' file", ErrExtension},
		{"NUL byte", func(t *testing.T, dir string) string { return writeFile(t, dir, "r.yaml", "kind: A\x00\n") },
			"", "DIR/r.yaml: File encoding is invalid, please make sure it is using UTF-8", ErrEncoding},
		{"invalid UTF-8", func(t *testing.T, dir string) string { return writeFile(t, dir, "r.yml", "kind: \xff\n") },
			"", "DIR/r.yml: File encoding is invalid, please make sure it is using UTF-8", ErrEncoding},
		{"YAML syntax", func(t *testing.T, dir string) string {
			return writeFile(t, dir, "r.yaml", "kind: A\nname: : x\n")
		}, "", "DIR/r.yaml: File content is invalid: line 2: mapping values are not allowed in this context", ErrContent},
		{"YAML syntax in a later document", func(t *testing.T, dir string) string {
			return writeFile(t, dir, "r.yaml", "kind: A\nname: a\n---\nkind: B\nname: : x\n")
		}, "", "DIR/r.yaml: File content is invalid: document 2: line 5: mapping values are not allowed in this context", ErrContent},
		{"JSON syntax", func(t *testing.T, dir string) string {
			return writeFile(t, dir, "r.json", "{\"kind\": \"A\",\n  \"name\": ]}")
		}, "", "DIR/r.json: File content is invalid: line 2, column 11: invalid character ']' looking for beginning of value", ErrContent},
		{"JSON cut short", func(t *testing.T, dir string) string {
			return writeFile(t, dir, "r.json", "[{\"kind\": \"A\"},\n{\"kind\": \"B\"")
		}, "", "DIR/r.json: File content is invalid: line 2, column 12: unexpected end of JSON input", ErrContent},
		{"empty", func(t *testing.T, dir string) string { return writeFile(t, dir, "r.yaml", "") },
			"", "DIR/r.yaml: File is empty.", ErrEmpty},
		{"only comments and empty documents", func(t *testing.T, dir string) string {
			return writeFile(t, dir, "r.yaml", "# nothing yet\n---\n---\nnull\n")
		}, "", "DIR/r.yaml: File is empty.", ErrEmpty},
		{"empty JSON array", func(t *testing.T, dir string) string { return writeFile(t, dir, "r.json", " [ ]\n") },
			"", "DIR/r.json: File is empty.", ErrEmpty},
		{"directory without resource files", func(t *testing.T, dir string) string {
			writeFile(t, dir, "README.md", "# hi\n")
			return dir
		}, "", "DIR: Directory has no '.yaml', '.yml' or '.json' file", ErrNoFiles},
		{"stdin empty", func(t *testing.T, dir string) string { return Stdin },
			" \n", "stdin: File is empty.", ErrEmpty},
		{"stdin syntax", func(t *testing.T, dir string) string { return Stdin },
			"kind: [A\n", "stdin: File content is invalid: line 1: did not find expected ',' or ']'", ErrContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			entries, err := Load(tt.setup(t, dir), strings.NewReader(tt.stdin))
			if err == nil {
				t.Fatalf("got %d entries and no error, want %q", len(entries), tt.want)
			}
			if want := strings.ReplaceAll(tt.want, "DIR", dir); err.Error() != want {
				t.Errorf("error\n got %q\nwant %q", err, want)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			var se *SourceError
			if !errors.As(err, &se) {
				t.Errorf("error %T is not a *SourceError", err)
			}
			if len(entries) != 0 {
				t.Errorf("got %d entries with a source error, want none", len(entries))
			}
		})
	}
}

func TestLoadNotARegularFile(t *testing.T) {
	info, err := os.Stat(os.DevNull)
	if err != nil || info.Mode().IsRegular() {
		t.Skipf("no device file at %s", os.DevNull)
	}
	_, err = Load(os.DevNull, nil)
	if want := "Couldn't load the definition file: " + os.DevNull; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if !errors.Is(err, ErrNotFile) {
		t.Errorf("errors.Is(%v, ErrNotFile) = false", err)
	}
}

func TestLoadMissingKeepsOSError(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "gone.json"), nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false", err)
	}
}

func TestLoadStdinTooLarge(t *testing.T) {
	stdin := &countingReader{}
	_, err := Load(Stdin, stdin)
	if want := "stdin: File size too large"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if stdin.n > MaxFileSize+1 {
		t.Errorf("read %d bytes from an endless stdin, want at most %d", stdin.n, MaxFileSize+1)
	}
}
