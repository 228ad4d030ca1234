package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// The failing receiver answers 500 after failDelay; its webhook retries
// after failRetry, so its deliveries keep coming back during the run.
const (
	failDelay = 200 * time.Millisecond
	failRetry = "1s" // the shortest step a webhook may ask for
)

// isolationScenario drains the same backlog to a healthy webhook twice:
// alone, then with every event also going to a webhook whose receiver
// answers 500 slowly. Both webhooks keep the default maxInFlight of 4.
func isolationScenario(ctx context.Context, r *runner) []Row {
	const fig = "healthy webhook's deliveries/s beside one failing"
	n := r.backlogFor(2000, 300, 30000)
	half := r.share(0.5, 100*time.Millisecond)
	alone, _, err := r.isolationRun(ctx, n, half, false)
	if err != nil {
		return []Row{skipped("isolation", fig, "/s", err.Error(), ratioAtLeast(0.8))}
	}
	beside, failing, err := r.isolationRun(ctx, n, half, true)
	if err != nil {
		return []Row{skipped("isolation", fig, "/s", err.Error(), ratioAtLeast(0.8))}
	}
	row := Row{Scenario: "isolation", Figure: fig + " (" + r.storeName() + ")", Value: beside, Unit: "/s", Target: ratioAtLeast(0.8),
		Note: fmt.Sprintf("backlog of %d events; the failing receiver answers 500 after %s (%d attempts), retried after %s; maxInFlight 4 each",
			n, failDelay, failing, failRetry)}
	return []Row{row.compare("alone", alone)}
}

// isolationRun returns the healthy webhook's rate and the failing
// receiver's attempts.
func (r *runner) isolationRun(ctx context.Context, n int, limit time.Duration, withFailing bool) (float64, int64, error) {
	in, err := r.start(ctx)
	if err != nil {
		return nan, 0, err
	}
	recv, err := newReceiver()
	if err != nil {
		in.stop()
		return nan, 0, err
	}
	defer recv.close()
	defer in.stop()
	healthy, failing := &sink{}, &sink{status: http.StatusInternalServerError, delay: failDelay}
	targets := []hookTarget{{name: "healthy", url: recv.add("/healthy", healthy), signed: true}}
	refs := []api.WebhookRef{webhookRef("isolation", "healthy")}
	if withFailing {
		targets = append(targets, hookTarget{name: "failing", url: recv.add("/failing", failing), signed: true,
			retrySchedule: []string{failRetry, failRetry, failRetry, failRetry, failRetry, failRetry, failRetry}})
		refs = append(refs, webhookRef("isolation", "failing"))
	}
	if err := in.integration(ctx, "isolation", environmentsCreated, targets...); err != nil {
		return nan, 0, err
	}
	if _, err := queueBacklog(ctx, in.store(), in.org(), n, 1, 0, refs...); err != nil {
		return nan, 0, err
	}
	var rate float64
	name := "isolation-alone"
	if withFailing {
		name = "isolation-beside"
	}
	r.profiled(name, func() {
		start := time.Now()
		in.serve()
		_, rate = drain(ctx, healthy, int64(n), start, limit)
	})
	return rate, failing.count.Load(), nil
}
