package server

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestTuneGCLeavesGOGCToTheUser(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)

	t.Setenv("GOGC", "100")
	TuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC=100, the GC target became %d", got)
	}
	os.Unsetenv("GOGC") // t.Setenv puts it back
	TuneGC()
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("without GOGC, the GC target is %d, want %d", got, GCPercent)
	}
}
