package bench

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// startupRuns is how many times each program is started (within
// --duration); the median counts. Single starts on a shared machine vary
// by more than the difference measured, so there are many.
const startupRuns = 101

// startupScenario times `central --help` against the same for a bare cobra
// program, alternating so that both see the same machine.
func startupScenario(ctx context.Context, r *runner) []Row {
	const fig = "central --help start-up (median)"
	target := ratioAtMost(1.5)
	if r.cfg.CentralBinary == "" {
		return []Row{skipped("startup", fig, "ms", "no central binary to run", target)}
	}
	bare := r.cfg.BareBinary
	if bare == "" {
		bare = filepath.Join(r.tmp, "barecobra")
		out, err := exec.CommandContext(ctx, "go", "build", "-o", bare, "github.com/centralhq/central/pkg/bench/barecobra").CombinedOutput()
		if err != nil {
			why := fmt.Sprintf("could not build the bare cobra program (run from the source tree, with go on PATH): %v %s", err, strings.TrimSpace(string(out)))
			return []Row{skipped("startup", fig, "ms", why, target)}
		}
	}
	// Both binaries run as the Go linker wrote them, as `go install`
	// leaves them for users. How a file came into the page cache changes
	// how fast a big binary starts: the same central written anew with
	// write(2) starts about a third faster here, which would flatter it.
	var central, reference []time.Duration
	deadline := time.Now().Add(r.cfg.Duration)
	for i := 0; i < startupRuns && time.Now().Before(deadline) && ctx.Err() == nil; i++ {
		for _, p := range []struct {
			bin string
			out *[]time.Duration
		}{{r.cfg.CentralBinary, &central}, {bare, &reference}} {
			d, err := timeRun(ctx, p.bin, "--help")
			if err != nil {
				return []Row{skipped("startup", fig, "ms", err.Error(), target)}
			}
			*p.out = append(*p.out, d)
		}
	}
	row := Row{Scenario: "startup", Figure: fig, Value: median(central), Unit: "ms", Target: target,
		Note: fmt.Sprintf("%d runs each, alternating; %s", len(central), filepath.Base(r.cfg.CentralBinary))}
	return []Row{row.compare("bare cobra", median(reference))}
}

func timeRun(ctx context.Context, bin string, args ...string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s %s: %w", bin, strings.Join(args, " "), err)
	}
	return time.Since(start), nil
}

func median(ds []time.Duration) float64 {
	if len(ds) == 0 {
		return nan
	}
	s := slices.Clone(ds)
	return percentile(s, 0.5)
}
