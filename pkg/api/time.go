package api

import (
	"bytes"
	"fmt"
	"time"
)

// TimeFormat is the layout of every timestamp on the wire, as the Amplify API
// Server writes it: milliseconds and a numeric zone without a colon.
const TimeFormat = "2006-01-02T15:04:05.000-0700"

// Time is a time.Time that encodes in TimeFormat. It decodes TimeFormat and
// RFC 3339 (with or without fractions, with "Z" or "-07:00").
type Time struct{ time.Time }

// NewTime wraps t, keeping millisecond precision like the wire does.
func NewTime(t time.Time) Time { return Time{t.Truncate(time.Millisecond)} }

// MarshalJSON writes the time in TimeFormat, or null when zero.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, len(TimeFormat)+2)
	b = append(b, '"')
	b = t.Time.AppendFormat(b, TimeFormat)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts TimeFormat, RFC 3339 and null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = Time{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("time must be a string like %q", TimeFormat)
	}
	v, err := ParseTime(string(b[1 : len(b)-1]))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// ParseTime parses a wire timestamp in any accepted layout.
func ParseTime(s string) (Time, error) {
	for _, layout := range []string{TimeFormat, "2006-01-02T15:04:05.000Z0700", time.RFC3339Nano, "2006-01-02T15:04:05-0700"} {
		if v, err := time.Parse(layout, s); err == nil {
			return Time{v}, nil
		}
	}
	return Time{}, fmt.Errorf("invalid time %q: use the form %s", s, TimeFormat)
}

// String formats the time in TimeFormat.
func (t Time) String() string { return t.Time.Format(TimeFormat) }
