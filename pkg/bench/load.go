package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// closedLoop runs fn from conc goroutines, each calling again as soon as
// its call returns, until d has passed, max calls were made or ctx ends.
// It returns the calls that succeeded, those that failed and the time taken.
func closedLoop(ctx context.Context, conc int, d time.Duration, max int64, fn func(ctx context.Context, i int64) error) (ok, failed int64, elapsed time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var next, okN, failN atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= max {
					return
				}
				if err := fn(ctx, i); err != nil {
					if ctx.Err() == nil {
						failN.Add(1)
					}
					continue
				}
				okN.Add(1)
			}
		})
	}
	wg.Wait()
	return okN.Load(), failN.Load(), time.Since(start)
}

// paced calls fn(i) for i = 0, 1, … at rate per second for d (open loop:
// call i is due at start + i/rate whether or not earlier calls returned),
// from at most workers goroutines. Calls that could not start within a
// second of their due time are dropped, so an overloaded target shows as a
// rate below the offered one instead of an unbounded queue. It returns how
// many calls were started.
func paced(ctx context.Context, rate float64, d time.Duration, workers int, fn func(ctx context.Context, i int)) int {
	total := int(rate * d.Seconds())
	due := make(chan int, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range due {
				fn(ctx, i)
			}
		})
	}
	start := time.Now()
	started := 0
	for i := 0; i < total && ctx.Err() == nil; i++ {
		at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		// Sleeping for less than a millisecond oversleeps; small bursts
		// keep the average rate instead.
		if wait := time.Until(at); wait > time.Millisecond {
			sleep(ctx, wait)
		}
		select {
		case due <- i:
			started++
		case <-time.After(time.Until(at.Add(time.Second))):
		case <-ctx.Done():
		}
	}
	close(due)
	wg.Wait()
	return started
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
