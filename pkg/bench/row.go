package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Row is one figure of the report: what was measured, its value, the
// reference it is compared with (measured in the same run) and the target.
type Row struct {
	// Scenario is the scenario that produced the row (see Scenarios).
	Scenario string `json:"scenario"`
	// Figure says what was measured, e.g. "deliveries/s, 1 webhook".
	Figure string `json:"figure"`
	// Value is the measurement in Unit; NaN when the row could not be
	// measured (then Skipped says why).
	Value float64 `json:"value"`
	// Unit is "/s", "ms", "MB", "statements" or "×".
	Unit string `json:"unit"`
	// Reference names what Value is compared with ("raw", "no hooks", …)
	// and ReferenceValue is its measurement in the same run.
	Reference      string  `json:"reference,omitempty"`
	ReferenceValue float64 `json:"referenceValue,omitempty"`
	// Ratio is Value / ReferenceValue, when there is a reference.
	Ratio float64 `json:"ratio,omitempty"`
	// Target is the target for this figure, when it has one.
	Target *Target `json:"target,omitempty"`
	// Met says whether the target was met (nil without a target or a value).
	Met *bool `json:"met,omitempty"`
	// Note says how the figure was measured, or what limited it.
	Note string `json:"note,omitempty"`
	// Skipped says why the row has no value.
	Skipped string `json:"skipped,omitempty"`
}

// Target is a bound on a row's value or on its ratio to the reference.
type Target struct {
	// On is "value" or "ratio".
	On string `json:"on"`
	// Op is ">=", "<=" or "<".
	Op    string  `json:"op"`
	Bound float64 `json:"bound"`
}

// String renders a target the way the issue states it: "≥ 0.5× raw",
// "≤ 25 ms".
func (t Target) String() string {
	op := map[string]string{">=": "≥", "<=": "≤", "<": "<"}[t.Op]
	if t.On == "ratio" {
		return fmt.Sprintf("%s %s×", op, trimFloat(t.Bound))
	}
	return fmt.Sprintf("%s %s", op, trimFloat(t.Bound))
}

func (t Target) holds(v float64) bool {
	switch t.Op {
	case ">=":
		return v >= t.Bound
	case "<=":
		return v <= t.Bound
	case "<":
		return v < t.Bound
	}
	return false
}

// atLeast and atMost build targets on the value; ratioAtLeast and
// ratioAtMost on the ratio to the reference.
func atLeast(b float64) *Target      { return &Target{On: "value", Op: ">=", Bound: b} }
func atMost(b float64) *Target       { return &Target{On: "value", Op: "<=", Bound: b} }
func ratioAtLeast(b float64) *Target { return &Target{On: "ratio", Op: ">=", Bound: b} }
func ratioAtMost(b float64) *Target  { return &Target{On: "ratio", Op: "<=", Bound: b} }

// compare sets the reference, the ratio and whether the target was met.
func (r Row) compare(reference string, refValue float64) Row {
	r.Reference, r.ReferenceValue = reference, refValue
	if refValue > 0 && !math.IsNaN(r.Value) && !math.IsInf(r.Value, 0) {
		r.Ratio = r.Value / refValue
	}
	return r.judge()
}

// judge sets Met from the target, the value and the ratio.
func (r Row) judge() Row {
	r.Met = nil
	if r.Target == nil || r.Skipped != "" || math.IsNaN(r.Value) {
		return r
	}
	v := r.Value
	if r.Target.On == "ratio" {
		if r.ReferenceValue <= 0 {
			return r
		}
		v = r.Ratio
	}
	met := r.Target.holds(v)
	r.Met = &met
	return r
}

// skipped is a row that could not be measured.
func skipped(scenario, figure, unit, why string, target *Target) Row {
	return Row{Scenario: scenario, Figure: figure, Value: math.NaN(), Unit: unit, Target: target, Skipped: why}
}

// Cells renders the row for the table: scenario, figure, value, reference,
// ratio, target, result and note.
func (r Row) Cells() []string {
	value := "n/a"
	if r.Skipped == "" {
		value = formatValue(r.Value, r.Unit)
	}
	ref, ratio := "", ""
	if r.Reference != "" {
		ref = r.Reference
		if r.ReferenceValue > 0 {
			ref += " " + formatValue(r.ReferenceValue, r.Unit)
		}
		if r.Ratio > 0 {
			ratio = strconv.FormatFloat(r.Ratio, 'f', 2, 64) + "×"
		}
	}
	target, result := "", ""
	if r.Target != nil {
		target = r.Target.String()
		if r.Target.On == "value" {
			target += unitSuffix(r.Unit)
		} else if r.Reference != "" {
			target += " " + r.Reference
		}
		result = "n/a"
		if r.Met != nil {
			result = map[bool]string{true: "met", false: "missed"}[*r.Met]
		}
	}
	note := r.Note
	if r.Skipped != "" {
		note = r.Skipped
	}
	return []string{r.Scenario, r.Figure, value, ref, ratio, target, result, note}
}

// Header is the table's header line, matching Cells.
var Header = []string{"SCENARIO", "FIGURE", "VALUE", "REFERENCE", "RATIO", "TARGET", "RESULT", "NOTE"}

func formatValue(v float64, unit string) string {
	switch {
	case math.IsInf(v, 1):
		return "∞"
	case math.IsNaN(v):
		return "n/a"
	}
	var s string
	switch {
	case v >= 100:
		s = groupThousands(int64(math.Round(v)))
	case v >= 10:
		s = strconv.FormatFloat(v, 'f', 1, 64)
	default:
		s = strconv.FormatFloat(v, 'f', 2, 64)
	}
	return s + unitSuffix(unit)
}

func unitSuffix(unit string) string {
	switch unit {
	case "/s", "×":
		return unit
	case "":
		return ""
	}
	return " " + unit
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func trimFloat(f float64) string {
	if f >= 1000 {
		return groupThousands(int64(f))
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// MarshalJSON writes a value that is not a number (a skipped row, a lag
// that never ended) as null, which encoding/json cannot do for NaN and ∞.
func (r Row) MarshalJSON() ([]byte, error) {
	type plain Row
	out := struct {
		plain
		Value *float64 `json:"value"`
	}{plain: plain(r)}
	if !math.IsNaN(r.Value) && !math.IsInf(r.Value, 0) {
		out.Value = &r.Value
	}
	return json.Marshal(out)
}
