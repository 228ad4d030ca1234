package printers

import (
	"testing"
	"time"
)

// ageNow is the fixed clock of the Age tests. The 15th in a 30-day month
// makes the calendar-month cases easy to check by hand.
var ageNow = time.Date(2025, time.June, 15, 12, 0, 0, 0, time.UTC)

// ageCases sit on both sides of every threshold of dayjs relativeTime,
// including the x.5 ties, which Math.round rounds up. The expected strings
// were checked against dayjs 1.x: dayjs(t).from(now) with TZ=UTC.
var ageCases = []struct {
	name string
	t    time.Time
	want string
}{
	{"same instant", ageNow, "a few seconds ago"},
	{"44s", ago(44 * time.Second), "a few seconds ago"},
	{"44.49s", ago(44490 * time.Millisecond), "a few seconds ago"},
	{"44.5s rounds to 45", ago(44500 * time.Millisecond), "a minute ago"},
	{"89s", ago(89 * time.Second), "a minute ago"},
	{"89.5s is 1.49 minutes", ago(89500 * time.Millisecond), "a minute ago"},
	{"90s is 1.5 minutes", ago(90 * time.Second), "2 minutes ago"},
	{"44m", ago(44 * time.Minute), "44 minutes ago"},
	{"44m29s", ago(44*time.Minute + 29*time.Second), "44 minutes ago"},
	{"44m30s rounds to 45", ago(44*time.Minute + 30*time.Second), "an hour ago"},
	{"89m29s", ago(89*time.Minute + 29*time.Second), "an hour ago"},
	{"89m30s is 1.49 hours", ago(89*time.Minute + 30*time.Second), "an hour ago"},
	{"90m is 1.5 hours", ago(90 * time.Minute), "2 hours ago"},
	{"3h", ago(3 * time.Hour), "3 hours ago"},
	{"21h29m", ago(21*time.Hour + 29*time.Minute), "21 hours ago"},
	{"21h30m rounds to 22", ago(21*time.Hour + 30*time.Minute), "a day ago"},
	{"35h29m", ago(35*time.Hour + 29*time.Minute), "a day ago"},
	{"35h30m is 1.48 days", ago(35*time.Hour + 30*time.Minute), "a day ago"},
	{"36h is 1.5 days", ago(36 * time.Hour), "2 days ago"},
	{"25d11h", ago(25*24*time.Hour + 11*time.Hour), "25 days ago"},
	{"25d12h rounds to 26", ago(25*24*time.Hour + 12*time.Hour), "a month ago"},
	{"45d11h", ago(45*24*time.Hour + 11*time.Hour), "a month ago"},
	{"45d12h is 1.45 months", ago(45*24*time.Hour + 12*time.Hour), "a month ago"},
	{"46d is 1.52 months", ago(46 * 24 * time.Hour), "2 months ago"},
	{"earlier day of month", time.Date(2025, time.March, 10, 12, 0, 0, 0, time.UTC), "3 months ago"},
	{"10 months", ageNow.AddDate(0, -10, 0), "10 months ago"},
	{"10.47 months", time.Date(2024, time.August, 1, 12, 0, 0, 0, time.UTC), "10 months ago"},
	{"10.5 months, clamped anchor", time.Date(2024, time.July, 31, 12, 0, 0, 0, time.UTC), "a year ago"},
	{"11 months", ageNow.AddDate(0, -11, 0), "a year ago"},
	{"17 months", ageNow.AddDate(0, -17, 0), "a year ago"},
	{"17.5 months is 1.46 years", time.Date(2023, time.December, 31, 12, 0, 0, 0, time.UTC), "a year ago"},
	{"18 months is 1.5 years", ageNow.AddDate(0, -18, 0), "2 years ago"},
	{"5 years", ageNow.AddDate(-5, 0, 0), "5 years ago"},
	{"future seconds", ageNow.Add(10 * time.Second), "in a few seconds"},
	{"future hours", ageNow.Add(3 * time.Hour), "in 3 hours"},
	{"other zone, same instant", ageNow.In(time.FixedZone("", -7*3600)), "a few seconds ago"},
}

func ago(d time.Duration) time.Time { return ageNow.Add(-d) }

func TestAge(t *testing.T) {
	for _, tc := range ageCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Age(tc.t, ageNow); got != tc.want {
				t.Errorf("Age(%s, %s) = %q, want %q", tc.t.Format(time.RFC3339Nano), ageNow.Format(time.RFC3339), got, tc.want)
			}
		})
	}
}

// TestAddMonthsClamps pins the dayjs behaviour that monthDiff depends on.
func TestAddMonthsClamps(t *testing.T) {
	jan31 := time.Date(2025, time.January, 31, 8, 0, 0, 0, time.UTC)
	for n, want := range map[int]string{1: "2025-02-28", 13: "2026-02-28", -2: "2024-11-30", 0: "2025-01-31"} {
		if got := addMonths(jan31, n).Format(time.DateOnly); got != want {
			t.Errorf("addMonths(Jan 31, %d) = %s, want %s", n, got, want)
		}
	}
}
