// Package retry implements "central deliveries retry": send deliveries again
// now, one by ID or every failed one a filter selects.
package retry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/deliveries/filter"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/printers"
)

// RetryOptions are the dependencies and flags of one retry.
type RetryOptions struct {
	IO     *iostreams.IOStreams
	Client func() (*client.Client, error)
	Now    func() time.Time

	IDs    []string
	Filter filter.Filter
	DryRun bool
	Yes    bool
	Output string
}

// NewCmdRetry builds "central deliveries retry"; runF replaces the run in
// tests.
func NewCmdRetry(f *factory.Factory, runF func(*RetryOptions) error) *cobra.Command {
	opts := &RetryOptions{IO: f.IOStreams, Client: f.Client, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "retry {ID... | --status failed [filters]}",
		Short: "Send deliveries again now",
		Long: `Queue deliveries for another attempt, due now.

With IDs, each delivery is retried whatever its status (a manual attempt).
With --status failed and optional filters, every failed delivery they select
is retried; only failed deliveries are ever retried in bulk. --dry-run only
counts them.

Nothing is retried for a disabled webhook (spec.enabled false, as after its
receiver answered 410 Gone): sent, it would fail at once. A bulk retry
leaves such deliveries out and says how many; one given by ID is refused.
Enable the webhook again (spec.enabled: true, with central edit webhook
NAME -s KIND/NAME) to retry them. The deliveries of a deleted webhook are
left out and refused alike, until a webhook of the same name is made again
in the same scope.

On a terminal, a bulk retry first shows how many deliveries it selects and
asks before going on (-y skips the question). Without a terminal it goes on
without asking: a retry resends events the receiver may already have seen,
which is harmless, since every attempt of one delivery carries the same
webhook-id for the receiver to deduplicate on.

-o yaml|json prints the server's answer on stdout: for a bulk retry, dry or
not, its count ({count, dryRun, until, disabled, deleted}; disabled and
deleted count what was left out); with IDs, the list of the deliveries
queued again, each as "deliveries get -o json" prints it (those that could
not be retried are left out of it and reported on stderr). The status lines
stay on stderr.

Exit codes: 0 on success, 1 on any error (with IDs, when any one failed;
the others are still retried).`,
		Example: `  # two deliveries, by ID
  central deliveries retry dlv_018f34088040e319aca1290c9cc4405f dlv_018f344c515200503aa41e973b50f66a
  # how many failed deliveries of one webhook would be retried?
  central deliveries retry --status failed --webhook jira -s Integration/monitor --dry-run
  # one event again, wherever it failed (its id: a receiver's webhook-id)
  central deliveries retry --status failed --event-id 01936f2a-5b7d-7e21-9c8a-0d6f4b2e7a13 -y
  # every delivery that failed in the last 2 hours, without asking
  central deliveries retry --status failed --since 2h -y
  # in a script: how many were queued
  central deliveries retry --status failed -y -o json | jq .count`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.IDs = args
			var err error
			if opts.Output, err = outputflag.Normalize(opts.Output); err != nil {
				return err
			}
			bulk := opts.Filter.Any() || opts.DryRun
			switch {
			case len(args) > 0 && bulk:
				return clierr.Flagf("give either delivery IDs or --status failed with filters, not both")
			case len(args) == 0 && opts.Filter.Status == "":
				return clierr.Flagf("say which deliveries to retry: their IDs, or --status failed (with filters such as --webhook, --since) for every failed one")
			case len(args) == 0 && opts.Filter.Status != string(api.DeliveryFailed):
				return clierr.Flagf(fmt.Sprintf("only failed deliveries are retried in bulk: use --status failed, not %q", opts.Filter.Status))
			}
			if runF != nil {
				return runF(opts)
			}
			if len(opts.IDs) > 0 {
				return retryIDs(cmd.Context(), opts)
			}
			return retryBulk(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	opts.Filter.AddFlags(fl, "retry every delivery with this status, which must be failed")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "only count the deliveries a bulk retry would retry")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "retry in bulk without asking")
	outputflag.Add(cmd, &opts.Output, "print the server's answer as yaml or json: the count, or with IDs the deliveries queued again")
	return cmd
}

