package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the repository root relative to this package's directory,
// where go test runs; the committed copies sit at generate's defaults below it.
var repoRoot = filepath.Join("..", "..")

// skipOnWindows: filepath.Join writes the pinned data dir with backslashes
// there, so the pages legitimately differ; they are generated on Unix.
func skipOnWindows(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the reference is generated on Unix; paths in flag defaults differ on Windows")
	}
}

func TestGeneratedFilesAreCurrent(t *testing.T) {
	skipOnWindows(t)
	tmp := t.TempDir()
	docs, compl := filepath.Join(tmp, "docs"), filepath.Join(tmp, "completions")
	if _, err := generate(docs, compl); err != nil {
		t.Fatal(err)
	}

	var drift []string
	drift = append(drift, compareDir(t, docs, filepath.Join(repoRoot, "docs", "cli"), true)...)
	drift = append(drift, compareDir(t, compl, filepath.Join(repoRoot, "completions"), false)...)
	if len(drift) > 0 {
		t.Errorf("the committed reference or completions differ from the command tree.\n"+
			"Run `go run ./cmd/gen-docs` in the repository root and commit the result. Files:\n  %s",
			strings.Join(drift, "\n  "))
	}
}

// compareDir compares the freshly generated files in got with the committed
// ones in want and describes each difference. With pages set, a committed
// page carrying the generated marker that was not generated is stale.
func compareDir(t *testing.T, got, want string, pages bool) []string {
	t.Helper()
	entries, err := os.ReadDir(got)
	if err != nil {
		t.Fatal(err)
	}
	// Name files as a reader in the repository root sees them.
	show := func(name string) string {
		p := filepath.Join(want, name)
		if rel, err := filepath.Rel(repoRoot, p); err == nil && !strings.HasPrefix(rel, "..") {
			p = rel
		}
		return filepath.ToSlash(p)
	}
	var drift []string
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		fresh, err := os.ReadFile(filepath.Join(got, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join(want, e.Name()))
		switch {
		case os.IsNotExist(err):
			drift = append(drift, show(e.Name())+" (missing)")
		case err != nil:
			t.Fatal(err)
		case !bytes.Equal(fresh, committed):
			drift = append(drift, show(e.Name())+" (differs)")
		}
	}
	if !pages {
		return drift
	}
	committed, err := os.ReadDir(want)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range committed {
		if slices.Contains(names, e.Name()) {
			continue
		}
		path := filepath.Join(want, e.Name())
		if gen, err := isGeneratedPage(path, e); err != nil {
			t.Fatal(err)
		} else if gen {
			drift = append(drift, show(e.Name())+" (stale: its command is gone)")
		}
	}
	return drift
}

func TestGenerateIsDeterministicAndIgnoresEnvironment(t *testing.T) {
	skipOnWindows(t)
	// t.Setenv also stops this test from running in parallel with others,
	// which generate's changes to the process environment require.
	t.Setenv("HOME", "/somewhere/else")
	t.Setenv("XDG_DATA_HOME", "/somewhere/else/data")
	t.Setenv("CENTRAL_DATA_DIR", "/var/lib/elsewhere")
	t.Setenv("CENTRAL_ADDR", "0.0.0.0:9999")

	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := generate(filepath.Join(dir, "docs"), filepath.Join(dir, "completions")); err != nil {
			t.Fatal(err)
		}
	}
	if drift := compareDir(t, filepath.Join(a, "docs"), filepath.Join(b, "docs"), true); len(drift) > 0 {
		t.Errorf("two runs differ: %v", drift)
	}
	if drift := compareDir(t, filepath.Join(a, "completions"), filepath.Join(b, "completions"), false); len(drift) > 0 {
		t.Errorf("two runs differ: %v", drift)
	}

	serve, err := os.ReadFile(filepath.Join(a, "docs", "central_serve.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`(default "/home/user/.local/share/central")`, `(default "127.0.0.1:8080")`} {
		if !bytes.Contains(serve, []byte(want)) {
			t.Errorf("central_serve.md lacks %s:\n%s", want, serve)
		}
	}
	for _, leaked := range []string{"elsewhere", "9999"} {
		if bytes.Contains(serve, []byte(leaked)) {
			t.Errorf("central_serve.md shows %q from the caller's environment", leaked)
		}
	}
	if got := os.Getenv("CENTRAL_ADDR"); got != "0.0.0.0:9999" {
		t.Errorf("generate did not restore CENTRAL_ADDR: %q", got)
	}
	if got := os.Getenv("HOME"); got != "/somewhere/else" {
		t.Errorf("generate did not restore HOME: %q", got)
	}
}

func TestGenerateRemovesOnlyItsOwnStalePages(t *testing.T) {
	docs := t.TempDir()
	stale := filepath.Join(docs, "central_gone.md")
	mustWrite(t, stale, generatedMarker+"\n\n## central gone\n")
	handWritten := filepath.Join(docs, "guide.md")
	mustWrite(t, handWritten, "# A guide someone wrote\n")
	other := filepath.Join(docs, "notes.txt")
	mustWrite(t, other, generatedMarker+"\n")

	res, err := generate(docs, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Removed, []string{stale}) {
		t.Errorf("removed %v, want only %s", res.Removed, stale)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale page still there (err %v)", err)
	}
	for _, keep := range []string{handWritten, other} {
		if _, err := os.Stat(keep); err != nil {
			t.Errorf("%s was removed: %v", keep, err)
		}
	}
}

func TestIndexLinksEveryPage(t *testing.T) {
	docs := t.TempDir()
	res, err := generate(docs, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(filepath.Join(docs, indexName))
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range res.Pages {
		name := filepath.Base(page)
		if name == indexName {
			continue
		}
		if !bytes.Contains(index, []byte("]("+name+")")) {
			t.Errorf("index has no link to %s", name)
		}
		// Every relative link of every page must name a page that exists.
		body, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range mdLinks(string(body)) {
			if _, err := os.Stat(filepath.Join(docs, target)); err != nil {
				t.Errorf("%s links to %s, which does not exist", name, target)
			}
		}
	}
}

// mdLinks returns the targets of the Markdown links "[text](target)" in s.
func mdLinks(s string) []string {
	var links []string
	for {
		i := strings.Index(s, "](")
		if i < 0 {
			return links
		}
		s = s[i+2:]
		j := strings.IndexByte(s, ')')
		if j < 0 {
			return links
		}
		links = append(links, s[:j])
		s = s[j:]
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
