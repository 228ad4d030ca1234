// Package list implements "central deliveries list": the delivery log of the
// dispatcher, filtered, as a table, YAML or JSON.
package list

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/deliveries/filter"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/hooks/webhookref"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/printers"
)

// ListOptions are the dependencies and flags of one list.
type ListOptions struct {
	IO     *iostreams.IOStreams
	Client func() (*client.Client, error)
	Now    func() time.Time

	Filter filter.Filter
	Output string
	// Limit is how many deliveries to list at most, the newest; 0 is all.
	Limit int
	// PageSize is the number of deliveries asked per request.
	PageSize int
}

// DefaultLimit is how many deliveries a list shows without --limit: the log
// of a busy server holds far more than anyone reads.
const DefaultLimit = 100

// NewCmdList builds "central deliveries list"; runF replaces the run in tests.
func NewCmdList(f *factory.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Client: f.Client, Now: f.Now, PageSize: client.DefaultPageSize}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List webhook deliveries",
		Long: `List the deliveries of events to webhooks, newest first as the server orders
them: the newest 100, or --limit N (0 for all of them, across all pages).
When there are more, a line on stderr says how many.

The table shows each delivery's event, the resource it is about, the webhook
(as SCOPEKIND/SCOPENAME/NAME), its status, how many attempts were made, the
last HTTP status code, when the next attempt is due (pending deliveries) and
its age. A pending delivery to an ordered webhook that waits behind an
earlier one of the same resource shows as "held" (deliveries get names the
one it waits for). -o yaml|json prints the deliveries as the server returns them.

--since and --until take a duration back from now ("30m", "1h", "7d") or a
timestamp such as 2024-05-01T10:00:00.000+0000 (RFC 3339 works too).
--event-id lists what became of one event at every webhook it went to: its id
is the webhook-id header its receivers got.

Exit codes: 0 on success (also when nothing matches), 1 on any error.`,
		Example: `  # the newest 100 deliveries
  central deliveries list
  # every delivery, as JSON for a script
  central deliveries list --limit 0 -o json
  # the failed ones of the last hour
  central deliveries list --status failed --since 1h
  # the deliveries of one webhook, as JSON
  central deliveries list --webhook jira -s Integration/monitor -o json
  # what became of one event: a receiver's webhook-id
  central deliveries list --event-id 01936f2a-5b7d-7e21-9c8a-0d6f4b2e7a13
  # every delivery of ResourceDeleted events in a time window
  central deliveries list --event-type ResourceDeleted --since 2024-05-01T00:00:00.000+0000 --until 2024-05-02T00:00:00.000+0000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Output, err = outputflag.Resolve(cmd, f, opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	opts.Filter.AddFlags(cmd.Flags(), "only deliveries with this status: pending | succeeded | failed")
	cmd.Flags().IntVar(&opts.Limit, "limit", DefaultLimit, "list at most this many deliveries, the newest; 0 lists them all")
	outputflag.Add(cmd, &opts.Output, "output format: yaml, json or table (the default)")
	return cmd
}

func listRun(ctx context.Context, o *ListOptions) error {
	q, err := o.Filter.Values(o.Now())
	if err != nil {
		return err
	}
	if o.Limit < 0 {
		return clierr.Flagf(fmt.Sprintf("invalid --limit %d: a count of deliveries, or 0 for all of them", o.Limit))
	}
	c, err := o.Client()
	if err != nil {
		return err
	}
	all, total, err := fetch(ctx, c, q, o.PageSize, o.Limit)
	if err != nil {
		return err
	}
	if total > len(all) {
		fmt.Fprintf(o.IO.ErrOut, "The newest %d of %d deliveries; --limit 0 lists them all.\n", len(all), total)
	}
	if o.Output != "" {
		p, err := printers.ForFormat(o.Output, printers.Table{})
		if err != nil {
			return &clierr.FlagError{Err: err}
		}
		return p.Print(o.IO.Out, all)
	}
	if len(all) == 0 {
		fmt.Fprintln(o.IO.ErrOut, "No deliveries found.")
		return nil
	}
	t := printers.Table{Columns: columns, Now: o.Now}
	return t.Print(o.IO.Out, rows(all))
}

// fetch reads the pages of GET /deliveries until it has limit deliveries
// (0: all of them), and returns them with how many match in all (as many
// as it read when the server does not say). The total in
// X-Axway-Total-Count says when to stop; a server that sends none is read
// until a page comes back short.
func fetch(ctx context.Context, c *client.Client, q url.Values, pageSize, limit int) ([]api.Delivery, int, error) {
	if limit > 0 {
		pageSize = min(pageSize, limit)
	}
	all := []api.Delivery{}
	for page := 1; ; page++ {
		pq := maps.Clone(q)
		pq.Set("page", strconv.Itoa(page))
		pq.Set("pageSize", strconv.Itoa(pageSize))
		var items []api.Delivery
		resp, err := c.Do(ctx, http.MethodGet, "/deliveries", pq, nil, &items)
		if err != nil {
			return nil, 0, err
		}
		all = append(all, items...)
		total, err := strconv.Atoi(resp.Header.Get("X-Axway-Total-Count"))
		known := err == nil
		if !known {
			total = len(all)
		}
		switch {
		case limit > 0 && len(all) >= limit:
			return all[:limit], max(total, len(all)), nil
		case len(items) == 0, known && len(all) >= total, !known && len(items) < pageSize:
			return all, max(total, len(all)), nil
		}
	}
}

// columns are the table's columns over a row.
var columns = []api.Column{
	{Name: "ID", Type: "string", JSONPath: ".id"},
	{Name: "Event", Type: "string", JSONPath: ".eventType"},
	{Name: "Resource", Type: "string", JSONPath: ".resource"},
	{Name: "Webhook", Type: "string", JSONPath: ".webhook"},
	{Name: "Status", Type: "string", JSONPath: ".status"},
	{Name: "Attempts", Type: "string", JSONPath: ".attempts"},
	{Name: "Code", Type: "string", JSONPath: ".code"},
	{Name: "Next Attempt", Type: "date", JSONPath: ".nextAttemptAt"},
	{Name: "Age", Type: "date", JSONPath: ".createdAt"},
}

// row is a delivery as the table shows it: the resource and webhook
// flattened into readable strings, which no JSONPath into the delivery can
// do.
type row struct {
	ID            string             `json:"id"`
	EventType     api.EventType      `json:"eventType"`
	Resource      string             `json:"resource"`
	Webhook       string             `json:"webhook"`
	Status        api.DeliveryStatus `json:"status"`
	Attempts      int                `json:"attempts"`
	Code          int                `json:"code,omitempty"`
	NextAttemptAt api.Time           `json:"nextAttemptAt,omitzero"`
	CreatedAt     api.Time           `json:"createdAt,omitzero"`
}

func rows(ds []api.Delivery) []row {
	out := make([]row, len(ds))
	for i, d := range ds {
		out[i] = row{
			ID: d.ID, EventType: d.EventType, Status: d.Status, Attempts: d.Attempts, Code: d.LastStatusCode,
			Resource:      d.Resource.Kind + "/" + d.Resource.Name,
			Webhook:       webhookref.FromAPI(d.Webhook).String(),
			NextAttemptAt: d.NextAttemptAt, CreatedAt: d.CreatedAt,
		}
		if d.HeldBy != "" { // waits for an earlier one, not for its time
			out[i].Status, out[i].NextAttemptAt = "held", api.Time{}
		}
	}
	return out
}
