// Package events implements "central hooks events": the event types a
// webhook receives, what each means and an example of each. The list is
// static: it documents the wire format and needs no server.
package events

import (
	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/printers"
)

// EventsOptions are the dependencies and flags of one events.
type EventsOptions struct {
	IO *iostreams.IOStreams

	Output string
}

// NewCmdEvents builds "central hooks events"; runF replaces the run in tests.
func NewCmdEvents(f *factory.Factory, runF func(*EventsOptions) error) *cobra.Command {
	opts := &EventsOptions{IO: f.IOStreams}
	cmd := &cobra.Command{
		Use:   "events",
		Short: "List the event types webhooks receive",
		Long: `List the event types a webhook can receive, each with what it means. With
-o yaml|json each comes with a full example of the envelope POSTed to the
webhook: id, time, version, product, correlationId, organization, type,
payload (the resource) and metadata (the sequence id and, on
SubResourceUpdated, the subresource written).

A ResourceHook trigger's type "created" selects ResourceCreated, "deleted"
ResourceDeleted, and "updated" both ResourceUpdated and SubResourceUpdated.

Nothing is asked of the server. Exit codes: 0 on success, 1 on any error.`,
		Example: `  # the event types
  central hooks events
  # what a ResourceUpdated envelope looks like
  central hooks events -o json | jq '.[] | select(.type == "ResourceUpdated") | .example'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Output, err = outputflag.Resolve(cmd, f, opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return eventsRun(opts)
		},
	}
	outputflag.Add(cmd, &opts.Output, "output format: yaml or json (with an example of each), or table (the default)")
	return cmd
}

func eventsRun(o *EventsOptions) error {
	types := Catalog()
	if o.Output != "" {
		p, err := printers.ForFormat(o.Output, printers.Table{})
		if err != nil {
			return &clierr.FlagError{Err: err}
		}
		return p.Print(o.IO.Out, types)
	}
	rows := make([][]string, len(types))
	for i, t := range types {
		rows[i] = []string{string(t.Type), t.Description}
	}
	return printers.PlainTable(o.IO.Out, []string{"TYPE", "DESCRIPTION"}, rows)
}
