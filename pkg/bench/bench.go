// Package bench measures central on the machine it runs on: it starts the
// real server (store, API, dispatcher) in this process, with receivers on
// 127.0.0.1, drives load through the real HTTP API, and reports each figure
// beside a reference measured in the same run: the raw ceiling of a plain Go
// HTTP client posting the same bodies to the same receiver.
//
// Every scenario is bounded in time (Config.Duration) and in count, stops
// when its context is cancelled, and sends traffic to loopback addresses
// only. The server runs in-process, so memory figures are this process's
// resident set, load generator and receivers included.
package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

// Config is what one benchmark run measures and how long it may take.
type Config struct {
	// Store is a store DSN like `central serve --store`: empty for SQLite in
	// a temporary directory (removed after), sqlite://DIR for SQLite under
	// DIR, or postgres://… (each scenario gets a fresh schema, dropped after).
	Store string
	// Postgres is the database for the two-replica scenario; empty skips it
	// unless Store is a PostgreSQL DSN.
	Postgres string
	// Duration bounds each scenario's measuring time.
	Duration time.Duration
	// Scenarios to run; empty runs every one that applies to the store.
	Scenarios []string
	// Backlog is the pending deliveries of the backlog memory scenario;
	// 0 takes DefaultBacklog, or FullBacklog when that scenario is the only
	// one selected.
	Backlog int
	// Hooks is how many non-matching ResourceHooks the matching scenario
	// creates; 0 is the 10,000.
	Hooks int
	// Workers is the server's dispatcher width (`serve --workers`); 0 is 32.
	Workers int
	// CentralBinary is the `central` executable the startup scenario runs
	// with --help; BareBinary is a bare cobra program to compare it with
	// (empty: built from ./pkg/bench/barecobra with the go command).
	CentralBinary string
	BareBinary    string
	// Progress receives a line as each scenario starts (nil: none).
	Progress io.Writer
	// ProfileDir, when set, receives a CPU profile of each scenario's
	// measured part (see profiled).
	ProfileDir string
}

// DefaultBacklog keeps the full run under three minutes on two cores;
// FullBacklog is the million, used when the backlog scenario runs
// alone.
const (
	DefaultBacklog = 100_000
	FullBacklog    = 1_000_000
)

// Scenario is one named measurement.
type Scenario struct {
	Name        string
	Description string
	run         func(ctx context.Context, r *runner) []Row
}

// Scenarios lists every scenario in the order a full run takes them: memory
// first, before any load has grown the heap.
var Scenarios = []Scenario{
	{Name: "memory", Description: "resident memory of an idle server", run: memoryIdle},
	{Name: "dispatch", Description: "a backlog of pending deliveries drained to a 204 receiver", run: dispatchScenario},
	{Name: "e2e", Description: "latency from the API's 201 to the receiver at 100 events/s, and memory under it", run: e2eScenario},
	{Name: "sustained", Description: "the highest create rate whose p99 queue lag stays under 1 s", run: sustainedScenario},
	{Name: "api", Description: "creates/s and gets/s at concurrency 16", run: apiScenario},
	{Name: "matching", Description: "creates/s with 10,000 ResourceHooks that do not match, against none", run: matchingScenario},
	{Name: "fanout", Description: "one event to 10 webhooks", run: fanoutScenario},
	{Name: "isolation", Description: "a healthy webhook beside one answering 500 slowly, against alone", run: isolationScenario},
	{Name: "replicas", Description: "dispatch, end to end and statements per event on PostgreSQL with two replicas", run: replicasScenario},
	{Name: "backlog", Description: "memory while draining a large backlog, against a small one", run: backlogScenario},
	{Name: "startup", Description: "central --help against a bare cobra program", run: startupScenario},
}

// Names returns the scenario names, for help texts and errors.
func Names() []string {
	out := make([]string, len(Scenarios))
	for i, s := range Scenarios {
		out[i] = s.Name
	}
	return out
}

// Run runs the selected scenarios in the order of Scenarios and returns
// their rows, the raw reference's first (it is measured when a scenario
// first needs it). A scenario that cannot run returns skipped rows saying
// why; Run fails only on a bad Config or when ctx ends, with the rows made
// until then.
func Run(ctx context.Context, cfg Config) ([]Row, error) {
	selected, err := selectScenarios(cfg.Scenarios)
	if err != nil {
		return nil, err
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.Hooks <= 0 {
		cfg.Hooks = 10_000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	if cfg.Backlog <= 0 {
		cfg.Backlog = DefaultBacklog
		if len(selected) == 1 && selected[0].Name == "backlog" {
			cfg.Backlog = FullBacklog
		}
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if err := loopbackOnly(cfg.Store); err != nil {
		return nil, fmt.Errorf("--store: %w", err)
	}
	if err := loopbackOnly(cfg.Postgres); err != nil {
		return nil, fmt.Errorf("--postgres: %w", err)
	}
	tmp, err := os.MkdirTemp("", "central-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	r := &runner{cfg: cfg, tmp: tmp}
	var rows []Row
	for _, s := range selected {
		if err := ctx.Err(); err != nil {
			break
		}
		fmt.Fprintf(cfg.Progress, "… %s: %s\n", s.Name, s.Description)
		rows = append(rows, s.run(ctx, r)...)
	}
	// The raw reference is measured when a scenario first needs it (so the
	// idle memory comes first) but leads the table.
	return append(r.raw.rows, rows...), ctx.Err()
}

func selectScenarios(names []string) ([]Scenario, error) {
	if len(names) == 0 {
		return Scenarios, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if !slices.Contains(Names(), n) {
			return nil, fmt.Errorf("no scenario %q; the scenarios are %s", n, strings.Join(Names(), ", "))
		}
		want[n] = true
	}
	var out []Scenario
	for _, s := range Scenarios {
		if want[s.Name] {
			out = append(out, s)
		}
	}
	return out, nil
}

// runner carries what scenarios share: the config, the scratch directory
// and the raw reference once measured.
type runner struct {
	cfg Config
	tmp string
	raw rawCeiling
	seq int // numbers scratch directories
	// profiles counts the profiles written under each name.
	profiles map[string]int
}

// share is a part of the scenario duration, never below min.
func (r *runner) share(part float64, min time.Duration) time.Duration {
	return max(time.Duration(float64(r.cfg.Duration)*part), min)
}

// nan marks a value that could not be measured.
var nan = math.NaN()
