package console

import (
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/centralhq/central/pkg/api"
)

// sinceChoices are the time windows of the filter, newest first.
var sinceChoices = []struct {
	Value string
	Label string
	D     time.Duration
}{
	{"", "Any time", 0},
	{"15m", "Last 15 minutes", 15 * time.Minute},
	{"1h", "Last hour", time.Hour},
	{"24h", "Last 24 hours", 24 * time.Hour},
	{"7d", "Last 7 days", 7 * 24 * time.Hour},
	{"30d", "Last 30 days", 30 * 24 * time.Hour},
}

// deliveryFilter is the delivery log's filter as the console's URLs carry
// it.
type deliveryFilter struct {
	// Webhook is "Kind/scope/name" or empty for all.
	Webhook string
	Status  string
	// Since is one of sinceChoices' values.
	Since string
	// SinceAt is an absolute start (API time format): the confirmation
	// pages fix the window when they count, so the action covers the same
	// one.
	SinceAt string
	// UntilAt bounds creation times from above (API time format): the
	// confirmation pages carry the bound their count was made under
	// (api.CountResult.Until), so the action leaves out deliveries
	// created since.
	UntilAt string
	Page    int
}

func filterFromQuery(q url.Values) (deliveryFilter, error) {
	f := deliveryFilter{Webhook: q.Get("webhook"), Status: q.Get("status"), Since: q.Get("since"), SinceAt: q.Get("sinceAt"), UntilAt: q.Get("untilAt"), Page: 1}
	if f.Webhook != "" {
		if _, ok := parseWebhookKey(f.Webhook); !ok {
			return f, badRequest(fmt.Sprintf("The webhook filter must be Kind/scope/name, e.g. Integration/monitor/jira; got %q.", f.Webhook))
		}
	}
	switch api.DeliveryStatus(f.Status) {
	case "", api.DeliveryPending, api.DeliverySucceeded, api.DeliveryFailed:
	default:
		return f, badRequest(fmt.Sprintf("The status filter must be pending, succeeded or failed; got %q.", f.Status))
	}
	if sinceDuration(f.Since) < 0 {
		return f, badRequest(fmt.Sprintf("The time filter %q is not one the console offers.", f.Since))
	}
	for _, v := range []string{f.SinceAt, f.UntilAt} {
		if v != "" {
			if _, err := api.ParseTime(v); err != nil {
				return f, badRequest(err.Error())
			}
		}
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, badRequest(fmt.Sprintf("The page must be a whole number from 1; got %q.", v))
		}
		f.Page = n
	}
	return f, nil
}

// sinceDuration returns the window of a since value, 0 for none and -1 for
// an unknown one.
func sinceDuration(v string) time.Duration {
	for _, c := range sinceChoices {
		if c.Value == v {
			return c.D
		}
	}
	return -1
}

// sinceTime is the absolute start of the filter's window, or "".
func (f deliveryFilter) sinceTime(now time.Time) string {
	if f.SinceAt != "" {
		return f.SinceAt
	}
	if d := sinceDuration(f.Since); d > 0 {
		return api.NewTime(now.Add(-d)).String()
	}
	return ""
}

// apiQuery is the filter as GET /deliveries takes it.
func (f deliveryFilter) apiQuery(now time.Time) url.Values {
	q := url.Values{}
	if ref, ok := parseWebhookKey(f.Webhook); ok {
		q.Set("scope", ref.Scope.Kind+"/"+ref.Scope.Name)
		q.Set("webhook", ref.Name)
	}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if t := f.sinceTime(now); t != "" {
		q.Set("since", t)
	}
	if f.UntilAt != "" {
		q.Set("until", f.UntilAt)
	}
	return q
}

// query is the filter as the console's URLs carry it, for page links.
func (f deliveryFilter) query(page int) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"webhook": f.Webhook, "status": f.Status, "since": f.Since, "sinceAt": f.SinceAt, "untilAt": f.UntilAt} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return q
}

// link is the delivery log's first page under the filter.
func (f deliveryFilter) link() string {
	if q := f.query(1).Encode(); q != "" {
		return "/console/deliveries?" + q
	}
	return "/console/deliveries"
}

// describe says in words which deliveries the filter selects, after the
// noun: " to Integration/monitor/jira in the last hour".
func (f deliveryFilter) describe() string {
	var s string
	if f.Webhook != "" {
		s += " to " + f.Webhook
	}
	switch {
	case f.SinceAt != "":
		s += " since " + f.SinceAt
	case f.Since != "":
		for _, c := range sinceChoices {
			if c.Value == f.Since {
				s += " in the " + lowerFirst(c.Label)
			}
		}
	default:
		s += " of any time"
	}
	return s
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]+('a'-'A')) + s[1:]
}

// hidden is a hidden form field.
type hidden struct{ Name, Value string }

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}
