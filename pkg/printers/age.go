package printers

import (
	"fmt"
	"math"
	"time"
)

// Age renders the distance between t and now the way dayjs(t).fromNow()
// does with the relativeTime plugin's default thresholds, which is what the
// AGE column of the Amplify CLI shows: "a few seconds ago", "3 hours ago",
// "a month ago". Each unit is the absolute difference rounded half away from
// zero (Math.round on a non-negative number); months and years are calendar
// differences computed like moment.js. A t after now reads "in 3 hours", as
// dayjs prints it, which shows up when the server's clock runs ahead.
//
// Calendar arithmetic happens in now's location, standing in for the
// JavaScript process's local time zone.
func Age(t, now time.Time) string {
	t = t.In(now.Location())
	if t.After(now) {
		return "in " + relativeTime(t, now)
	}
	return relativeTime(t, now) + " ago"
}

// relativeTime walks the relativeTime plugin's threshold table. When a unit
// rounds to 1 or less, the phrase of the step before it is used, as dayjs
// does ("1 minutes" never appears; it becomes "a minute").
func relativeTime(t, now time.Time) string {
	diff := t.Sub(now).Seconds()
	secs := math.Round(math.Abs(diff))
	switch {
	case secs <= 44:
		return "a few seconds"
	case secs <= 89:
		return "a minute"
	}
	mins := math.Round(math.Abs(diff / 60))
	switch {
	case mins <= 1:
		return "a minute"
	case mins <= 44:
		return fmt.Sprintf("%d minutes", int64(mins))
	case mins <= 89:
		return "an hour"
	}
	hours := math.Round(math.Abs(diff / 3600))
	switch {
	case hours <= 1:
		return "an hour"
	case hours <= 21:
		return fmt.Sprintf("%d hours", int64(hours))
	case hours <= 35:
		return "a day"
	}
	// dayjs counts days on the local wall clock, so a DST change in between
	// does not leave a day short by an hour.
	_, offT := t.Zone()
	_, offNow := now.Zone()
	days := math.Round(math.Abs((diff - float64(offNow-offT)) / 86400))
	switch {
	case days <= 1:
		return "a day"
	case days <= 25:
		return fmt.Sprintf("%d days", int64(days))
	case days <= 45:
		return "a month"
	}
	monthsDiff := monthDiff(t, now)
	months := math.Round(math.Abs(monthsDiff))
	switch {
	case months <= 1:
		return "a month"
	case months <= 10:
		return fmt.Sprintf("%d months", int64(months))
	case months <= 17:
		return "a year"
	}
	years := math.Round(math.Abs(monthsDiff / 12))
	if years <= 1 {
		return "a year"
	}
	return fmt.Sprintf("%d years", int64(years))
}

// monthDiff returns a - b in months, with a fraction: the port of the
// moment.js function that dayjs uses for diff(..., "month", true).
func monthDiff(a, b time.Time) float64 {
	if a.Day() < b.Day() {
		return -monthDiff(b, a)
	}
	whole := (b.Year()-a.Year())*12 + int(b.Month()-a.Month())
	anchor := addMonths(a, whole)
	var frac float64
	if b.Before(anchor) {
		prev := addMonths(a, whole-1)
		frac = float64(b.Sub(anchor)) / float64(anchor.Sub(prev))
	} else {
		next := addMonths(a, whole+1)
		frac = float64(b.Sub(anchor)) / float64(next.Sub(anchor))
	}
	r := -(float64(whole) + frac)
	if r == 0 || math.IsNaN(r) { // JavaScript's "|| 0" turns -0 and NaN into 0
		return 0
	}
	return r
}

// addMonths adds n calendar months the way dayjs does: the day of the month
// is clamped to the target month's length (Jan 31 + 1 month = Feb 28), where
// time.AddDate would overflow into March.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	first := time.Date(y, m+time.Month(n), 1, hh, mm, ss, t.Nanosecond(), t.Location())
	last := time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, t.Location()).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), hh, mm, ss, t.Nanosecond(), t.Location())
}
