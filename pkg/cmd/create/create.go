// Package create implements "central create": create the resources of a file
// (-f), and "create environment NAME". Other subcommands, such as
// "create webhook", live in their own packages and are attached by the root.
package create

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
)

// CreateOptions are the dependencies and flags of one "create -f".
type CreateOptions struct {
	IO          *iostreams.IOStreams
	Client      func() (*client.Client, error)
	Definitions func(ctx context.Context) (*discovery.Set, error)

	File   string
	Output string
	Yes    bool
	Scope  string
}

// NewCmdCreate builds "central create" with its subcommands: environment,
// then any given in more (the root passes "create webhook" this way, so a
// new kind of create needs no change here).
func NewCmdCreate(f *factory.Factory, more ...*cobra.Command) *cobra.Command {
	cmd := NewCmdCreateFile(f, nil)
	cmd.AddCommand(NewCmdEnvironment(f, nil))
	cmd.AddCommand(more...)
	return cmd
}

// NewCmdCreateFile builds the bare "central create -f FILE", without
// subcommands; runF replaces the run in tests.
func NewCmdCreateFile(f *factory.Factory, runF func(*CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IOStreams, Client: f.Client, Definitions: f.Definitions}
	cmd := &cobra.Command{
		Use:   "create -f FILE",
		Short: "Create resources from a file, or one of the types below",
		Long: `Create the resources of a file, in the order they appear.

FILE is a .yaml, .yml or .json file (several YAML documents separated by
"---", or a JSON array), a directory (its resource files, by name, not
recursive), or "-" for stdin.

Every resource is created (POST): one whose name is taken fails with a
conflict; use "central apply" to create or update. A resource without a name
gets one from the server. Then each subresource in the document (status,
details, x-* keys...) is written with its own request.

The whole file is checked first: when any entry is malformed, is of a kind
the server does not have, lacks the scope its kind needs, or has a top-level
key that is neither a field nor a sub-resource of its kind (a typo such as
"sepc"; any x-* key is a sub-resource), every such entry is listed and
nothing is created (exit code 1; with -o yaml|json the same error is
printed on stdout as an error document). Then each resource gets its own
line on stderr; one the server refuses is reported and the others are
still created, and the exit code is then 1. With -o yaml|json the created
resources are printed on stdout as a list, those that succeeded, also when
others failed (an empty list when none did).

A file or stdin without resources (empty, only "---", or an empty list)
creates nothing and is not an error: a warning, exit code 0.

When the file holds resources without names and a terminal is attached, you
are asked whether to go on without capturing the generated names (default
yes). -y, or -o (which prints them), skips the question; without a terminal
(in scripts, CI) it is never asked.`,
		Example: `  # create the resources of a file
  central create -f environment.yaml
  # keep the names the server generates
  central create -f unnamed.yaml -o yaml -y > created.yaml
  # create an environment by name
  central create environment prod`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			var types []string
			for _, c := range cmd.Commands() {
				if c.IsAvailableCommand() {
					types = append(types, c.Name())
				}
			}
			return clierr.Flagf(fmt.Sprintf("unknown resource type %q for \"central create\": use -f FILE, or one of: %s", args[0], strings.Join(types, ", ")))
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.File == "" {
				return clierr.Flagf("File name is required, please provide -f, --file [path] option")
			}
			var err error
			if opts.Output, err = outputflag.Normalize(opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return createRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", `file, directory or "-" (stdin) holding the resources`)
	outputflag.Add(cmd, &opts.Output, "print the created resources as yaml or json; table (the default) prints only the status lines")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask before creating resources without names")
	fl.StringVarP(&opts.Scope, "scope", "s", "", "scope (KIND/NAME) for the entries that name none, e.g. Integration/monitor")
	_ = cmd.RegisterFlagCompletionFunc("scope", resource.CompleteScope(f))
	return cmd
}

func createRun(ctx context.Context, o *CreateOptions) error {
	return resource.WriteFile(ctx, &resource.WriteFileOptions{
		IO: o.IO, Client: o.Client, Definitions: o.Definitions,
		Mode: resource.Create, File: o.File, Output: o.Output, Yes: o.Yes, Scope: o.Scope,
	})
}
