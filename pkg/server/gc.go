package server

import (
	"os"
	"runtime/debug"
)

// GCPercent is the garbage collector's target for a process that runs the
// server, unless the GOGC environment variable sets one: the heap may grow
// to five times what is live before a collection, instead of Go's default
// of twice. Dispatching allocates much short-lived memory per delivery
// while little stays live (tens of MB), and each collection on a small heap
// costs more than its share: on 2 cores a backlog drained about a third
// faster at 400 than at 100, for some 12 MB more resident memory under
// load (docs/benchmarks.md). Set GOGC=100 to trade that speed back for
// memory, or GOMEMLIMIT to bound it.
const GCPercent = 400

// TuneGC applies GCPercent to this process unless GOGC is set. serve and
// bench call it before they start a server; the CLI's other commands do
// not need it.
func TuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}
