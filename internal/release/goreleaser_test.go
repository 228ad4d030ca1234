package release

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// repoRoot is the repository root seen from this package's directory.
var repoRoot = filepath.Join("..", "..")

// config is the part of GoReleaser's schema these tests look at; other keys
// are ignored, GoReleaser itself rejects unknown ones.
type config struct {
	Version int `yaml:"version"`
	Before  struct {
		Hooks []string `yaml:"hooks"`
	} `yaml:"before"`
	Builds []struct {
		ID      string   `yaml:"id"`
		Main    string   `yaml:"main"`
		Binary  string   `yaml:"binary"`
		Env     []string `yaml:"env"`
		Goos    []string `yaml:"goos"`
		Goarch  []string `yaml:"goarch"`
		Ignore  []any    `yaml:"ignore"`
		Ldflags []string `yaml:"ldflags"`
	} `yaml:"builds"`
	Archives []struct {
		IDs             []string `yaml:"ids"`
		Formats         []string `yaml:"formats"`
		FormatOverrides []struct {
			Goos    string   `yaml:"goos"`
			Formats []string `yaml:"formats"`
		} `yaml:"format_overrides"`
		Files []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum *struct {
		NameTemplate string `yaml:"name_template"`
	} `yaml:"checksum"`
	Snapshot struct {
		VersionTemplate string `yaml:"version_template"`
	} `yaml:"snapshot"`
	Changelog struct {
		Sort string `yaml:"sort"`
	} `yaml:"changelog"`
}

func loadConfig(t *testing.T) *config {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c config
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	return &c
}

func TestConfigVersionAndHooks(t *testing.T) {
	c := loadConfig(t)
	if c.Version != 2 {
		t.Errorf("version = %d; GoReleaser v2 needs version: 2", c.Version)
	}
	if !slices.Contains(c.Before.Hooks, "go run ./cmd/gen-docs") {
		t.Errorf("before.hooks %q do not regenerate the docs with go run ./cmd/gen-docs", c.Before.Hooks)
	}
	if c.Checksum == nil || c.Checksum.NameTemplate == "" {
		t.Error("no checksum section with a name_template")
	}
	if c.Snapshot.VersionTemplate == "" {
		t.Error("no snapshot.version_template")
	}
	if c.Changelog.Sort != "asc" && c.Changelog.Sort != "desc" {
		t.Errorf("changelog.sort = %q; want asc or desc", c.Changelog.Sort)
	}
}

func TestBuildTargets(t *testing.T) {
	c := loadConfig(t)
	if len(c.Builds) != 1 {
		t.Fatalf("%d builds; want the one of ./cmd/central", len(c.Builds))
	}
	b := c.Builds[0]
	if b.Main != "./cmd/central" || b.Binary != "central" {
		t.Errorf("build main %q binary %q; want ./cmd/central as central", b.Main, b.Binary)
	}
	if _, err := os.Stat(filepath.Join(repoRoot, "cmd", "central", "main.go")); err != nil {
		t.Errorf("build main: %v", err)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("build env %q lacks CGO_ENABLED=0", b.Env)
	}
	var targets []string
	for _, goos := range b.Goos {
		for _, goarch := range b.Goarch {
			targets = append(targets, goos+"/"+goarch)
		}
	}
	slices.Sort(targets)
	want := []string{"darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "windows/amd64", "windows/arm64"}
	if !slices.Equal(targets, want) || len(b.Ignore) > 0 {
		t.Errorf("targets %q (ignore %v); want %q", targets, b.Ignore, want)
	}
}

// TestLdflagsNameBuildVariables checks every -X against pkg/build: a
// misspelt variable makes the linker silently stamp nothing.
func TestLdflagsNameBuildVariables(t *testing.T) {
	c := loadConfig(t)
	if len(c.Builds) == 0 {
		t.Fatal("no builds")
	}
	buildPkg := modulePath(t) + "/pkg/build"
	vars := stringVars(t, filepath.Join(repoRoot, "pkg", "build"))

	flags := strings.Fields(strings.Join(c.Builds[0].Ldflags, " "))
	for _, f := range []string{"-s", "-w"} {
		if !slices.Contains(flags, f) {
			t.Errorf("ldflags lack %s", f)
		}
	}
	stamped := map[string]string{}
	for i, f := range flags {
		if f != "-X" {
			continue
		}
		if i+1 == len(flags) {
			t.Fatal("ldflags end in -X")
		}
		sym, value, ok := strings.Cut(flags[i+1], "=")
		pkg, name, _ := cutLast(sym, ".")
		switch {
		case !ok:
			t.Errorf("-X %s has no =value", flags[i+1])
		case pkg != buildPkg:
			t.Errorf("-X %s: package %s, want %s", sym, pkg, buildPkg)
		case !vars[name]:
			t.Errorf("-X %s: pkg/build has no string variable %s (it has %v)", sym, name, slices.Sorted(maps.Keys(vars)))
		}
		stamped[name] = value
	}
	for name, value := range map[string]string{"Version": "{{.Version}}", "Commit": "{{.Commit}}", "Date": "{{.Date}}"} {
		if stamped[name] != value {
			t.Errorf("-X %s.%s=%q; want %q", buildPkg, name, stamped[name], value)
		}
	}
}

func TestArchivesCarryDocsAndCompletions(t *testing.T) {
	c := loadConfig(t)
	if len(c.Archives) == 0 {
		t.Fatal("no archives")
	}
	for i, a := range c.Archives {
		if !slices.Equal(a.Formats, []string{"tar.gz"}) {
			t.Errorf("archives[%d].formats = %q; want [tar.gz]", i, a.Formats)
		}
		zip := false
		for _, o := range a.FormatOverrides {
			zip = zip || (o.Goos == "windows" && slices.Equal(o.Formats, []string{"zip"}))
		}
		if !zip {
			t.Errorf("archives[%d] has no zip override for windows", i)
		}
		for _, want := range []string{"docs/**", "completions/*", "README*", "LICENSE*"} {
			if !slices.Contains(a.Files, want) {
				t.Errorf("archives[%d].files %q lack %s", i, a.Files, want)
			}
		}
	}
	// The globs must find what cmd/gen-docs writes at its defaults.
	for _, p := range []string{"docs/cli/README.md", "docs/cli/central.md", "completions/*"} {
		m, err := filepath.Glob(filepath.Join(repoRoot, filepath.FromSlash(p)))
		if err != nil || len(m) == 0 {
			t.Errorf("archives would miss %s: nothing there (run go run ./cmd/gen-docs)", p)
		}
	}
}

// modulePath reads the module path from go.mod.
func modulePath(t *testing.T) string {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "module "); ok {
			if p, err := strconv.Unquote(strings.TrimSpace(rest)); err == nil {
				return p
			}
			return strings.TrimSpace(rest)
		}
	}
	t.Fatal("go.mod has no module line")
	return ""
}

// stringVars returns the package-level variables of the package in dir that
// -X can set: those of type string, declared or inferred from a string
// literal.
func stringVars(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]bool{}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.VAR {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if isString(vs, i) {
						vars[name.Name] = true
					}
				}
			}
		}
	}
	if len(vars) == 0 {
		t.Fatalf("no string variables in %s", dir)
	}
	return vars
}

func isString(vs *ast.ValueSpec, i int) bool {
	if id, ok := vs.Type.(*ast.Ident); ok {
		return id.Name == "string"
	}
	if vs.Type == nil && i < len(vs.Values) {
		lit, ok := vs.Values[i].(*ast.BasicLit)
		return ok && lit.Kind == token.STRING
	}
	return false
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
