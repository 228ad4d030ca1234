// Package purge implements "central deliveries purge": delete finished
// deliveries from the log, by status and filters.
package purge

import (
	"context"
	"fmt"
	"net/http"
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

// PurgeOptions are the dependencies and flags of one purge.
type PurgeOptions struct {
	IO     *iostreams.IOStreams
	Client func() (*client.Client, error)
	Now    func() time.Time

	Filter filter.Filter
	DryRun bool
	Yes    bool
	Output string
}

// NewCmdPurge builds "central deliveries purge"; runF replaces the run in
// tests.
func NewCmdPurge(f *factory.Factory, runF func(*PurgeOptions) error) *cobra.Command {
	opts := &PurgeOptions{IO: f.IOStreams, Client: f.Client, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "purge --status failed|succeeded [filters]",
		Short: "Delete finished deliveries from the log",
		Long: `Delete the failed or succeeded deliveries the filters select, with their
attempts. Pending deliveries are never purged. This cannot be undone.

On a terminal, purge first counts what it would delete and asks (default
No); -y skips the question. What is purged after the question is what was
counted: deliveries created while it was asked are left alone. Without a
terminal it refuses to run unless -y is given, so a script never deletes by
accident. --dry-run only counts.

Exit codes: 0 on success (also when nothing matches or with --dry-run), 1 on
any error, when the question is answered No, or without a terminal and
without -y.

-o yaml|json prints the server's answer on stdout, with the same keys on a
dry run and a real one: {count, dryRun, until}, until being the bound of
creation times counted under or purged under (null when a purge has none).
The status lines stay on stderr.`,
		Example: `  # how many succeeded deliveries are older than a week?
  central deliveries purge --status succeeded --until 7d --dry-run
  # delete them, without asking (e.g. from cron)
  central deliveries purge --status succeeded --until 7d -y
  # forget the failures of one webhook
  central deliveries purge --status failed --webhook jira -s Integration/monitor
  # in a script: how many were purged
  central deliveries purge --status succeeded --until 7d -y -o json | jq .count`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Output, err = outputflag.Normalize(opts.Output); err != nil {
				return err
			}
			switch opts.Filter.Status {
			case string(api.DeliveryFailed), string(api.DeliverySucceeded):
			case "":
				return clierr.Flagf("--status is required: --status failed or --status succeeded")
			default:
				return clierr.Flagf(fmt.Sprintf("invalid --status %q; purge takes failed | succeeded (pending deliveries are never purged)", opts.Filter.Status))
			}
			if runF != nil {
				return runF(opts)
			}
			return purgeRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	opts.Filter.AddFlags(fl, "purge deliveries with this status: failed | succeeded (required)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "only count the deliveries that would be purged")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "purge without asking (required without a terminal)")
	outputflag.Add(cmd, &opts.Output, "print the server's answer, the count, as yaml or json")
	return cmd
}

func purgeRun(ctx context.Context, o *PurgeOptions) error {
	q, err := o.Filter.Values(o.Now())
	if err != nil {
		return err
	}
	ask := !o.DryRun && !o.Yes
	if ask && !o.IO.CanPrompt() {
		return clierr.Flagf("purge deletes deliveries for good and there is no terminal to confirm on: add -y (--yes) to purge anyway, or --dry-run to count")
	}
	c, err := o.Client()
	if err != nil {
		return err
	}
	// The filter's own until, before a count binds the purge to the
	// deliveries counted.
	given := q.Get("until")
	if o.DryRun || ask {
		res, err := filter.Bulk(ctx, c, http.MethodDelete, "/deliveries", q, true)
		if err != nil {
			return err
		}
		n := res.Count
		if o.DryRun {
			if o.Output == "" {
				fmt.Fprintf(o.IO.Out, "%s would be purged.\n", filter.Count(n, ""))
			}
			return printResult(o, res, given)
		}
		if n == 0 {
			fmt.Fprintf(o.IO.ErrOut, "No %s deliveries match.\n", o.Filter.Status)
			return printResult(o, filter.NothingDone(res), given)
		}
		ok, err := o.IO.Confirm(fmt.Sprintf("Purge %s? This cannot be undone.", filter.Count(n, o.Filter.Status)), false)
		if err != nil {
			return err
		}
		if !ok {
			return clierr.ErrCancelled
		}
	}
	res, err := filter.Bulk(ctx, c, http.MethodDelete, "/deliveries", q, false)
	if err != nil {
		return err
	}
	o.IO.Success("Purged %s.", filter.Count(res.Count, ""))
	return printResult(o, res, q.Get("until"))
}

// output is what -o prints: the same keys on a dry run and a real one, so
// that a script reads .dryRun and .until without checking they are there.
type output struct {
	Count  int  `json:"count"`
	DryRun bool `json:"dryRun"`
	// Until is the bound of creation times: on a dry run the server's
	// answer, else the until the purge was sent with, null for none.
	Until *api.Time `json:"until"`
}

// printResult writes the server's answer to stdout under -o yaml|json,
// with until, the bound the request was sent with, where the server gave
// none (it does on dry runs only); the text output says it all on its own.
func printResult(o *PurgeOptions, res api.CountResult, until string) error {
	if o.Output == "" {
		return nil
	}
	out := output{Count: res.Count, DryRun: res.DryRun, Until: res.Until}
	if out.Until == nil && until != "" {
		t, err := api.ParseTime(until)
		if err != nil {
			return err
		}
		out.Until = &t
	}
	return printers.Print(o.IO.Out, o.Output, out)
}
