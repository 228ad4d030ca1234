package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// apiConcurrency is the concurrency for the API figures.
const apiConcurrency = 16

var createRuns atomic.Int64

// created is what a run of creates made.
type created struct {
	names  []string
	rate   float64
	failed int64
}

// creates makes Environments through the API from conc clients for d.
func creates(ctx context.Context, in *instance, conc int, d time.Duration) created {
	return createsOn(ctx, []*instance{in}, conc, d)
}

// createsOn is creates spread over several replicas in turn.
func createsOn(ctx context.Context, insts []*instance, conc int, d time.Duration) created {
	prefix := fmt.Sprintf("c%d", createRuns.Add(1))
	var mu sync.Mutex
	var out created
	ok, failed, elapsed := closedLoop(ctx, conc, d, math.MaxInt64, func(ctx context.Context, i int64) error {
		in := insts[i%int64(len(insts))]
		name := fmt.Sprintf("%s-%d", prefix, i)
		code, body, err := in.call(ctx, http.MethodPost, mgmt+"/environments", environmentBody(name))
		if err == nil && code != http.StatusCreated {
			err = fmt.Errorf("create: %d %s", code, body)
		}
		if err == nil {
			mu.Lock()
			out.names = append(out.names, name)
			mu.Unlock()
		}
		return err
	})
	out.rate, out.failed = perSecond(ok, elapsed), failed
	return out
}

func apiScenario(ctx context.Context, r *runner) []Row {
	const cf, gf = "creates/s, concurrency 16", "gets/s, concurrency 16"
	raw := r.rawRate(ctx, apiConcurrency)
	in, err := r.start(ctx)
	if err != nil {
		return []Row{skipped("api", cf, "/s", err.Error(), atLeast(5000)), skipped("api", gf, "/s", err.Error(), atLeast(15000))}
	}
	defer in.stop()
	in.serve()
	half := r.share(0.5, 100*time.Millisecond)
	var made created
	r.profiled("api-creates", func() { made = creates(ctx, in, apiConcurrency, half) })
	n := int64(len(made.names))
	create := Row{Scenario: "api", Figure: cf + " (" + r.storeName() + ")", Value: made.rate, Unit: "/s", Target: atLeast(5000),
		Note: fmt.Sprintf("POST /environments, %d-byte bodies, no hooks; %d created, %d failed", len(environmentBody("c1-0")), n, made.failed)}
	if n == 0 {
		return []Row{create.compare("raw c=16", raw), skipped("api", gf, "/s", "nothing was created to get", atLeast(15000))}
	}
	var ok, failedGets int64
	var elapsed time.Duration
	r.profiled("api-gets", func() {
		ok, failedGets, elapsed = closedLoop(ctx, apiConcurrency, half, math.MaxInt64, func(ctx context.Context, _ int64) error {
			code, body, err := in.call(ctx, http.MethodGet, mgmt+"/environments/"+made.names[rand.Int64N(n)], nil)
			if err == nil && code != http.StatusOK {
				err = fmt.Errorf("get: %d %s", code, body)
			}
			return err
		})
	})
	get := Row{Scenario: "api", Figure: gf + " (" + r.storeName() + ")", Value: perSecond(ok, elapsed), Unit: "/s", Target: atLeast(15000),
		Note: fmt.Sprintf("GET /environments/NAME over %d resources; %d failed", n, failedGets)}
	return []Row{create.compare("raw c=16", raw), get.compare("raw c=16", raw)}
}
