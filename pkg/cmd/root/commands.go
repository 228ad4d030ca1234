package root

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	applycmd "github.com/centralhq/central/pkg/cmd/apply"
	benchcmd "github.com/centralhq/central/pkg/cmd/bench"
	completioncmd "github.com/centralhq/central/pkg/cmd/completion"
	configcmd "github.com/centralhq/central/pkg/cmd/config"
	createcmd "github.com/centralhq/central/pkg/cmd/create"
	deletecmd "github.com/centralhq/central/pkg/cmd/delete"
	"github.com/centralhq/central/pkg/cmd/deliveries"
	editcmd "github.com/centralhq/central/pkg/cmd/edit"
	"github.com/centralhq/central/pkg/cmd/factory"
	getcmd "github.com/centralhq/central/pkg/cmd/get"
	"github.com/centralhq/central/pkg/cmd/hooks"
	servecmd "github.com/centralhq/central/pkg/cmd/serve"
	"github.com/centralhq/central/pkg/cmd/storecmd"
	subscriptioncmd "github.com/centralhq/central/pkg/cmd/subscription"
	versioncmd "github.com/centralhq/central/pkg/cmd/version"
	webhookcmd "github.com/centralhq/central/pkg/cmd/webhook"
)

// topCommand is a top-level command: what the root's help says of it, and
// how to build it.
type topCommand struct {
	name    string
	aliases []string
	short   string
	build   func(f *factory.Factory) *cobra.Command
}

// topCommands lists every top-level command. The summaries repeat the
// commands' own Use, Aliases and Short so that `central --help` can list
// them without building them; TestSummariesMatchTheCommands keeps the two
// equal.
func topCommands() []topCommand {
	return []topCommand{
		{"get", nil, "List one or more resources",
			func(f *factory.Factory) *cobra.Command { return getcmd.NewCmdGet(f, nil) }},
		{"apply", nil, "Create or update resources from a file",
			func(f *factory.Factory) *cobra.Command { return applycmd.NewCmdApply(f, nil) }},
		{"create", nil, "Create resources from a file, or one of the types below",
			func(f *factory.Factory) *cobra.Command {
				return createcmd.NewCmdCreate(f, webhookcmd.NewCmdCreateWebhook(f, nil))
			}},
		{"delete", nil, "Delete a resource, or the resources of a file",
			func(f *factory.Factory) *cobra.Command { return deletecmd.NewCmdDelete(f, nil) }},
		{"edit", nil, "Change a resource in your editor",
			func(f *factory.Factory) *cobra.Command { return editcmd.NewCmdEdit(f, nil) }},
		{"deliveries", []string{"delivery"}, "Follow, retry and purge webhook deliveries", deliveries.NewCmdDeliveries},
		{"hooks", nil, "Test webhooks, list event types, receive events locally", hooks.NewCmdHooks},
		{"subscription", []string{"subscriptions", "subs"}, "Approve, reject or move catalog subscriptions", subscriptioncmd.NewCmdSubscription},
		{"config", nil, "Configure the CLI: server URL, token, organization, output", configcmd.NewCmdConfig},
		{"completion", nil, "Output shell completion code", completioncmd.NewCmdCompletion},
		{"version", nil, "Print the version of central", versioncmd.NewCmdVersion},
		{"serve", nil, "Run the API server",
			func(f *factory.Factory) *cobra.Command { return servecmd.NewCmdServe(f, nil) }},
		{"bench", nil, "Measure the server on this machine",
			func(f *factory.Factory) *cobra.Command { return benchcmd.NewCmdBench(f, nil) }},
		{"store", nil, "Operate on a server's store (copy SQLite into PostgreSQL)",
			func(f *factory.Factory) *cobra.Command { return storecmd.NewCmdStore(f, nil) }},
	}
}

// addCommands attaches every top-level command, built.
func addCommands(root *cobra.Command, f *factory.Factory) {
	for _, tc := range topCommands() {
		root.AddCommand(groupsRefuseUnknown(tc.build(f)))
	}
}

// groupsRefuseUnknown makes every command under c that only groups others
// (deliveries, hooks, config, …) refuse a word that names none of them, as
// the root does: cobra would print the group's help and exit 0, so a
// script's `central deliveries purg -y` would seem to have worked. With no
// word at all the help is what was asked for.
func groupsRefuseUnknown(c *cobra.Command) *cobra.Command {
	if c.HasSubCommands() && !c.Runnable() {
		c.Args = cobra.ArbitraryArgs
		c.SuggestionsMinimumDistance = 2 // cobra's own, set where it suggests
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if near := cmd.SuggestionsFor(args[0]); len(near) > 0 {
				msg += "\n\nDid you mean this?\n\t" + strings.Join(near, "\n\t")
			}
			return errors.New(msg)
		}
	}
	for _, sub := range c.Commands() {
		groupsRefuseUnknown(sub)
	}
	return c
}

// addCommandsFor attaches what running args needs: the command args name,
// built, and every other one as a stand-in that only has its name and
// summary, which is all the root's help and usage print. Building the whole
// tree is about a millisecond of flag set-up and first page faults, a tenth
// of `central --help`. When args name no top-level command (help,
// __complete, a typo to suggest a fix for), cobra's own commands walk the
// tree, so it is built whole.
func addCommandsFor(root *cobra.Command, f *factory.Factory, args []string) {
	tcs := topCommands()
	standIns := make(map[*cobra.Command]topCommand, len(tcs))
	for _, tc := range tcs {
		c := tc.standIn()
		standIns[c] = tc
		root.AddCommand(c)
	}
	target, _, err := root.Find(args)
	if target == root && err == nil {
		return // the root's own help or usage
	}
	for c, tc := range standIns {
		if err != nil || c == target {
			root.RemoveCommand(c)
			root.AddCommand(groupsRefuseUnknown(tc.build(f)))
		}
	}
}

// errStandIn would mean that cobra resolved a command line differently from
// addCommandsFor.
var errStandIn = errors.New("internal error: a top-level command ran unbuilt")

// standIn returns the command as the root's help lists it. It is runnable
// only so that cobra counts it as available and lists it.
func (tc topCommand) standIn() *cobra.Command {
	return &cobra.Command{
		Use:     tc.name,
		Aliases: tc.aliases,
		Short:   tc.short,
		RunE:    func(*cobra.Command, []string) error { return errStandIn },
	}
}
