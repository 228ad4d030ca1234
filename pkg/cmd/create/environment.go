package create

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/loader"
	"github.com/centralhq/central/pkg/printers"
)

// EnvironmentOptions are the dependencies and flags of one
// "create environment".
type EnvironmentOptions struct {
	IO          *iostreams.IOStreams
	Client      func() (*client.Client, error)
	Definitions func(ctx context.Context) (*discovery.Set, error)

	Name   string
	Output string
}

// NewCmdEnvironment builds "central create environment NAME"; runF replaces
// the run in tests.
func NewCmdEnvironment(f *factory.Factory, runF func(*EnvironmentOptions) error) *cobra.Command {
	opts := &EnvironmentOptions{IO: f.IOStreams, Client: f.Client, Definitions: f.Definitions}
	cmd := &cobra.Command{
		Use:     "environment NAME",
		Aliases: []string{"env"},
		Short:   "Create an environment",
		Long: `Create an Environment named NAME, with NAME as its title and an empty spec.

Environments hold APIServices, Webhooks, Secrets and the other scoped kinds.
With -o yaml|json the environment as the server stored it is printed on
stdout.`,
		Example: `  # create an environment
  central create environment prod
  # and keep what the server stored
  central create env staging -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return clierr.Flagf("You must specify the name of the environment to create.")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			var err error
			if opts.Output, err = outputflag.Normalize(opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return environmentRun(cmd.Context(), opts)
		},
	}
	outputflag.Add(cmd, &opts.Output, "print the created environment as yaml or json; table (the default) prints only the status line")
	return cmd
}

func environmentRun(ctx context.Context, o *EnvironmentOptions) error {
	set, err := o.Definitions(ctx)
	if err != nil {
		return err
	}
	def, ok := set.ForKind("Environment", "")
	if !ok {
		return errors.New(`the server has no "Environment" resource type`)
	}
	c, err := o.Client()
	if err != nil {
		return err
	}
	env := &api.ResourceInstance{Group: def.Group, APIVersion: def.Version, Kind: def.Kind,
		Name: o.Name, Title: o.Name, Spec: json.RawMessage("{}")}
	// The writer prints the same lines as "create -f" would for this document.
	w := &resource.Writer{IO: o.IO, Client: c, Set: set, Mode: resource.Create}
	written, failed, err := w.Write(ctx, []loader.Entry{{Index: 1, Resource: env}})
	switch {
	case err != nil:
		return err
	case failed && len(w.Reported) > 0:
		return &clierr.Reported{Err: w.Reported[0]}
	case failed:
		return clierr.ErrSilent
	case o.Output == "":
		return nil
	}
	p, err := printers.ForFormat(o.Output, printers.Table{})
	if err != nil {
		return err
	}
	return p.Print(o.IO.Out, written[0])
}
