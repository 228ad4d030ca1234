// Package apply implements "central apply": create or update the resources
// of a file, a directory or stdin.
package apply

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
)

// ApplyOptions are the dependencies and flags of one apply.
type ApplyOptions struct {
	IO          *iostreams.IOStreams
	Client      func() (*client.Client, error)
	Definitions func(ctx context.Context) (*discovery.Set, error)

	File   string
	Output string
	Yes    bool
	Scope  string
	// SubResource is the one subresource to write (--subresource).
	SubResource string
}

// NewCmdApply builds "central apply"; runF replaces the run in tests.
func NewCmdApply(f *factory.Factory, runF func(*ApplyOptions) error) *cobra.Command {
	opts := &ApplyOptions{IO: f.IOStreams, Client: f.Client, Definitions: f.Definitions}
	cmd := &cobra.Command{
		Use:   "apply -f FILE",
		Short: "Create or update resources from a file",
		Long: `Create or update the resources of a file, in the order they appear.

FILE is a .yaml, .yml or .json file (several YAML documents separated by
"---", or a JSON array), a directory (its resource files, by name, not
recursive), or "-" for stdin.

A resource with a name is read first: it is created when it does not exist
and replaced when it does (metadata.resourceVersion is not sent, so the file
wins over changes made since it was written). When another client creates
it between the read and the create, as parallel jobs applying one file do,
it is read again and replaced; when one deletes it before the replace, it
is created: once each, never in a loop. A resource without a name is
created, and the server generates its name. Then each subresource in the
document (status, details, x-* keys...) is written with its own request,
unless it holds that value already. A resource is reported as updated even
when nothing changed, as the Amplify CLI does (the server then makes no new
version and no event).

--subresource NAME writes only the subresource NAME of each resource,
which must exist: the resource itself and its other subresources are left as
they are, and nothing is created. An entry without NAME, without a name, or
whose resource the server does not have is reported and the others go on.

The whole file is checked first: when any entry is malformed, is of a kind
the server does not have, lacks the scope its kind needs, or has a top-level
key that is neither a field nor a sub-resource of its kind (a typo such as
"sepc"; any x-* key is a sub-resource; not checked with --subresource),
every such entry is listed and nothing is applied (exit code 1; with
-o yaml|json the same error is printed on stdout as an error document).
Then each resource gets its own line on stderr; one the server refuses is
reported and the others are still applied, and the exit code is then 1.
With -o yaml|json the resources as the server stored them are printed on
stdout as a list, those that succeeded, also when others failed (an empty
list when none did).

A file or stdin without resources (empty, only "---", or an empty list
such as "central get -o yaml|json" prints when nothing matches) applies
nothing and is not an error: a warning, exit code 0.

When the file holds resources without names and a terminal is attached, you
are asked whether to go on without capturing the generated names (default
yes). -y, or -o (which prints them), skips the question; without a terminal
(in scripts, CI) it is never asked.`,
		Example: `  # create or update everything in a file
  central apply -f webhook.yaml
  # apply a directory of .yaml and .json files, by file name
  central apply -f ./resources/
  # from stdin, keeping what the server stored (generated names included)
  cat envs.yaml | central apply -f - -o yaml -y > applied.yaml
  # a file whose entries name no scope, into one
  central apply -f resourcehook.json -s Integration/monitor
  # only the x-compliance subresource of each resource in the file
  central apply -f services.yaml --subresource x-compliance`,
		Args: cobra.NoArgs,
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
			return applyRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", `file, directory or "-" (stdin) holding the resources`)
	outputflag.Add(cmd, &opts.Output, "print the resulting resources as yaml or json; table (the default) prints only the status lines")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask before creating resources without names")
	fl.StringVarP(&opts.Scope, "scope", "s", "", "scope (KIND/NAME) for the entries that name none, e.g. Integration/monitor")
	fl.StringVar(&opts.SubResource, "subresource", "", "write only this subresource of each resource; the resource and its other subresources are left alone")
	_ = cmd.RegisterFlagCompletionFunc("scope", resource.CompleteScope(f))
	return cmd
}

func applyRun(ctx context.Context, o *ApplyOptions) error {
	return resource.WriteFile(ctx, &resource.WriteFileOptions{
		IO: o.IO, Client: o.Client, Definitions: o.Definitions,
		Mode: resource.Apply, File: o.File, Output: o.Output, Yes: o.Yes, Scope: o.Scope, SubResource: o.SubResource,
	})
}
