// Package bench implements "central bench": it starts the real server in
// its own process, with receivers on 127.0.0.1, drives load through the
// HTTP API, and prints each figure beside a raw reference measured in the
// same run and the target it is held to.
package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/bench"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/printers"
	"github.com/centralhq/central/pkg/server"
)

// BenchOptions are the dependencies and flags of one benchmark run.
type BenchOptions struct {
	IO *iostreams.IOStreams
	// Executable is the central binary the startup scenario times.
	Executable func() (string, error)
	// Run runs the benchmark; tests replace it.
	Run func(ctx context.Context, cfg bench.Config) ([]bench.Row, error)

	Store      string
	Postgres   string
	Duration   time.Duration
	Scenarios  []string
	Backlog    int
	Workers    int
	ProfileDir string
	Output     string
}

// NewCmdBench builds "central bench"; runF replaces the run in tests.
func NewCmdBench(f *factory.Factory, runF func(*BenchOptions) error) *cobra.Command {
	opts := &BenchOptions{IO: f.IOStreams, Executable: os.Executable, Run: bench.Run}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the server on this machine",
		Long: `Measure central on this machine: start the real server (store, API and
dispatcher) in this process with webhook receivers on 127.0.0.1, drive load
through the HTTP API, and print one table of figures.

Each figure is printed beside a reference measured in the same run, mostly the
raw ceiling: a plain Go HTTP client POSTing the same 1 KiB bodies to the same
receiver with keep-alive at the same concurrency, with no store. TARGET is
the figure's target and RESULT whether this run met it.

Scenarios:
` + scenarioList() + `
Every scenario is bounded by --duration and by a count, and sends traffic to
loopback addresses only; a PostgreSQL DSN must name this machine. The full
run takes about 2.5 minutes on 2 cores. The memory figures are this process's
resident set (VmRSS), since the server runs inside it. The backlog scenario
queues --backlog deliveries: 100,000 in a full run, 1,000,000 when it is the
only scenario selected.`,
		Example: `  # every scenario on a temporary SQLite store, 10 s each
  central bench
  # two scenarios, briefly, as JSON
  central bench --scenario dispatch,e2e --duration 3s -o json
  # the memory figure with a million pending deliveries
  central bench --scenario backlog
  # what limits the dispatcher: a CPU profile of its measured part
  central bench --scenario dispatch --cpuprofile /tmp/prof && go tool pprof -top /tmp/prof/dispatch.pprof
  # everything on PostgreSQL, including two replicas
  central bench --store 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch opts.Output {
			case "", "table":
				opts.Output = ""
			case "json":
			default:
				return clierr.Flagf(fmt.Sprintf("--output must be json or table (the default); got %q", opts.Output))
			}
			if opts.Duration <= 0 {
				return clierr.Flagf("--duration must be positive, like 10s")
			}
			if opts.Backlog < 0 {
				return clierr.Flagf("--backlog must not be negative")
			}
			for _, name := range opts.Scenarios {
				if !slices.Contains(bench.Names(), name) {
					return clierr.Flagf(fmt.Sprintf("--scenario %q: the scenarios are %s", name, strings.Join(bench.Names(), ", ")))
				}
			}
			if opts.Postgres == "" {
				// Read here, not as the flag's default, so that help and the
				// generated docs do not show one machine's DSN.
				opts.Postgres = os.Getenv("CENTRAL_TEST_POSTGRES_DSN")
			}
			if runF != nil {
				return runF(opts)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return benchRun(ctx, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Store, "store", "", "store DSN: empty for SQLite in a temporary directory (removed after), sqlite://DIR, or postgres://… (a fresh schema per scenario)")
	fl.StringVar(&opts.Postgres, "postgres", "", "PostgreSQL DSN for the two-replica scenario (default $CENTRAL_TEST_POSTGRES_DSN; without one it is skipped)")
	fl.DurationVar(&opts.Duration, "duration", 10*time.Second, "how long each scenario measures")
	fl.StringSliceVar(&opts.Scenarios, "scenario", nil, "scenarios to run, repeatable or comma-separated (default: all)")
	fl.IntVar(&opts.Backlog, "backlog", 0, "pending deliveries for the backlog scenario (default 100000, or 1000000 when it runs alone)")
	fl.IntVar(&opts.Workers, "workers", 32, "the server's webhook requests in flight at once, as serve --workers")
	fl.StringVar(&opts.ProfileDir, "cpuprofile", "", "write a CPU profile of each scenario's measured part to `DIR`/NAME.pprof (read with go tool pprof)")
	fl.StringVarP(&opts.Output, "output", "o", "", "output format: json or table (the default)")
	return cmd
}

func scenarioList() string {
	var b strings.Builder
	for _, s := range bench.Scenarios {
		fmt.Fprintf(&b, "  %-10s %s\n", s.Name, s.Description)
	}
	return b.String()
}

func benchRun(ctx context.Context, o *BenchOptions) error {
	// The server runs in this process, with the GC target serve gives it;
	// the raw ceiling, in the same process, runs with it too.
	server.TuneGC()
	exe, err := o.Executable()
	if err != nil {
		exe = "" // the startup scenario says it could not run
	}
	cfg := bench.Config{Store: o.Store, Postgres: o.Postgres, Duration: o.Duration, Scenarios: o.Scenarios,
		Backlog: o.Backlog, Workers: o.Workers, CentralBinary: exe, Progress: o.IO.ErrOut, ProfileDir: o.ProfileDir}
	start := time.Now()
	rows, err := o.Run(ctx, cfg)
	if err != nil && len(rows) == 0 {
		return err
	}
	if err != nil {
		o.IO.Warning("The benchmark stopped early: %v", err)
	}
	if o.Output == "json" {
		if rows == nil {
			rows = []bench.Row{}
		}
		return printers.JSON{}.Print(o.IO.Out, rows)
	}
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = r.Cells()
	}
	if err := printers.PlainTable(o.IO.Out, bench.Header, cells); err != nil {
		return err
	}
	met, missed := 0, 0
	for _, r := range rows {
		if r.Met != nil && *r.Met {
			met++
		} else if r.Met != nil {
			missed++
		}
	}
	fmt.Fprintf(o.IO.ErrOut, "\n%d targets met, %d missed, in %s\n", met, missed, time.Since(start).Round(time.Second))
	if errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
