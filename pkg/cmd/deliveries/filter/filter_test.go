package filter

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/cmd/clierr"
)

var now = time.Date(2024, 5, 8, 12, 0, 0, 0, time.UTC)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"1h", now.Add(-time.Hour)},
		{"90s", now.Add(-90 * time.Second)},
		{"7d", now.AddDate(0, 0, -7)},
		{"0d", now},
		{"2024-05-01T10:00:00.000+0200", time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)},
		{"2024-05-01T10:00:00Z", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, now)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "-1h", "-2d", "1.5d", "d", "yesterday", "2024-05-01"} {
		if _, err := ParseTime(bad, now); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
}

func TestValuesSendsTheWireFormat(t *testing.T) {
	f := Filter{Scope: "Environment/prod", Since: "30m", EventID: "0192f3a1-7c2e-7d4b-9f00-5e6a7b8c9d0e"}
	if !f.Any() || !(&Filter{EventID: "x"}).Any() {
		t.Error("Any() = false with --event-id")
	}
	q, err := f.Values(now)
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Encode(); got != "eventId=0192f3a1-7c2e-7d4b-9f00-5e6a7b8c9d0e&scope=Environment%2Fprod&since=2024-05-08T11%3A30%3A00.000%2B0000" {
		t.Errorf("query = %s", got)
	}
}

func TestValuesFlagErrors(t *testing.T) {
	for _, f := range []Filter{{Webhook: "jira"}, {Scope: "prod"}, {Scope: "Integration/"}, {Status: "FAILED"}, {Since: "soon"}, {EventType: "resourcecreated"}} {
		_, err := f.Values(now)
		var fe *clierr.FlagError
		if !errors.As(err, &fe) {
			t.Errorf("%+v: err = %v, want a FlagError", f, err)
		}
	}
}

// --event-id "" (an unset shell variable) is refused, not dropped: dropped,
// it would turn "purge --event-id $ID" into a purge of every delivery.
func TestEmptyEventIDIsRefused(t *testing.T) {
	var f Filter
	fl := pflag.NewFlagSet("t", pflag.ContinueOnError)
	f.AddFlags(fl, "status")
	if err := fl.Parse([]string{"--event-id", ""}); err != nil {
		t.Fatal(err)
	}
	if !f.Any() {
		t.Error("Any() = false after --event-id \"\"")
	}
	_, err := f.Values(now)
	var fe *clierr.FlagError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "--event-id is empty") {
		t.Errorf("err = %v, want a FlagError naming --event-id", err)
	}
}

func TestValuesEventType(t *testing.T) {
	for _, typ := range EventTypes {
		q, err := (&Filter{EventType: typ}).Values(now)
		if err != nil || q.Get("eventType") != typ {
			t.Errorf("--event-type %s: %v, %v", typ, q, err)
		}
	}
	_, err := (&Filter{EventType: "resourcecreated"}).Values(now)
	want := `invalid --event-type "resourcecreated"; allowed: ResourceCreated | ResourceUpdated | ResourceDeleted | SubResourceUpdated | SubscriptionUpdatedEvent`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestCount(t *testing.T) {
	for _, tt := range []struct {
		n    int
		adj  string
		want string
	}{{0, "", "0 deliveries"}, {1, "", "1 delivery"}, {1, "failed", "1 failed delivery"}, {12, "succeeded", "12 succeeded deliveries"}} {
		if got := Count(tt.n, tt.adj); got != tt.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tt.n, tt.adj, got, tt.want)
		}
	}
}

func TestNothingDone(t *testing.T) {
	until := api.NewTime(now)
	got := NothingDone(api.CountResult{Count: 0, DryRun: true, Until: &until, Disabled: 1, Deleted: 2})
	if got != (api.CountResult{Disabled: 1, Deleted: 2}) {
		t.Errorf("NothingDone = %+v", got)
	}
}
