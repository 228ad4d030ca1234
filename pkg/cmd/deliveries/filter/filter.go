// Package filter holds the flags that select deliveries (--webhook, -s,
// --status, --event-type, --event-id, --since, --until), shared by
// "deliveries list", "retry" and "purge", and turns them into the
// /deliveries query string.
package filter

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/hooks/webhookref"
)

// Statuses are the values --status takes, in the order help lists them.
var Statuses = []string{string(api.DeliveryPending), string(api.DeliverySucceeded), string(api.DeliveryFailed)}

// EventTypes are the values --event-type takes: every event a delivery can
// carry. The server would answer a misspelt one with an empty list, so it
// is refused here instead.
var EventTypes = []string{string(api.ResourceCreated), string(api.ResourceUpdated), string(api.ResourceDeleted),
	string(api.SubResourceUpdated), string(api.SubscriptionUpdatedEvent)}

// Filter is the value of the selection flags.
type Filter struct {
	Webhook   string
	Scope     string
	Status    string
	EventType string
	// EventID is an event's id: what its receivers got as webhook-id.
	EventID string
	// eventIDSet records --event-id given, even empty: an unset shell
	// variable must not widen a retry or purge to every delivery.
	eventIDSet bool
	// Since and Until are a duration back from now ("1h", "7d") or a
	// timestamp ("2024-05-01T10:00:00.000+0000", RFC 3339 works too).
	Since, Until string
}

// AddFlags registers the flags on fl; statusHelp describes --status for the
// command at hand (which values it takes there).
func (f *Filter) AddFlags(fl *pflag.FlagSet, statusHelp string) {
	fl.StringVar(&f.Webhook, "webhook", "", "only deliveries to this webhook (needs -s/--scope)")
	fl.StringVarP(&f.Scope, "scope", "s", "", "only deliveries to webhooks in this scope: KIND/NAME, e.g. Integration/monitor")
	fl.StringVar(&f.Status, "status", "", statusHelp)
	fl.StringVar(&f.EventType, "event-type", "", "only deliveries of this event type: "+strings.Join(EventTypes, " | "))
	fl.Var(&setString{&f.EventID, &f.eventIDSet}, "event-id", "only deliveries of this event: its id, which its receivers got as webhook-id")
	fl.StringVar(&f.Since, "since", "", `only deliveries created at or after this time: a duration back from now ("30m", "1h", "7d") or a timestamp`)
	fl.StringVar(&f.Until, "until", "", `only deliveries created before this time: a duration back from now ("7d") or a timestamp`)
}

// Any reports whether any selection flag was given.
func (f *Filter) Any() bool {
	return f.Webhook != "" || f.Scope != "" || f.Status != "" || f.EventType != "" || f.EventID != "" || f.eventIDSet || f.Since != "" || f.Until != ""
}

// Values checks the flags and returns the query parameters of
// GET/DELETE /deliveries and POST /deliveries/retry. Relative times are
// measured back from now. Every mistake is a *clierr.FlagError.
func (f *Filter) Values(now time.Time) (url.Values, error) {
	q := url.Values{}
	if f.Webhook != "" && f.Scope == "" {
		return nil, clierr.Flagf(fmt.Sprintf("--webhook needs the webhook's scope: --webhook %s -s KIND/NAME, e.g. -s Integration/monitor", f.Webhook))
	}
	if f.Scope != "" {
		sc, err := webhookref.ParseScope(f.Scope)
		if err != nil {
			return nil, err
		}
		q.Set("scope", sc.Kind+"/"+sc.Name)
	}
	if f.Webhook != "" {
		q.Set("webhook", f.Webhook)
	}
	if f.Status != "" {
		if !slices.Contains(Statuses, f.Status) {
			return nil, clierr.Flagf(fmt.Sprintf("invalid --status %q; allowed: %s", f.Status, strings.Join(Statuses, " | ")))
		}
		q.Set("status", f.Status)
	}
	if f.EventType != "" {
		if !slices.Contains(EventTypes, f.EventType) {
			return nil, clierr.Flagf(fmt.Sprintf("invalid --event-type %q; allowed: %s", f.EventType, strings.Join(EventTypes, " | ")))
		}
		q.Set("eventType", f.EventType)
	}
	if f.eventIDSet && f.EventID == "" {
		return nil, clierr.Flagf("--event-id is empty: give an event's id (what its receivers got as webhook-id); left empty it would select every delivery")
	}
	if f.EventID != "" {
		q.Set("eventId", f.EventID)
	}
	for _, t := range []struct{ flag, value, param string }{{"since", f.Since, "since"}, {"until", f.Until, "until"}} {
		if t.value == "" {
			continue
		}
		ts, err := ParseTime(t.value, now)
		if err != nil {
			return nil, clierr.Flagf(fmt.Sprintf("invalid --%s: %v", t.flag, err))
		}
		q.Set(t.param, api.NewTime(ts).String())
	}
	return q, nil
}

// setString is a string flag that records that it was given.
type setString struct {
	v   *string
	set *bool
}

func (s *setString) String() string { return *s.v }
func (s *setString) Type() string   { return "string" }
func (s *setString) Set(v string) error {
	*s.v, *s.set = v, true
	return nil
}

// ParseTime reads a --since/--until value: a duration back from now, in Go
// syntax plus whole days ("90s", "1h30m", "7d"), or a timestamp in the wire
// format or RFC 3339.
func ParseTime(s string, now time.Time) (time.Time, error) {
	if d, ok := parseDuration(s); ok {
		return now.Add(-d), nil
	}
	if ts, err := api.ParseTime(s); err == nil {
		return ts.Time, nil
	}
	return time.Time{}, fmt.Errorf(`%q is neither a duration ("30m", "1h", "7d") nor a timestamp (%s)`, s, api.TimeFormat)
}

// parseDuration accepts Go durations and a whole number of days, "7d",
// which Go's syntax lacks and is what people type to clean up old records.
// Negative durations would point into the future and are refused.
func parseDuration(s string) (time.Duration, bool) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, false
		}
		return time.Duration(n) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, false
	}
	return d, true
}

// Count says how many deliveries: "1 delivery", "3 failed deliveries".
// The adjective may be empty.
func Count(n int, adjective string) string {
	noun := "deliveries"
	if n == 1 {
		noun = "delivery"
	}
	if adjective != "" {
		noun = adjective + " " + noun
	}
	return fmt.Sprintf("%d %s", n, noun)
}

// Bulk sends a bulk operation on the deliveries a filter selects (POST
// /deliveries/retry, DELETE /deliveries), or with dryRun only asks how many
// it would touch. After a dry run, q bounds creation times as the count
// did, so that acting on a confirmed count leaves out deliveries created
// since (api.CountResult.Until).
func Bulk(ctx context.Context, c *client.Client, method, path string, q url.Values, dryRun bool) (api.CountResult, error) {
	ask := q
	if dryRun {
		ask = maps.Clone(q)
		ask.Set("dryRun", "true")
	}
	var res api.CountResult
	if _, err := c.Do(ctx, method, path, ask, nil, &res); err != nil {
		return res, err
	}
	if dryRun && res.Until != nil {
		q.Set("until", res.Until.String())
	}
	return res, nil
}

// NothingDone is the answer to print for a bulk operation that was not sent
// because the count before its question found nothing to do: no delivery
// touched, and what the count said was left out. It is not a dry run, and
// bounds no later request, so DryRun and Until are cleared.
func NothingDone(counted api.CountResult) api.CountResult {
	counted.DryRun, counted.Until = false, nil
	return counted
}
