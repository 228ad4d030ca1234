package bench_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/bench"
)

// TestEveryScenario runs every scenario for a moment, so that each code
// path works; it checks the rows' shapes and never their timing.
func TestEveryScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("starts many servers")
	}
	truePath, _ := exec.LookPath("true")
	cfg := bench.Config{
		Duration: 200 * time.Millisecond, Backlog: 2000, Hooks: 200,
		Postgres:      os.Getenv("CENTRAL_TEST_POSTGRES_DSN"),
		CentralBinary: truePath, BareBinary: truePath,
	}
	if testing.Verbose() {
		cfg.Progress = os.Stderr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	rows, err := bench.Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d rows in %s", len(rows), time.Since(start))
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.Scenario] = true
		if r.Figure == "" || r.Unit == "" {
			t.Errorf("row without a figure or unit: %+v", r)
		}
		if r.Skipped != "" {
			t.Logf("skipped: %s %s: %s", r.Scenario, r.Figure, r.Skipped)
		}
		if cells := r.Cells(); len(cells) != len(bench.Header) {
			t.Errorf("%d cells for %d columns", len(cells), len(bench.Header))
		}
		if _, err := json.Marshal(r); err != nil {
			t.Errorf("%s %s: %v", r.Scenario, r.Figure, err)
		}
		t.Log(r.Cells())
	}
	for _, name := range append(bench.Names(), "raw") {
		if !seen[name] {
			t.Errorf("no row from scenario %s", name)
		}
	}
}
