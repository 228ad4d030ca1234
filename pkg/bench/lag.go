package bench

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync/atomic"
	"time"
)

// lagProbe follows one run of paced creates: when each create got its 201
// and when its event reached the receiver, by index in the resource name.
type lagProbe struct {
	prefix  string
	sent    []atomic.Int64 // unix ns when the create was sent
	acked   []atomic.Int64 // unix ns of the 201
	arrived []atomic.Int64 // unix ns of the first arrival
}

// lagSink is a 204 receiver that records arrivals for the current probe.
type lagSink struct {
	sink
	cur atomic.Pointer[lagProbe]
}

func newLagSink() *lagSink {
	s := &lagSink{}
	s.onArrive = func(body []byte, at time.Time) {
		p := s.cur.Load()
		prefix, i, ok := nameIndex(payloadName(body))
		if p != nil && ok && prefix == p.prefix && i >= 0 && i < len(p.arrived) {
			p.arrived[i].CompareAndSwap(0, at.UnixNano())
		}
	}
	return s
}

// lagRun is what one paced run measured.
type lagRun struct {
	offered, achieved float64 // creates/s
	failed            int     // creates not answered 201
	lags              []time.Duration
	fromSend          []time.Duration // from the create's start instead of its 201
	missing           int             // acked events that never arrived (lags holds them as MaxInt64)
	early             int             // events that arrived before their 201 did (lag 0)
}

func (l lagRun) p(q float64) float64 { return percentile(l.lags, q) }

var lagRuns atomic.Int64

// runLag creates Environments at rate per second for d, spread over the
// instances in turn, then waits up to grace for their events at s. The
// first tenth of the run warms up and is not counted.
func runLag(ctx context.Context, insts []*instance, s *lagSink, rate float64, d, grace time.Duration) lagRun {
	n := max(int(rate*d.Seconds()), 1)
	p := &lagProbe{prefix: fmt.Sprintf("lag%d", lagRuns.Add(1)), sent: make([]atomic.Int64, n), acked: make([]atomic.Int64, n), arrived: make([]atomic.Int64, n)}
	s.cur.Store(p)
	defer s.cur.Store(nil)
	var failed atomic.Int64
	workers := min(max(int(rate/20), 8), 128)
	start := time.Now()
	paced(ctx, rate, d, workers, func(ctx context.Context, i int) {
		in := insts[i%len(insts)]
		p.sent[i].Store(time.Now().UnixNano())
		code, _, err := in.call(ctx, http.MethodPost, mgmt+"/environments", environmentBody(fmt.Sprintf("%s-%d", p.prefix, i)))
		if err != nil || code != http.StatusCreated {
			failed.Add(1)
			return
		}
		p.acked[i].Store(time.Now().UnixNano())
	})
	elapsed := time.Since(start)
	out := lagRun{offered: rate, failed: int(failed.Load())}
	// Wait for every acknowledged event, within the grace period.
	deadline := time.Now().Add(grace)
	for pending := true; pending && time.Now().Before(deadline) && ctx.Err() == nil; {
		pending = false
		for i := range p.acked {
			if p.acked[i].Load() != 0 && p.arrived[i].Load() == 0 {
				pending = true
				sleep(ctx, 10*time.Millisecond)
				break
			}
		}
	}
	acked := 0
	for i := range p.acked {
		ack := p.acked[i].Load()
		if ack == 0 {
			continue
		}
		acked++
		if i < n/10 {
			continue
		}
		arr := p.arrived[i].Load()
		switch {
		case arr == 0:
			out.missing++
			out.lags = append(out.lags, math.MaxInt64)
			out.fromSend = append(out.fromSend, math.MaxInt64)
			continue
		case arr <= ack:
			out.early++
			out.lags = append(out.lags, 0)
		default:
			out.lags = append(out.lags, time.Duration(arr-ack))
		}
		out.fromSend = append(out.fromSend, time.Duration(arr-p.sent[i].Load()))
	}
	out.achieved = perSecond(int64(acked), elapsed)
	return out
}
