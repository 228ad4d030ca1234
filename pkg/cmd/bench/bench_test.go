package bench

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/bench"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/iostreams"
)

func run(t *testing.T, fake func(context.Context, bench.Config) ([]bench.Row, error), args ...string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	cmd := NewCmdBench(&factory.Factory{IOStreams: ios}, func(o *BenchOptions) error {
		o.Run = fake
		o.Executable = func() (string, error) { return "/usr/local/bin/central", nil }
		return benchRun(context.Background(), o)
	})
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func met(b bool) *bool { return &b }

var rows = []bench.Row{
	{Scenario: "raw", Figure: "requests/s, concurrency 32", Value: 20000, Unit: "/s"},
	{Scenario: "dispatch", Figure: "deliveries/s", Value: 12000, Unit: "/s", Reference: "raw c=32", ReferenceValue: 20000, Ratio: 0.6,
		Target: &bench.Target{On: "ratio", Op: ">=", Bound: 0.5}, Met: met(true)},
	{Scenario: "e2e", Figure: "p99", Value: 30, Unit: "ms", Target: &bench.Target{On: "value", Op: "<=", Bound: 25}, Met: met(false)},
}

func TestFlagsReachTheConfig(t *testing.T) {
	var got bench.Config
	_, _, err := run(t, func(_ context.Context, cfg bench.Config) ([]bench.Row, error) {
		got = cfg
		return rows, nil
	}, "--scenario", "dispatch,e2e", "--scenario", "api", "--duration", "2s", "--backlog", "5000",
		"--store", "sqlite:///tmp/x", "--postgres", "postgres://127.0.0.1/test")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Scenarios, " ") != "dispatch e2e api" || got.Duration != 2*time.Second || got.Backlog != 5000 ||
		got.Store != "sqlite:///tmp/x" || got.Postgres != "postgres://127.0.0.1/test" || got.CentralBinary != "/usr/local/bin/central" {
		t.Errorf("config = %+v", got)
	}
}

func TestTable(t *testing.T) {
	for _, args := range [][]string{nil, {"-o", "table"}} {
		out, errOut, err := run(t, func(context.Context, bench.Config) ([]bench.Row, error) { return rows, nil }, args...)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "SCENARIO") {
			t.Fatalf("%v: table:\n%s", args, out)
		}
		for _, want := range []string{"12,000/s", "0.60×", "≥ 0.5× raw c=32", "met", "≤ 25 ms", "missed"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: table lacks %q:\n%s", args, want, out)
			}
		}
		if !strings.Contains(errOut, "1 targets met, 1 missed") {
			t.Errorf("%v: stderr = %q", args, errOut)
		}
	}
}

func TestJSON(t *testing.T) {
	out, _, err := run(t, func(context.Context, bench.Config) ([]bench.Row, error) {
		return append(rows, bench.Row{Scenario: "replicas", Figure: "x", Unit: "/s", Skipped: "no PostgreSQL", Value: nan()}), nil
	}, "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got) != 4 || got[1]["ratio"] != 0.6 || got[1]["met"] != true || got[3]["value"] != nil || got[3]["skipped"] != "no PostgreSQL" {
		t.Errorf("json = %v", got)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-o", "yaml"}, {"--duration", "0s"}, {"--backlog", "-1"}, {"--scenario", "dispatch,nope"}} {
		_, _, err := run(t, func(context.Context, bench.Config) ([]bench.Row, error) { return nil, nil }, args...)
		var fe *clierr.FlagError
		if !errors.As(err, &fe) {
			t.Errorf("%v: err = %v, want a flag error", args, err)
		}
	}
}

func TestUnknownScenario(t *testing.T) {
	_, err := bench.Run(context.Background(), bench.Config{Scenarios: []string{"nope"}})
	if err == nil || !strings.Contains(err.Error(), "dispatch") {
		t.Errorf("err = %v, want one naming the scenarios", err)
	}
}

func nan() float64 { var z float64; return z / z }

func TestPostgresFromTheEnvironment(t *testing.T) {
	t.Setenv("CENTRAL_TEST_POSTGRES_DSN", "postgres://127.0.0.1:5432/ci")
	var got bench.Config
	_, _, err := run(t, func(_ context.Context, cfg bench.Config) ([]bench.Row, error) {
		got = cfg
		return rows, nil
	})
	if err != nil || got.Postgres != "postgres://127.0.0.1:5432/ci" {
		t.Errorf("postgres = %q, %v; want the environment's", got.Postgres, err)
	}
}
