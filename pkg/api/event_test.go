package api

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Event ids are UUIDs of version 7: the event's time in milliseconds, then
// random bits, so that ids made later sort after.
func TestNewEventID(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	at := time.Date(2024, 5, 8, 12, 0, 0, 123e6, time.UTC)
	prev := ""
	seen := map[string]bool{}
	for i := range 1000 {
		id := NewEventID(at.Add(time.Duration(i) * time.Millisecond))
		if !shape.MatchString(id) {
			t.Fatalf("%s is not a version 7 UUID", id)
		}
		ms, err := strconv.ParseInt(strings.ReplaceAll(id[:13], "-", ""), 16, 64)
		if err != nil || ms != at.UnixMilli()+int64(i) {
			t.Fatalf("%s carries %d ms, want %d", id, ms, at.UnixMilli()+int64(i))
		}
		if id <= prev || seen[id] {
			t.Fatalf("%s does not sort after %s", id, prev)
		}
		prev, seen[id] = id, true
	}
	if a, b := NewEventID(at), NewEventID(at); a == b {
		t.Errorf("two ids of the same millisecond are the same: %s", a)
	}
}
