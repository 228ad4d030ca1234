package root

import (
	"github.com/spf13/cobra"

	applycmd "github.com/centralhq/central/pkg/cmd/apply"
	benchcmd "github.com/centralhq/central/pkg/cmd/bench"
	completioncmd "github.com/centralhq/central/pkg/cmd/completion"
	configcmd "github.com/centralhq/central/pkg/cmd/config"
	createcmd "github.com/centralhq/central/pkg/cmd/create"
	deletecmd "github.com/centralhq/central/pkg/cmd/delete"
	"github.com/centralhq/central/pkg/cmd/deliveries"
	"github.com/centralhq/central/pkg/cmd/factory"
	getcmd "github.com/centralhq/central/pkg/cmd/get"
	"github.com/centralhq/central/pkg/cmd/hooks"
	servecmd "github.com/centralhq/central/pkg/cmd/serve"
	"github.com/centralhq/central/pkg/cmd/storecmd"
	subscriptioncmd "github.com/centralhq/central/pkg/cmd/subscription"
	versioncmd "github.com/centralhq/central/pkg/cmd/version"
	webhookcmd "github.com/centralhq/central/pkg/cmd/webhook"
)

// addCommands attaches every top-level command.
func addCommands(root *cobra.Command, f *factory.Factory) {
	root.AddCommand(
		getcmd.NewCmdGet(f, nil),
		applycmd.NewCmdApply(f, nil),
		createcmd.NewCmdCreate(f, webhookcmd.NewCmdCreateWebhook(f, nil)),
		deletecmd.NewCmdDelete(f, nil),
		deliveries.NewCmdDeliveries(f),
		hooks.NewCmdHooks(f),
		subscriptioncmd.NewCmdSubscription(f),
		configcmd.NewCmdConfig(f),
		completioncmd.NewCmdCompletion(f),
		versioncmd.NewCmdVersion(f),
		servecmd.NewCmdServe(f, nil),
		benchcmd.NewCmdBench(f, nil),
		storecmd.NewCmdStore(f, nil),
	)
}
