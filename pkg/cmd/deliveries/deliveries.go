// Package deliveries implements "central deliveries": the dispatcher's log
// of events sent to webhooks, to read, retry and purge.
package deliveries

import (
	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/deliveries/get"
	"github.com/centralhq/central/pkg/cmd/deliveries/list"
	"github.com/centralhq/central/pkg/cmd/deliveries/purge"
	"github.com/centralhq/central/pkg/cmd/deliveries/retry"
	"github.com/centralhq/central/pkg/cmd/factory"
)

// NewCmdDeliveries builds "central deliveries" and its subcommands.
func NewCmdDeliveries(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "deliveries <command>",
		Aliases: []string{"delivery"},
		Short:   "Follow, retry and purge webhook deliveries",
		Long: `Every event a webhook should receive becomes a delivery: the dispatcher sends
it, retries it on failure, and records every attempt. These commands read
that log, send deliveries again and delete old ones.

Exit codes: 0 on success, 1 on any error.`,
		Example: `  # what failed in the last hour, and why
  central deliveries list --status failed --since 1h
  central deliveries get dlv_018f34088040e319aca1290c9cc4405f
  # send it again once the receiver is fixed
  central deliveries retry dlv_018f34088040e319aca1290c9cc4405f
  # keep a week of succeeded deliveries
  central deliveries purge --status succeeded --until 7d -y`,
	}
	cmd.AddCommand(
		list.NewCmdList(f, nil),
		get.NewCmdGet(f, nil),
		retry.NewCmdRetry(f, nil),
		purge.NewCmdPurge(f, nil),
	)
	return cmd
}
