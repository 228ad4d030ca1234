package storetest

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// MigrationFiles lists the names of a driver's migrations (the files
// migrations/*.sql of the package under test) in order, and the highest
// version among them.
func MigrationFiles(t *testing.T) ([]string, int) {
	t.Helper()
	paths, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(paths) == 0 {
		t.Fatalf("migration files: %v %v", paths, err)
	}
	var names []string
	known := 0
	for _, p := range paths {
		name := filepath.Base(p)
		n, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			t.Fatal(err)
		}
		names, known = append(names, name), max(known, n)
	}
	slices.Sort(names)
	return names, known
}
