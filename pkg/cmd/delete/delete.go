// Package delete implements "central delete": delete one resource by type and
// name, or the resources of a file.
package delete

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
)

// Defaults of DeleteOptions.WaitTimeout and PollInterval: --wait checks for
// up to 10 s, as the Amplify CLI documents.
const (
	DefaultWaitTimeout  = 10 * time.Second
	DefaultPollInterval = 200 * time.Millisecond
)

// DeleteOptions are the dependencies and flags of one delete.
type DeleteOptions struct {
	IO          *iostreams.IOStreams
	Client      func() (*client.Client, error)
	Definitions func(ctx context.Context) (*discovery.Set, error)
	// WaitTimeout bounds --wait and PollInterval is how often it looks;
	// zero means the defaults. Tests shorten them.
	WaitTimeout, PollInterval time.Duration

	Type, Name string
	Scope      string
	File       string
	Wait       bool
	Force      bool
	Yes        bool
	// IgnoreNotFound counts a resource that is not there as deleted.
	IgnoreNotFound bool
}

// NewCmdDelete builds "central delete"; runF replaces the run in tests.
func NewCmdDelete(f *factory.Factory, runF func(*DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{IO: f.IOStreams, Client: f.Client, Definitions: f.Definitions,
		WaitTimeout: DefaultWaitTimeout, PollInterval: DefaultPollInterval}
	cmd := &cobra.Command{
		Use:   "delete (TYPE NAME [-s SCOPE] | -f FILE)",
		Short: "Delete a resource, or the resources of a file",
		Long: `Delete one resource by type and name, or every resource of a file.

TYPE is any plural, singular or short name the server knows (run
"central delete" alone for the list). A scoped type needs -s/--scope, as NAME
or KIND/NAME. When a scope NAME alone fits several scope kinds (a Webhook in
an Environment or in an Integration), each one holding the resource is
deleted, after asking.

Deleting a scope (an Environment, an Integration...) deletes everything in it,
so it asks first (default no). --forceDelete also asks: it ignores the
finalizers of the resource and of everything in its scope. -y answers yes.
Without a terminal to ask on (scripts, CI) these deletes need -y and fail
without it, rather than deleting a whole scope unasked.

A resource held by finalizers is only marked for deletion (DELETING) until
the controllers that own them remove them; delete then reports success, as
the Amplify CLI does, followed by a warning that it still exists, and exits 0. --wait checks until the resource is gone, for up to 10
seconds, and fails with "resource has not been deleted yet." if it is not.

With -f FILE (a file, a directory or "-" for stdin, as for apply) the entries
are deleted in REVERSE file order: files usually list a scope before the
resources in it, and this way those resources go before their scope, each
with its own message. A file with a bad entry (malformed, unnamed, of an
unknown kind) deletes nothing. -s KIND/NAME places the entries that name no
scope of their own, as apply -f does. A resource that is not found is an error for
its entry; the others are still deleted, and the exit code is then 1
(--ignore-not-found makes it a warning instead, for a teardown that may run
twice). A file
or stdin without resources (empty, only "---", or an empty list) deletes
nothing and is not an error: a warning, exit code 0.`,
		Example: `  # delete an environment (and everything in it), asking first
  central delete env staging
  # in a script: no terminal to ask on, so confirm with -y
  central delete env staging -y
  # a scoped resource
  central delete apis petstore -s prod
  central delete webhook jira -s Integration/monitor --wait
  # everything a file created, its scoped resources first
  central delete -f resources.yaml -y
  # a teardown step that may find some of it gone already
  central delete -f resources.yaml -y --ignore-not-found`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 2 {
				return clierr.Flagf(fmt.Sprintf("too many arguments: delete takes TYPE and NAME, got %d arguments.", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				opts.Type = args[0]
			}
			if len(args) > 1 {
				opts.Name = args[1]
			}
			switch {
			case opts.File != "" && opts.Type != "":
				return clierr.Flagf("Invalid command arguments, please provide a file path or resource type and name.")
			case opts.Type != "" && opts.Name == "":
				return clierr.Flagf("resource name is required.")
			}
			if runF != nil {
				return runF(opts)
			}
			return deleteRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.File, "file", "f", "", `file, directory or "-" (stdin) holding the resources to delete`)
	fl.StringVarP(&opts.Scope, "scope", "s", "", "scope of the resource: NAME or KIND/NAME; with -f, KIND/NAME for the entries that name none")
	fl.BoolVar(&opts.Wait, "wait", false, "wait up to 10 seconds for the resource to be gone")
	fl.BoolVar(&opts.Force, "forceDelete", false, "delete even when finalizers hold the resource or what is in its scope")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	fl.BoolVar(&opts.IgnoreNotFound, "ignore-not-found", false, "a resource that is not found is a warning, not an error")
	cmd.ValidArgsFunction = resource.CompleteTypeThenName(f)
	_ = cmd.RegisterFlagCompletionFunc("scope", resource.CompleteScope(f))
	return cmd
}

func deleteRun(ctx context.Context, o *DeleteOptions) error {
	if o.File != "" {
		return deleteFile(ctx, o)
	}
	set, err := o.Definitions(ctx)
	if o.Type == "" {
		const msg = "You must specify the type and name of the resource to delete or a file path."
		if err != nil {
			return clierr.Flagf(msg) // without the server's list of resources
		}
		o.IO.Failure("Error: %s", msg)
		fmt.Fprintln(o.IO.ErrOut)
		fmt.Fprintln(o.IO.ErrOut, "The server supports the following resources:")
		fmt.Fprintln(o.IO.ErrOut)
		_ = resource.PrintKinds(o.IO.ErrOut, set)
		return clierr.ErrSilent
	}
	if err != nil {
		return err
	}
	scope, err := resource.ParseScope(o.Scope)
	if err != nil {
		return clierr.Flagf(err.Error())
	}
	c, err := o.Client()
	if err != nil {
		return err
	}
	targets, err := resource.Find(ctx, c, set, o.Type, o.Name, scope)
	if err != nil {
		kind := o.Type // the kind, as the DELETE's 404 names it, when the word has one
		if defs := set.Find(o.Type); len(defs) > 0 {
			kind = defs[0].Kind
		}
		what := fmt.Sprintf("%q", kind+"/"+o.Name)
		if o.Scope != "" {
			what += fmt.Sprintf(" in the scope %q", o.Scope)
		}
		return o.notFound(err, what)
	}
	if len(targets) > 1 {
		err := o.ask("The resource may exist in many scopes, and multiple entities might be deleted. Do you want to continue?",
			fmt.Sprintf("%q exists in more than one scope named %q: add -y to delete all of them, or choose one with -s KIND/NAME (there is no terminal to ask on)",
				targets[0].Ref.Ref(), scope.Name))
		if err != nil {
			return err
		}
	}
	if err := o.confirm(set, targets); err != nil {
		return err
	}
	for _, t := range targets {
		if err := o.remove(ctx, c, t); err != nil {
			return err
		}
	}
	return nil
}
