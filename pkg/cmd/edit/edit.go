// Package edit implements "central edit": change one resource in an editor.
package edit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"

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

// EditOptions are the dependencies and flags of one edit.
type EditOptions struct {
	IO          *iostreams.IOStreams
	Client      func() (*client.Client, error)
	Definitions func(ctx context.Context) (*discovery.Set, error)
	// Editor is the command line of the editor; "" reads VISUAL, then
	// EDITOR, then uses vi.
	Editor string

	Type, Name string
	Scope      string
	Output     string
}

// NewCmdEdit builds "central edit"; runF replaces the run in tests.
func NewCmdEdit(f *factory.Factory, runF func(*EditOptions) error) *cobra.Command {
	opts := &EditOptions{IO: f.IOStreams, Client: f.Client, Definitions: f.Definitions}
	cmd := &cobra.Command{
		Use:   "edit TYPE NAME [-s SCOPE]",
		Short: "Change a resource in your editor",
		Long: `Open a resource as YAML in your editor and save what you change.

The editor is $VISUAL, else $EDITOR, else vi; it may carry arguments
(EDITOR="code --wait"). TYPE and -s/--scope work as for get and delete.

When you save and quit, the resource is replaced (PUT) with what the file
holds, and each subresource you changed (status, x-* keys...) is written
with its own request. The file keeps metadata.resourceVersion, so a change
someone else made while you were editing is refused (the server's 428)
rather than overwritten: edit again to start from the latest. Removing
metadata.resourceVersion overwrites whatever is there.

Quitting without a change prints "Edit cancelled, no changes made." and
exits 1, as the Amplify CLI does. When what you saved cannot be written (it
does not parse, it renames the resource, the server refuses it), the file is
kept and its path printed, so nothing you typed is lost.`,
		Example: `  central edit env prod
  central edit webhook jira -s Integration/monitor
  # with another editor, printing what the server stored
  EDITOR="nano" central edit apis petstore -s prod -o yaml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return clierr.Flagf(fmt.Sprintf("edit takes TYPE and NAME, got %d arguments.", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Type, opts.Name = args[0], args[1]
			var err error
			if opts.Output, err = outputflag.Normalize(opts.Output); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return editRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Scope, "scope", "s", "", "scope of the resource: NAME or KIND/NAME")
	outputflag.Add(cmd, &opts.Output, "print the resource as the server stored it, as yaml or json")
	cmd.ValidArgsFunction = resource.CompleteTypeThenName(f)
	_ = cmd.RegisterFlagCompletionFunc("scope", resource.CompleteScope(f))
	return cmd
}

func editRun(ctx context.Context, o *EditOptions) error {
	set, err := o.Definitions(ctx)
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
		return err
	}
	if len(targets) > 1 {
		return fmt.Errorf("%q exists in more than one scope named %q: choose one with -s KIND/NAME", targets[0].Ref.Ref(), scope.Name)
	}
	t := targets[0]
	before, err := c.Get(ctx, t.Path)
	if err != nil {
		return err
	}
	var text bytes.Buffer
	if err := (printers.YAML{}).Print(&text, before); err != nil {
		return err
	}
	file, err := os.CreateTemp("", "central-edit-*.yaml")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			os.Remove(file.Name())
		}
	}()
	_, err = file.Write(text.Bytes())
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := o.runEditor(ctx, file.Name()); err != nil {
		return err
	}
	saved, err := os.ReadFile(file.Name())
	if err != nil {
		return err
	}
	if bytes.Equal(saved, text.Bytes()) {
		return errors.New("Edit cancelled, no changes made.")
	}
	after, err := save(ctx, c, t.Path, file.Name(), before, saved)
	if err != nil {
		keep = true
		msg := err.Error()
		if errors.As(err, new(*client.APIError)) {
			msg = resource.Describe(err)
		}
		o.IO.Failure("%s %s", resource.Label(before), msg)
		fmt.Fprintf(o.IO.ErrOut, "A copy of your changes has been stored to %q.\n", file.Name())
		return clierr.ErrSilent
	}
	o.IO.Success("%s has successfully been edited.", resource.Label(after))
	if o.Output == "" {
		return nil
	}
	p, err := printers.ForFormat(o.Output, printers.Table{})
	if err != nil {
		return err
	}
	return p.Print(o.IO.Out, after)
}

// runEditor opens path in the user's editor, attached to the command's
// streams, and waits for it to quit.
func (o *EditOptions) runEditor(ctx context.Context, path string) error {
	line := o.Editor
	for _, env := range []string{"VISUAL", "EDITOR"} {
		if line == "" {
			line = strings.TrimSpace(os.Getenv(env))
		}
	}
	if line == "" {
		line = "vi"
	}
	args := strings.Fields(line)
	cmd := exec.CommandContext(ctx, args[0], append(args[1:], path)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = o.IO.In, o.IO.Out, o.IO.ErrOut
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("the editor %q failed: %v; nothing was changed (set VISUAL or EDITOR to the editor to use)", line, err)
	}
	return nil
}

// save writes what the user saved over before: the resource when its main
// part changed, then each subresource that changed. It returns the resource
// as the server last returned it.
func save(ctx context.Context, c *client.Client, p client.Path, source string, before *api.ResourceInstance, saved []byte) (*api.ResourceInstance, error) {
	entries, err := loader.Parse(source, saved)
	if err != nil {
		return nil, err
	}
	if len(entries) != 1 {
		return nil, fmt.Errorf("the file holds %d resources; edit saves one", len(entries))
	}
	if entries[0].Err != nil {
		return nil, entries[0].Err
	}
	doc := entries[0].Resource
	if doc.Kind != before.Kind || doc.Name != before.Name || doc.ScopeName() != before.ScopeName() {
		return nil, fmt.Errorf("edit cannot change a resource's kind, name or scope (the file names %s): create the new one with \"central apply -f\"", resource.Label(doc))
	}
	after := before
	if !sameJSON(mainPart(doc), mainPart(before)) {
		body := *doc
		body.SubResources = nil
		if after, err = c.Update(ctx, p, &body); err != nil {
			return nil, err
		}
	}
	for _, k := range slices.Sorted(maps.Keys(doc.SubResources)) {
		if sameJSON(doc.SubResources[k], before.SubResources[k]) {
			continue
		}
		if after, err = c.SubResourcePut(ctx, p, k, doc.SubResources[k], ""); err != nil {
			return nil, fmt.Errorf("sub-resource %q %s", k, resource.Describe(err))
		}
	}
	return after, nil
}

// mainPart is r without its subresources, as PUT replaces it.
func mainPart(r *api.ResourceInstance) json.RawMessage {
	body := *r
	body.SubResources = nil
	b, _ := json.Marshal(&body)
	return b
}

// sameJSON reports whether a and b hold the same JSON value, however
// spaced or ordered.
func sameJSON(a, b json.RawMessage) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return bytes.Equal(a, b)
	}
	ca, _ := json.Marshal(va)
	cb, _ := json.Marshal(vb)
	return bytes.Equal(ca, cb)
}
