package bench

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// percentile returns the q-quantile (0..1) of ds by nearest rank; ds is
// sorted in place. A missing sample is math.MaxInt64 and makes a high
// quantile infinite rather than flattering.
func percentile(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return nan
	}
	slices.Sort(ds)
	i := int(math.Ceil(q*float64(len(ds)))) - 1
	i = min(max(i, 0), len(ds)-1)
	if ds[i] == math.MaxInt64 {
		return math.Inf(1)
	}
	return float64(ds[i]) / float64(time.Millisecond)
}

// rssMB reads this process's resident set (VmRSS) in MB from
// /proc/self/status; NaN where there is no /proc.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nan
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte("VmRSS:")) {
			continue
		}
		f := bytes.Fields(line[len("VmRSS:"):])
		if len(f) > 0 {
			kb, err := strconv.ParseFloat(string(f[0]), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return nan
}

// rssPeak samples the resident set every 50 ms until stop is called, which
// returns the highest sample.
func rssPeak() (stop func() float64) {
	var peak atomic.Uint64
	record := func() {
		v := math.Float64bits(rssMB())
		for {
			old := peak.Load()
			if math.Float64frombits(v) <= math.Float64frombits(old) || peak.CompareAndSwap(old, v) {
				return
			}
		}
	}
	record()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				record()
			}
		}
	}()
	return func() float64 {
		close(done)
		<-finished
		record()
		return math.Float64frombits(peak.Load())
	}
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return nan
	}
	return float64(n) / d.Seconds()
}
