// Package hooks implements "central hooks": tools for working on webhooks,
// to send one a test event, learn the event types and receive events
// locally.
package hooks

import (
	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/hooks/events"
	"github.com/centralhq/central/pkg/cmd/hooks/listen"
	"github.com/centralhq/central/pkg/cmd/hooks/rotate"
	"github.com/centralhq/central/pkg/cmd/hooks/test"
)

// NewCmdHooks builds "central hooks" and its subcommands.
func NewCmdHooks(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hooks <command>",
		Short: "Test webhooks, list event types, receive events locally",
		Long: `Tools for building and checking webhooks: send a webhook a test event and see
its answer, list the event types with example envelopes, run a local receiver
that prints (and can forward) what a webhook gets, and rotate a webhook's
signing secret.

Create webhooks with "central create webhook"; follow what was sent to them
with "central deliveries".

Exit codes: 0 on success, 1 on any error.`,
		Example: `  # receive events locally, then point a webhook at the receiver and test it
  central hooks listen --addr 127.0.0.1:9000
  central create webhook dev -s Integration/monitor --url http://127.0.0.1:9000/ --trigger 'APIService@Environment/prod'
  central hooks test dev -s Integration/monitor
  # what the envelopes look like
  central hooks events -o yaml`,
	}
	cmd.AddCommand(
		test.NewCmdTest(f, nil),
		events.NewCmdEvents(f, nil),
		listen.NewCmdListen(f, nil),
		rotate.NewCmdRotate(f, nil),
	)
	return cmd
}
