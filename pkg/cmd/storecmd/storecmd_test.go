package storecmd

import (
	"context"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/store/sqlite"
)

// A store a server still holds is not copied: what it writes after the
// copy would be lost, and its pending deliveries sent twice.
func TestCopyRefusesAStoreInUse(t *testing.T) {
	dir := t.TempDir()
	held, err := sqlite.OpenExclusive(context.Background(), dir+"/central.db")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	ios, _, _, _ := iostreams.Test()
	err = copyRun(context.Background(), &CopyOptions{IO: ios, From: dir, To: "postgres://127.0.0.1:1/none"})
	if err == nil || !strings.Contains(err.Error(), "in use by a running central server: stop it first") {
		t.Fatalf("err = %v", err)
	}
}
