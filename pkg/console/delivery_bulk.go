package console

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/centralhq/central/pkg/api"
)

// bulkPage asks to confirm a retry or purge by filter, with its count.
type bulkPage struct {
	// Verb is "retry" or "purge".
	Verb  string
	Count int
	// Disabled and Deleted count, on a retry, what is left out because
	// its webhook is disabled or deleted.
	Disabled, Deleted int
	What              string
	Action            string
	Back              string // the delivery log under the filter the user came from
	// Fields carry the filter, fixed at counting time (its window's start
	// and the count's bound of creation times), to the POST.
	Fields []hidden
}

func (c *console) bulkConfirm(r *http.Request, s *session, verb string) (*view, error) {
	f, err := filterFromQuery(r.URL.Query())
	if err != nil {
		return nil, err
	}
	what, back := f.describe(), f.link()
	f.Status, f.SinceAt = string(api.DeliveryFailed), f.sinceTime(c.now())
	ctx, cancel := apiCtx(r)
	defer cancel()
	q := f.apiQuery(c.now())
	q.Set("dryRun", "true")
	method, path := http.MethodPost, "/deliveries/retry"
	if verb == "purge" {
		method, path = http.MethodDelete, "/deliveries"
	}
	var out api.CountResult
	if _, err := s.api.Do(ctx, method, path, q, nil, &out); err != nil {
		return nil, err
	}
	page := bulkPage{Verb: verb, Count: out.Count, Disabled: out.Disabled, Deleted: out.Deleted, What: what, Action: "/console/deliveries/" + verb,
		Back: back}
	if out.Until != nil {
		f.UntilAt = out.Until.String()
	}
	for _, k := range []string{"webhook", "sinceAt", "untilAt"} {
		if v := f.query(1).Get(k); v != "" {
			page.Fields = append(page.Fields, hidden{Name: k, Value: v})
		}
	}
	title := "Retry failed deliveries"
	if verb == "purge" {
		title = "Purge failed deliveries"
	}
	return &view{Template: "deliveries_confirm", Title: title, Section: "deliveries", Data: page}, nil
}

func (c *console) deliveryRetryConfirm(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	return c.bulkConfirm(r, s, "retry")
}

func (c *console) deliveryPurgeConfirm(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	return c.bulkConfirm(r, s, "purge")
}

func (c *console) bulkDo(w http.ResponseWriter, r *http.Request, s *session, verb string) (*view, error) {
	f, err := filterFromQuery(r.PostForm)
	if err != nil {
		return nil, err
	}
	f.Status, f.Since, f.Page = string(api.DeliveryFailed), "", 1
	ctx, cancel := apiCtx(r)
	defer cancel()
	method, path := http.MethodPost, "/deliveries/retry"
	if verb == "purge" {
		method, path = http.MethodDelete, "/deliveries"
	}
	var out api.CountResult
	if _, err := s.api.Do(ctx, method, path, f.apiQuery(c.now()), nil, &out); err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("%d failed %s queued to be sent again.", out.Count, plural(out.Count, "delivery", "deliveries"))
	if n := out.Disabled + out.Deleted; n > 0 {
		msg += fmt.Sprintf(" %d left out: %s.", n, leftOut(out.Disabled, out.Deleted))
	}
	if verb == "purge" {
		msg = fmt.Sprintf("%d failed %s purged.", out.Count, plural(out.Count, "delivery", "deliveries"))
	}
	back := deliveryFilter{Webhook: f.Webhook}.link()
	if v := r.PostForm.Get("return"); v != "" {
		back = safeNext(v)
	}
	return c.redirect(w, r, s, back, "ok", msg)
}

func (c *console) deliveryRetryAll(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	return c.bulkDo(w, r, s, "retry")
}

func (c *console) deliveryPurge(w http.ResponseWriter, r *http.Request, s *session) (*view, error) {
	return c.bulkDo(w, r, s, "purge")
}

// leftOut says why a retry left deliveries out.
func leftOut(disabled, deleted int) string {
	var why []string
	if disabled > 0 {
		why = append(why, fmt.Sprintf("%d to disabled webhooks", disabled))
	}
	if deleted > 0 {
		why = append(why, fmt.Sprintf("%d to deleted webhooks", deleted))
	}
	return strings.Join(why, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
