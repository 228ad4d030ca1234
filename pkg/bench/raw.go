package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sync"
	"time"
)

// rawCeiling is the reference: a plain Go HTTP client with keep-alive
// POSTing the same 1 KiB bodies to the same kind of receiver, no store.
// Each figure is measured the first time a scenario asks for it.
type rawCeiling struct {
	rates    map[int]float64 // requests/s by concurrency
	p50, p99 float64         // ms per request at 100 requests/s
	latency  bool
	rows     []Row
}

// rawRate is the raw ceiling in requests/s at concurrency conc.
func (r *runner) rawRate(ctx context.Context, conc int) float64 {
	if v, ok := r.raw.rates[conc]; ok {
		return v
	}
	if r.raw.rates == nil {
		r.raw.rates = map[int]float64{}
	}
	fmt.Fprintf(r.cfg.Progress, "… raw: POST 1 KiB at concurrency %d, no store\n", conc)
	rate, body, err := rawThroughput(ctx, conc, r.share(0.2, 200*time.Millisecond))
	row := Row{Scenario: "raw", Figure: fmt.Sprintf("requests/s, concurrency %d", conc), Value: rate, Unit: "/s",
		Note: fmt.Sprintf("plain net/http client, keep-alive, %d-byte bodies, to a 204 receiver", body)}
	if err != nil {
		row = skipped("raw", row.Figure, "/s", err.Error(), nil)
		rate = nan
	}
	r.raw.rates[conc] = rate
	r.raw.rows = append(r.raw.rows, row)
	return rate
}

// rawLatency is the raw round trip, p50 and p99 in ms, at 100 requests/s.
func (r *runner) rawLatency(ctx context.Context) (p50, p99 float64) {
	if r.raw.latency {
		return r.raw.p50, r.raw.p99
	}
	r.raw.latency = true
	fmt.Fprintln(r.cfg.Progress, "… raw: POST 1 KiB at 100 requests/s, no store")
	ds, err := rawPaced(ctx, 100, r.share(0.2, 200*time.Millisecond))
	r.raw.p50, r.raw.p99 = percentile(ds, 0.5), percentile(ds, 0.99)
	for _, q := range []struct {
		name string
		v    float64
	}{{"p50", r.raw.p50}, {"p99", r.raw.p99}} {
		row := Row{Scenario: "raw", Figure: "round trip " + q.name + " at 100 requests/s", Value: q.v, Unit: "ms"}
		if err != nil {
			row = skipped("raw", row.Figure, "ms", err.Error(), nil)
		}
		r.raw.rows = append(r.raw.rows, row)
	}
	return r.raw.p50, r.raw.p99
}

// rawClient posts body to url, reading and closing every response so the
// connection is kept alive.
func rawClient(conc int) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conc, IdleConnTimeout: 30 * time.Second}}
}

func rawPost(ctx context.Context, c *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("the receiver answered %d", resp.StatusCode)
	}
	return nil
}

func rawThroughput(ctx context.Context, conc int, d time.Duration) (float64, int, error) {
	recv, err := newReceiver()
	if err != nil {
		return nan, 0, err
	}
	defer recv.close()
	s := &sink{}
	url := recv.add("/raw", s)
	body := rawBody()
	c := rawClient(conc)
	defer c.CloseIdleConnections()
	ok, failed, elapsed := closedLoop(ctx, conc, d, math.MaxInt64, func(ctx context.Context, _ int64) error {
		return rawPost(ctx, c, url, body)
	})
	if ok == 0 {
		return nan, len(body), fmt.Errorf("no request succeeded (%d failed)", failed)
	}
	return perSecond(ok, elapsed), len(body), nil
}

func rawPaced(ctx context.Context, rate float64, d time.Duration) ([]time.Duration, error) {
	recv, err := newReceiver()
	if err != nil {
		return nil, err
	}
	defer recv.close()
	url := recv.add("/raw", &sink{})
	body := rawBody()
	c := rawClient(8)
	defer c.CloseIdleConnections()
	var mu sync.Mutex
	var ds []time.Duration
	var firstErr error
	paced(ctx, rate, d, 8, func(ctx context.Context, _ int) {
		start := time.Now()
		err := rawPost(ctx, c, url, body)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			firstErr = err
			ds = append(ds, math.MaxInt64)
			return
		}
		ds = append(ds, time.Since(start))
	})
	if len(ds) == 0 && firstErr != nil {
		return nil, firstErr
	}
	return ds, nil
}