// retryIDs retries each delivery, going on past failures so one bad ID does
// not hold up the others.
func retryIDs(ctx context.Context, o *RetryOptions) error {
	c, err := o.Client()
	if err != nil {
		return err
	}
	failed := false
	queued := []api.Delivery{} // printed as [], not null, when none is
	o.IO.StartProgress("Retrying deliveries", len(o.IDs))
	defer o.IO.StopProgress()
	for _, id := range o.IDs {
		o.IO.StepProgress()
		var d api.Delivery
		if _, err := c.Do(ctx, http.MethodPost, "/deliveries/"+url.PathEscape(id)+"/retry", nil, nil, &d); err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			o.IO.Failure("Delivery %s could not be retried: %s", id, client.Detail(err))
			failed = true
			continue
		}
		queued = append(queued, d)
		o.IO.Success("Delivery %s is queued for another attempt.", id)
	}
	// Printed even after a failure, as "create -f" prints what it made:
	// the failures are on stderr, and the exit code says there were some.
	if err := printResult(o, queued); err != nil {
		return err
	}
	if failed {
		return clierr.ErrSilent
	}
	return nil
}

func retryBulk(ctx context.Context, o *RetryOptions) error {
	q, err := o.Filter.Values(o.Now())
	if err != nil {
		return err
	}
	c, err := o.Client()
	if err != nil {
		return err
	}
	noted := false // the confirmation said what is left out
	if o.DryRun || (!o.Yes && o.IO.CanPrompt()) {
		res, err := filter.Bulk(ctx, c, http.MethodPost, "/deliveries/retry", q, true)
		if err != nil {
			return err
		}
		if o.DryRun {
			if o.Output == "" {
				fmt.Fprintf(o.IO.Out, "%s would be retried.\n", filter.Count(res.Count, ""))
			}
			leftOut(o, res)
			return printResult(o, res)
		}
		if res.Count == 0 {
			if res.Disabled+res.Deleted == 0 {
				fmt.Fprintln(o.IO.ErrOut, "No failed deliveries match.")
			} else {
				fmt.Fprintln(o.IO.ErrOut, "No failed deliveries to retry.")
				leftOut(o, res)
			}
			return printResult(o, filter.NothingDone(res))
		}
		leftOut(o, res)
		noted = true
		ok, err := o.IO.Confirm(fmt.Sprintf("Retry %s?", filter.Count(res.Count, "failed")), true)
		if err != nil {
			return err
		}
		if !ok {
			return clierr.ErrCancelled
		}
	}
	res, err := filter.Bulk(ctx, c, http.MethodPost, "/deliveries/retry", q, false)
	if err != nil {
		return err
	}
	verb := "are"
	if res.Count == 1 {
		verb = "is"
	}
	o.IO.Success("%s %s queued for another attempt.", filter.Count(res.Count, ""), verb)
	if !noted {
		leftOut(o, res)
	}
	return printResult(o, res)
}

// printResult writes v to stdout under -o yaml|json; the text output says
// it all on its own.
func printResult(o *RetryOptions, v any) error {
	if o.Output == "" {
		return nil
	}
	return printers.Print(o.IO.Out, o.Output, v)
}

// leftOut says how many matching deliveries a retry leaves alone because
// their webhook is disabled or deleted (sent, each would fail at once), and
// how to send them; on a dry run, would leave.
func leftOut(o *RetryOptions, res api.CountResult) {
	verb := func(n int) string {
		switch {
		case o.DryRun:
			return "would be"
		case n == 1:
			return "is"
		}
		return "are"
	}
	which := "NAME -s KIND/NAME"
	if o.Filter.Webhook != "" {
		which = o.Filter.Webhook + " -s " + o.Filter.Scope
	}
	if n := res.Disabled; n > 0 {
		what := filter.Count(n, "failed") + " to disabled webhooks"
		if n == 1 {
			what = "1 failed delivery to a disabled webhook"
		}
		fmt.Fprintf(o.IO.ErrOut, "%s %s left out. Enable a webhook again (spec.enabled: true, e.g. with central edit webhook %s) to retry its deliveries.\n",
			what, verb(n), which)
	}
	if n := res.Deleted; n > 0 {
		what := filter.Count(n, "failed") + " to deleted webhooks"
		if n == 1 {
			what = "1 failed delivery to a deleted webhook"
		}
		fmt.Fprintf(o.IO.ErrOut, "%s %s left out: there is nowhere to send them. A webhook made again with the same name and scope takes them; "+
			"central deliveries purge --status failed --webhook %s removes them.\n", what, verb(n), which)
	}
}
