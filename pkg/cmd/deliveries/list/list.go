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
	// PageSize is the number of deliveries asked per request.
	PageSize int
}

// NewCmdList builds "central deliveries list"; runF replaces the run in tests.
func NewCmdList(f *factory.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.IOStreams, Client: f.Client, Now: f.Now, PageSize: client.DefaultPageSize}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List webhook deliveries",
		Long: `List the deliveries of events to webhooks, newest first as the server orders
them, across all pages.

The table shows each delivery's event, the resource it is about, the webhook
(as SCOPEKIND/SCOPENAME/NAME), its status, how many attempts were made, the
last HTTP status code, when the next attempt is due (pending deliveries) and
its age. -o yaml|json prints the deliveries as the server returns them.

--since and --until take a duration back from now ("30m", "1h", "7d") or a
timestamp such as 2024-05-01T10:00:00.000+0000 (RFC 3339 works too).

Exit codes: 0 on success (also when nothing matches), 1 on any error.`,
		Example: `  # every delivery
  central deliveries list
  # the failed ones of the last hour
  central deliveries list --status failed --since 1h
  # the deliveries of one webhook, as JSON
  central deliveries list --webhook jira -s Integration/monitor -o json
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
	outputflag.Add(cmd, &opts.Output, "output format: yaml, json or table (the default)")
	return cmd
}

func listRun(ctx context.Context, o *ListOptions) error {
	q, err := o.Filter.Values(o.Now())
	if err != nil {
		return err
	}
	c, err := o.Client()
	if err != nil {
		return err
	}
	all, err := fetchAll(ctx, c, q, o.PageSize)
	if err != nil {
		return err
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

// fetchAll reads every page of GET /deliveries. The total in
// X-Axway-Total-Count says when to stop; a server that sends none is read
// until a page comes back short.
func fetchAll(ctx context.Context, c *client.Client, q url.Values, pageSize int) ([]api.Delivery, error) {
	all := []api.Delivery{}
	for page := 1; ; page++ {
		pq := maps.Clone(q)
		pq.Set("page", strconv.Itoa(page))
		pq.Set("pageSize", strconv.Itoa(pageSize))
		var items []api.Delivery
		resp, err := c.Do(ctx, http.MethodGet, "/deliveries", pq, nil, &items)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		total, err := strconv.Atoi(resp.Header.Get("X-Axway-Total-Count"))
		switch {
		case len(items) == 0:
			return all, nil
		case err == nil && len(all) >= total:
			return all, nil
		case err != nil && len(items) < pageSize:
			return all, nil
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
	}
	return out
}
