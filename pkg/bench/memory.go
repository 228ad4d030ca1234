package bench

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"
)

// memoryIdle starts a server, lets it settle for a second, and reads the
// process's resident set. The server runs in this process, so the figure
// is the bench process with one idle server in it; memory left over from
// earlier work in the process is returned to the OS first.
func memoryIdle(ctx context.Context, r *runner) []Row {
	const fig = "RSS of an idle server"
	debug.FreeOSMemory()
	in, err := r.start(ctx)
	if err != nil {
		return []Row{skipped("memory", fig, "MB", err.Error(), atMost(50))}
	}
	defer in.stop()
	in.serve()
	sleep(ctx, time.Second)
	row := Row{Scenario: "memory", Figure: fig + " (" + r.storeName() + ")", Value: rssMB(), Unit: "MB", Target: atMost(50),
		Note: "VmRSS of this process, the server in-process, 1 s after start"}
	return []Row{row.judge()}
}

// backlogRun is what draining one backlog showed.
type backlogRun struct {
	before, peak, after float64 // MB
	drained             int64
	rate                float64
	queued              time.Duration
}

// backlogScenario drains a large backlog and a hundredth of it for the
// same bounded time and compares the peak resident set: claims read a
// bounded batch, so memory must not grow with the backlog.
func backlogScenario(ctx context.Context, r *runner) []Row {
	fig := fmt.Sprintf("RSS draining %s pending deliveries (peak)", groupThousands(int64(r.cfg.Backlog)))
	small := min(max(r.cfg.Backlog/100, 1000), r.cfg.Backlog)
	limit := r.share(0.5, 100*time.Millisecond)
	sm, err := r.backlogRun(ctx, small, limit)
	if err != nil {
		return []Row{skipped("backlog", fig, "MB", err.Error(), ratioAtMost(1.2))}
	}
	lg, err := r.backlogRun(ctx, r.cfg.Backlog, limit)
	if err != nil {
		return []Row{skipped("backlog", fig, "MB", err.Error(), ratioAtMost(1.2))}
	}
	mem := Row{Scenario: "backlog", Figure: fig + " (" + r.storeName() + ")", Value: lg.peak, Unit: "MB", Target: ratioAtMost(1.2),
		Note: fmt.Sprintf("process RSS %.1f MB with the backlog queued, %.1f MB after %s of draining; queued in %s; the reference drains %s",
			lg.before, lg.after, limit, lg.queued.Round(time.Millisecond), groupThousands(int64(small)))}
	rate := Row{Scenario: "backlog", Figure: fmt.Sprintf("deliveries/s draining %s pending", groupThousands(int64(r.cfg.Backlog))),
		Value: lg.rate, Unit: "/s", Note: fmt.Sprintf("%d drained in %s; 1,000 deliveries share each event", lg.drained, limit)}
	return []Row{mem.compare(fmt.Sprintf("draining %s", groupThousands(int64(small))), sm.peak),
		rate.compare(fmt.Sprintf("draining %s", groupThousands(int64(small))), sm.rate)}
}

func (r *runner) backlogRun(ctx context.Context, n int, limit time.Duration) (backlogRun, error) {
	var out backlogRun
	in, err := r.start(ctx)
	if err != nil {
		return out, err
	}
	recv, err := newReceiver()
	if err != nil {
		in.stop()
		return out, err
	}
	defer recv.close()
	defer in.stop()
	s := &sink{}
	target := hookTarget{name: "wh", url: recv.add("/backlog", s), maxInFlight: r.cfg.Workers, signed: true}
	if err := in.integration(ctx, "backlog", environmentsCreated, target); err != nil {
		return out, err
	}
	events := max(n/1000, 1)
	if out.queued, err = queueBacklog(ctx, in.store(), in.org(), events, n/events, target.maxInFlight, webhookRef("backlog", "wh")); err != nil {
		return out, err
	}
	// What queueing left behind belongs to the benchmark, not the server.
	debug.FreeOSMemory()
	out.before = rssMB()
	peak := rssPeak()
	start := time.Now()
	in.serve()
	out.drained, out.rate = drain(ctx, s, int64(events*(n/events)), start, limit)
	out.peak = peak()
	out.after = rssMB()
	return out, nil
}
