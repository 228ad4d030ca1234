// Package subscription implements "central subscription": move catalog
// subscriptions from one state to the next, as an approver would.
package subscription

import (
	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/subscription/state"
)

// NewCmdSubscription builds "central subscription" and its subcommands.
func NewCmdSubscription(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "subscription <command>",
		Aliases: []string{"subscriptions", "subs"},
		Short:   "Approve, reject or move catalog subscriptions",
		Long: `A Subscription is one consumer's request to use a ConsumerInstance published in
the catalog. It starts REQUESTED (or APPROVED at once when the consumer
instance subscribes automatically), and every move to another state sends a
SubscriptionUpdatedEvent to the webhooks of the instance's
ConsumerSubscriptionDefinition.

These commands move a subscription by hand, through the same endpoint an
approval webhook calls (POST .../subscriptions/NAME/states). The server
allows only the moves of the subscription state machine:

  REQUESTED             -> APPROVED, REJECTED
  APPROVED              -> ACTIVE, FAILED_TO_SUBSCRIBE
  FAILED_TO_SUBSCRIBE   -> REQUESTED
  ACTIVE                -> UNSUBSCRIBE_INITIATED
  UNSUBSCRIBE_INITIATED -> UNSUBSCRIBED, FAILED_TO_UNSUBSCRIBE
  FAILED_TO_UNSUBSCRIBE -> UNSUBSCRIBE_INITIATED
  UNSUBSCRIBED          -> REQUESTED
  REJECTED              -> REQUESTED

List subscriptions and their states with "central get subs -s ENV".

Exit codes: 0 on success, 1 on any error.`,
		Example: `  # who asked, and in which state is each request?
  central get subs -s demo
  # approve one, saying why
  central subscription approve alice -s demo --description "Approved by the API team."
  # reject one
  central subscription reject bob -s Environment/demo --description "Interns cannot subscribe."
  # any other move, e.g. once the gateway has provisioned access
  central subscription set-state alice ACTIVE -s demo`,
	}
	cmd.AddCommand(
		state.NewCmdApprove(f, nil),
		state.NewCmdReject(f, nil),
		state.NewCmdSetState(f, nil),
	)
	return cmd
}
