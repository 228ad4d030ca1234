package metrics

import (
	"bufio"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// family is one metric with its samples, as the text format lists it.
type family struct {
	name, help string
	kind       string // counter, gauge, histogram or summary
	samples    []sample
}

type sample struct {
	suffix string // "", "_bucket", "_sum" or "_count"
	labels []label
	value  float64
}

type label struct{ name, value string }

// writeText writes families in the Prometheus text exposition format,
// version 0.0.4, leaving out those without samples.
func writeText(w io.Writer, fams []family) error {
	bw := bufio.NewWriter(w)
	for _, f := range fams {
		if len(f.samples) == 0 {
			continue
		}
		bw.WriteString("# HELP " + f.name + " " + escapeHelp(f.help) + "\n")
		bw.WriteString("# TYPE " + f.name + " " + f.kind + "\n")
		for _, s := range f.samples {
			bw.WriteString(f.name + s.suffix)
			for i, l := range s.labels {
				if i == 0 {
					bw.WriteByte('{')
				} else {
					bw.WriteByte(',')
				}
				bw.WriteString(l.name + `="` + escapeLabel(l.value) + `"`)
			}
			if len(s.labels) > 0 {
				bw.WriteByte('}')
			}
			bw.WriteString(" " + formatFloat(s.value) + "\n")
		}
	}
	return bw.Flush()
}

// escapeHelp escapes backslashes and newlines, as HELP text needs.
func escapeHelp(s string) string { return escape(s, false) }

// escapeLabel escapes a label value: backslashes, newlines and quotes.
func escapeLabel(s string) string { return escape(s, true) }

func escape(s string, quotes bool) string {
	if !strings.ContainsAny(s, "\\\n\"") {
		return s
	}
	var b strings.Builder
	for i := range len(s) { // bytes: the escaped characters are ASCII
		switch c := s[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '"' && quotes:
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// vec holds the series of one labelled metric; T is what a series counts.
type vec[T any] struct {
	name, help string
	labels     []string
	order      []int // label indexes in name order, as they are written
	mu         sync.RWMutex
	series     map[string]*series[T]
}

type series[T any] struct {
	values []string // label values, in the order of vec.labels
	data   T
}

func newVec[T any](name, help string, labels ...string) *vec[T] {
	order := make([]int, len(labels))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(labels[a], labels[b]) })
	return &vec[T]{name: name, help: help, labels: labels, order: order, series: map[string]*series[T]{}}
}

// with returns the series of the label values, given in the order of the
// labels, creating it with init the first time.
func (v *vec[T]) with(init func(*T), values ...string) *T {
	key := strings.Join(values, "\xff")
	v.mu.RLock()
	s := v.series[key]
	v.mu.RUnlock()
	if s != nil {
		return &s.data
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if s = v.series[key]; s == nil {
		s = &series[T]{values: slices.Clone(values)}
		if init != nil {
			init(&s.data)
		}
		v.series[key] = s
	}
	return &s.data
}

// each calls fn for every series, ordered by label values in label name
// order, with the labels as they are written.
func (v *vec[T]) each(fn func(labels []label, data *T)) {
	v.mu.RLock()
	all := make([]*series[T], 0, len(v.series))
	for _, s := range v.series {
		all = append(all, s)
	}
	v.mu.RUnlock()
	slices.SortFunc(all, func(a, b *series[T]) int {
		for _, i := range v.order {
			if c := strings.Compare(a.values[i], b.values[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	for _, s := range all {
		labels := make([]label, len(v.order))
		for j, i := range v.order {
			labels[j] = label{v.labels[i], s.values[i]}
		}
		fn(labels, &s.data)
	}
}

// counterVec counts events by label values.
type counterVec struct{ *vec[atomic.Uint64] }

func newCounterVec(name, help string, labels ...string) counterVec {
	return counterVec{newVec[atomic.Uint64](name, help, labels...)}
}

func (c counterVec) inc(values ...string) { c.with(nil, values...).Add(1) }

func (c counterVec) family() family {
	f := family{name: c.name, help: c.help, kind: "counter"}
	c.each(func(labels []label, n *atomic.Uint64) {
		f.samples = append(f.samples, sample{labels: labels, value: float64(n.Load())})
	})
	return f
}

// histogramVec counts observations into cumulative buckets by label values.
type histogramVec struct {
	*vec[histogram]
	bounds []float64 // upper bounds, ascending, without +Inf
}

type histogram struct {
	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  uint64
}

func newHistogramVec(name, help string, bounds []float64, labels ...string) histogramVec {
	return histogramVec{newVec[histogram](name, help, labels...), bounds}
}

func (h histogramVec) observe(v float64, values ...string) {
	s := h.with(func(s *histogram) { s.counts = make([]uint64, len(h.bounds)+1) }, values...)
	i, _ := slices.BinarySearch(h.bounds, v) // the first bound >= v: buckets are "le"
	s.mu.Lock()
	s.counts[i]++
	s.sum += v
	s.count++
	s.mu.Unlock()
}

func (h histogramVec) family() family {
	f := family{name: h.name, help: h.help, kind: "histogram"}
	h.each(func(labels []label, s *histogram) {
		s.mu.Lock()
		counts, sum, count := slices.Clone(s.counts), s.sum, s.count
		s.mu.Unlock()
		var cumulative uint64
		for i, n := range counts {
			cumulative += n
			le := math.Inf(1)
			if i < len(h.bounds) {
				le = h.bounds[i]
			}
			withLe := append(slices.Clip(labels), label{"le", formatFloat(le)})
			f.samples = append(f.samples, sample{suffix: "_bucket", labels: withLe, value: float64(cumulative)})
		}
		f.samples = append(f.samples,
			sample{suffix: "_sum", labels: labels, value: sum},
			sample{suffix: "_count", labels: labels, value: float64(count)})
	})
	return f
}

// exponentialBounds returns count bucket bounds, the first start and each
// next factor times the one before.
func exponentialBounds(start, factor float64, count int) []float64 {
	b := make([]float64, count)
	for i := range b {
		b[i] = start
		start *= factor
	}
	return b
}

func gauge(name, help string, v float64, labels ...label) family {
	return family{name: name, help: help, kind: "gauge", samples: []sample{{labels: labels, value: v}}}
}

func counter(name, help string, v float64) family {
	return family{name: name, help: help, kind: "counter", samples: []sample{{value: v}}}
}
