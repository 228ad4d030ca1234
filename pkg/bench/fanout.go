package bench

import (
	"context"
	"fmt"
	"time"
)

// fanoutWebhooks is how many webhooks every event goes to.
const fanoutWebhooks = 10

// fanoutScenario creates events through the API while the dispatcher sends
// each to 10 webhooks, and counts deliveries after a tenth of the run has
// warmed up. API and dispatcher share the machine, as in production.
func fanoutScenario(ctx context.Context, r *runner) []Row {
	const fig = "deliveries/s, each event to 10 webhooks"
	raw := r.rawRate(ctx, r.cfg.Workers)
	in, err := r.start(ctx)
	if err != nil {
		return []Row{skipped("fanout", fig, "/s", err.Error(), nil)}
	}
	recv, err := newReceiver()
	if err != nil {
		in.stop()
		return []Row{skipped("fanout", fig, "/s", err.Error(), nil)}
	}
	defer recv.close()
	defer in.stop()
	s := &sink{}
	var targets []hookTarget
	for i := range fanoutWebhooks {
		targets = append(targets, hookTarget{name: fmt.Sprintf("wh%d", i), url: recv.add(fmt.Sprintf("/fanout/%d", i), s), signed: true})
	}
	if err := in.integration(ctx, "fanout", environmentsCreated, targets...); err != nil {
		return []Row{skipped("fanout", fig, "/s", err.Error(), nil)}
	}
	in.serve()
	type result struct {
		n    int64
		rate float64
	}
	done := make(chan result, 1)
	go func() {
		made := creates(ctx, in, 2, r.cfg.Duration)
		done <- result{int64(len(made.names)), made.rate}
	}()
	warm := r.cfg.Duration / 10
	sleep(ctx, warm)
	c0, t0 := s.count.Load(), time.Now()
	var made result
	r.profiled("fanout", func() { made = <-done })
	c1, t1 := s.count.Load(), time.Now()
	row := Row{Scenario: "fanout", Figure: fig + " (" + r.storeName() + ")", Value: perSecond(c1-c0, t1.Sub(t0)), Unit: "/s",
		Note: fmt.Sprintf("while creating %.0f events/s through the API at concurrency 2; %d of %d deliveries made by the end; default maxInFlight 4 per webhook",
			made.rate, c1, made.n*fanoutWebhooks)}
	return []Row{row.compare(fmt.Sprintf("raw c=%d", r.cfg.Workers), raw)}
}
