package bench

import (
	"context"
	"fmt"
	"time"
)

// backlogFor sizes a backlog to outlast the scenario at perSecond, within
// bounds that keep queueing it short.
func (r *runner) backlogFor(perSecond float64, lo, hi int) int {
	return min(max(int(perSecond*r.cfg.Duration.Seconds()), lo), hi)
}

// drain waits, after the dispatcher started at start, until s has seen want
// requests or limit has passed, and returns how many arrived and the rate:
// over the time to the last arrival when everything arrived, else over
// limit.
func drain(ctx context.Context, s *sink, want int64, start time.Time, limit time.Duration) (int64, float64) {
	got := s.waitCount(ctx, want, start.Add(limit))
	if got >= want {
		return got, perSecond(got, time.Unix(0, s.last.Load()).Sub(start))
	}
	return got, perSecond(got, time.Since(start))
}

// dispatchRun measures draining a backlog of n events to one signed webhook
// that may use every worker of every instance (maxInFlight is their sum),
// through the instances (replicas sharing one store, or one server), none
// of which serves yet. It stops them.
func (r *runner) dispatchRun(ctx context.Context, profile string, insts []*instance, n int) (rate float64, note string, err error) {
	recv, err := newReceiver()
	if err != nil {
		stopAll(insts)
		return nan, "", err
	}
	defer recv.close()
	defer stopAll(insts)
	s := &sink{}
	width := r.cfg.Workers * len(insts)
	target := hookTarget{name: "wh", url: recv.add("/dispatch", s), maxInFlight: width, signed: true}
	if err := insts[0].integration(ctx, "dispatch", environmentsCreated, target); err != nil {
		return nan, "", err
	}
	took, err := queueBacklog(ctx, insts[0].store(), insts[0].org(), n, 1, width, webhookRef("dispatch", "wh"))
	if err != nil {
		return nan, "", err
	}
	var got int64
	r.profiled(profile, func() {
		start := time.Now()
		for _, in := range insts {
			in.serve()
		}
		got, rate = drain(ctx, s, int64(n), start, r.cfg.Duration)
	})
	note = fmt.Sprintf("%s of a %s backlog (queued in %s) delivered; signed, %d-byte bodies, maxInFlight %d",
		groupThousands(got), groupThousands(int64(n)), took.Round(100*time.Millisecond), s.meanBody(), width)
	return rate, note, nil
}

func dispatchScenario(ctx context.Context, r *runner) []Row {
	const fig = "deliveries/s, backlog to 1 webhook"
	raw := r.rawRate(ctx, r.cfg.Workers)
	in, err := r.start(ctx)
	if err != nil {
		return []Row{skipped("dispatch", fig, "/s", err.Error(), ratioAtLeast(0.5))}
	}
	rate, note, err := r.dispatchRun(ctx, "dispatch", []*instance{in}, r.backlogFor(4000, 500, 60000))
	if err != nil {
		return []Row{skipped("dispatch", fig, "/s", err.Error(), ratioAtLeast(0.5))}
	}
	row := Row{Scenario: "dispatch", Figure: fig + " (" + r.storeName() + ")", Value: rate, Unit: "/s", Target: ratioAtLeast(0.5), Note: note}
	return []Row{row.compare(fmt.Sprintf("raw c=%d", r.cfg.Workers), raw)}
}

// storeName says which store the scenarios run on.
func (r *runner) storeName() string {
	if isPostgres(r.cfg.Store) {
		return "PostgreSQL"
	}
	return "SQLite"
}

// stopAll stops the instances (replicas) one after another.
func stopAll(insts []*instance) {
	for _, in := range insts {
		in.stop()
	}
}
