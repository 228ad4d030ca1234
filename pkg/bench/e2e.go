package bench

import (
	"context"
	"fmt"
	"time"
)

// lagSetup gives the instances (not serving yet; replicas share a store) a
// receiver and one signed webhook that every Environment created reaches,
// and starts them. The webhook may use every worker, like the dispatch
// scenario's.
func (r *runner) lagSetup(ctx context.Context, insts []*instance) (*lagSink, func(), error) {
	recv, err := newReceiver()
	if err != nil {
		return nil, nil, err
	}
	s := newLagSink()
	target := hookTarget{name: "wh", url: recv.add("/e2e", &s.sink), maxInFlight: r.cfg.Workers, signed: true}
	if err := insts[0].integration(ctx, "e2e", environmentsCreated, target); err != nil {
		recv.close()
		return nil, nil, err
	}
	for _, in := range insts {
		in.serve()
	}
	return s, recv.close, nil
}

// latencyRows measures the lag from 201 to arrival at 100 events/s, and
// the process's memory meanwhile.
func (r *runner) latencyRows(ctx context.Context, scenario string, insts []*instance, s *lagSink) []Row {
	rawP50, rawP99 := r.rawLatency(ctx)
	var run lagRun
	var rss float64
	r.profiled(scenario+"-latency", func() {
		peak := rssPeak()
		run = runLag(ctx, insts, s, 100, r.cfg.Duration, 2*time.Second)
		rss = peak()
	})
	where := r.where(insts)
	note := fmt.Sprintf("%d events (%d reached the receiver before their 201 reached the client, counted as 0), %d missing, %d failed creates; from the create's start: p50 %s, p99 %s",
		len(run.lags), run.early, run.missing, run.failed, formatValue(percentile(run.fromSend, 0.5), "ms"), formatValue(percentile(run.fromSend, 0.99), "ms"))
	p50 := Row{Scenario: scenario, Figure: "201 → receiver p50 at 100 events/s" + where, Value: run.p(0.5), Unit: "ms", Target: atMost(5), Note: note}
	p99 := Row{Scenario: scenario, Figure: "201 → receiver p99 at 100 events/s" + where, Value: run.p(0.99), Unit: "ms", Target: atMost(25), Note: note}
	mem := Row{Scenario: scenario, Figure: "RSS under 100 events/s (peak)" + where, Value: rss, Unit: "MB",
		Note: "the whole bench process: server, load generator and receiver"}
	return []Row{p50.compare("raw", rawP50), p99.compare("raw", rawP99), mem}
}

// sustainedSteps are the rates tried, upward, until one fails.
var sustainedSteps = []float64{250, 500, 1000, 2000, 3000, 4000, 5000, 6000, 8000}

// sustainedRow finds the highest create rate at which the API keeps up and
// the p99 lag from 201 to arrival stays under a second.
func (r *runner) sustainedRow(ctx context.Context, scenario string, insts []*instance, s *lagSink, target float64) Row {
	step := min(max(r.cfg.Duration/4, 200*time.Millisecond), 3*time.Second)
	best, why := 0.0, ""
	for _, rate := range sustainedSteps {
		if ctx.Err() != nil {
			break
		}
		fmt.Fprintf(r.cfg.Progress, "…   %s: %.0f events/s for %s\n", scenario, rate, step)
		var run lagRun
		r.profiled(fmt.Sprintf("%s-%.0f", scenario, rate), func() { run = runLag(ctx, insts, s, rate, step, 2*time.Second) })
		p99 := run.p(0.99)
		switch {
		case run.achieved < 0.95*rate:
			why = fmt.Sprintf("at %.0f/s the API answered %.0f creates/s", rate, run.achieved)
		case !(p99 < 1000):
			why = fmt.Sprintf("at %.0f/s p99 lag was %s", rate, formatValue(p99, "ms"))
		default:
			best = rate
			continue
		}
		break
	}
	if why == "" {
		why = "every step passed; the steps end there"
	}
	row := Row{Scenario: scenario, Figure: "sustained events/s with p99 lag < 1 s" + r.where(insts), Value: best, Unit: "/s",
		Note: fmt.Sprintf("steps of %s; %s", step, why)}
	if target > 0 {
		row.Target = atLeast(target)
	}
	return row.judge()
}

// where names the store, and the replicas when there are several.
func (r *runner) where(insts []*instance) string {
	if len(insts) > 1 {
		return fmt.Sprintf(" (PostgreSQL, %d replicas)", len(insts))
	}
	return " (" + r.storeName() + ")"
}

func e2eScenario(ctx context.Context, r *runner) []Row {
	const fig = "201 → receiver at 100 events/s"
	in, err := r.start(ctx)
	if err != nil {
		return []Row{skipped("e2e", fig, "ms", err.Error(), nil)}
	}
	s, closeRecv, err := r.lagSetup(ctx, []*instance{in})
	if err != nil {
		in.stop()
		return []Row{skipped("e2e", fig, "ms", err.Error(), nil)}
	}
	defer closeRecv()
	defer in.stop()
	return r.latencyRows(ctx, "e2e", []*instance{in}, s)
}

func sustainedScenario(ctx context.Context, r *runner) []Row {
	const fig = "sustained events/s with p99 lag < 1 s"
	in, err := r.start(ctx)
	if err != nil {
		return []Row{skipped("sustained", fig, "/s", err.Error(), atLeast(3000))}
	}
	s, closeRecv, err := r.lagSetup(ctx, []*instance{in})
	if err != nil {
		in.stop()
		return []Row{skipped("sustained", fig, "/s", err.Error(), atLeast(3000))}
	}
	defer closeRecv()
	defer in.stop()
	return []Row{r.sustainedRow(ctx, "sustained", []*instance{in}, s, 3000)}
}
