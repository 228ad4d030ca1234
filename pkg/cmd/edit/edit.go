// Package edit implements "central edit": change one resource in an editor.
package edit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
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

The editor is $VISUAL, else $EDITOR, else vi, run through the shell (so
EDITOR="code --wait" works); its output goes to stderr, keeping stdout for
-o. TYPE and -s/--scope work as for get and delete.

When you save and quit, what changed is written: the resource (PUT) when
its own fields changed, then each subresource you changed, added or removed
(status, x-* keys...), with a request each. Every write is conditional on
the file's metadata.resourceVersion, then on the version the previous write
left, so a change someone else made while you were editing, to any part, is
refused (the server's 428) rather than overwritten: edit again to start from
the latest. Removing metadata.resourceVersion overwrites whatever is there.

Quitting without a change (or emptying the file) prints "Edit cancelled, no
changes made." and exits 1, as the Amplify CLI does. The whole file is
checked before anything is written; when it cannot be saved (it does not
parse, renames the resource, has a top-level key that is neither a field
nor a sub-resource, or the server refuses it), the file is kept and its path
printed, so nothing you typed is lost, with what was saved before the
failure if anything was.`,
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
	if client.HasStatus(err, http.StatusNotFound) {
		return unableToRetrieve(set, o.Type, o.Name, err)
	}
	if err != nil {
		return err
	}
	if len(targets) > 1 {
		var in []string
		for _, t := range targets {
			in = append(in, t.Def.ScopeKind+"/"+scope.Name)
		}
		return fmt.Errorf("%q exists in more than one scope named %q (%s): choose one with -s KIND/NAME", targets[0].Ref.Ref(), scope.Name, strings.Join(in, ", "))
	}
	t := targets[0]
	before, err := c.Get(ctx, t.Path)
	if err != nil {
		return unableToRetrieve(set, o.Type, o.Name, err)
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
	ch, err := changesOf(t.Def, before, file.Name(), saved)
	switch {
	case errors.Is(err, errNoChange):
		return err
	case err != nil:
		keep = true
		return o.failed(before, err, nil, file.Name())
	}
	after, wrote, err := ch.save(ctx, c, t.Path)
	if err != nil {
		keep = true
		return o.failed(before, err, wrote, file.Name())
	}
	// The Amplify CLI names the kind in lower case here.
	label := *after
	label.Kind = strings.ToLower(label.Kind)
	o.IO.Success("%s has successfully been edited.", resource.Label(&label))
	if o.Output == "" {
		return nil
	}
	return printers.Print(o.IO.Out, o.Output, after)
}

// errNoChange is the Amplify CLI's answer to an editor quit without a
// change (also for an emptied file, or one changing only comments).
var errNoChange = errors.New("Edit cancelled, no changes made.")

// failed reports what could not be saved, and what was saved before it,
// and keeps the file.
func (o *EditOptions) failed(before *api.ResourceInstance, err error, wrote []string, kept string) error {
	msg := err.Error()
	if _, ok := err.(*client.APIError); ok {
		msg = resource.Describe(err)
	}
	o.IO.Failure("%s %s", resource.NameLabel(before), msg)
	if len(wrote) > 0 {
		fmt.Fprintf(o.IO.ErrOut, "Saved before that: %s.\n", strings.Join(wrote, ", "))
	}
	fmt.Fprintf(o.IO.ErrOut, "A copy of your changes has been stored to %q.\n", kept)
	return &clierr.Reported{Err: err}
}

// runEditor opens path in the user's editor and waits for it to quit. The
// editor line goes through the shell, as git does, so it may carry
// arguments and quotes. Its output goes to stderr (the terminal), so that
// stdout stays the data -o asks for.
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
	cmd := exec.CommandContext(ctx, "sh", "-c", line+` "$1"`, "central-edit", path)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = o.IO.In, o.IO.ErrOut, o.IO.ErrOut
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("the editor %q failed: %v; nothing was changed (set VISUAL or EDITOR to the editor to use)", line, err)
	}
	return nil
}

// changes is what a saved file changes of the resource it was made from.
type changes struct {
	doc *api.ResourceInstance
	// main is set when the resource itself (not its subresources) changed.
	main bool
	// subs are the subresources changed or removed, sorted; a removed one
	// is written as null.
	subs []string
}

// changesOf reads the saved file and tells what it changes of before,
// checking all of it before anything is written.
func changesOf(def discovery.Definition, before *api.ResourceInstance, source string, saved []byte) (*changes, error) {
	entries, err := loader.Parse(source, saved)
	if errors.Is(err, loader.ErrEmpty) {
		return nil, errNoChange
	}
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
	ch := &changes{doc: doc, main: !resource.SameJSON(mainPart(doc), mainPart(before))}
	for _, k := range slices.Sorted(maps.Keys(doc.SubResources)) {
		if resource.SameJSON(doc.SubResources[k], before.SubResources[k]) {
			continue
		}
		if err := resource.CheckTopLevelKeys(def, []string{k}); err != nil {
			return nil, err
		}
		ch.subs = append(ch.subs, k)
	}
	for _, k := range slices.Sorted(maps.Keys(before.SubResources)) {
		if _, kept := doc.SubResources[k]; !kept {
			ch.subs = append(ch.subs, k)
		}
	}
	slices.Sort(ch.subs)
	if !ch.main && len(ch.subs) == 0 {
		return nil, errNoChange
	}
	return ch, nil
}

// save writes the changes: the resource, then each subresource, each
// request conditional on the version the previous one left, starting from
// the file's metadata.resourceVersion (none, when the user removed it). So
// a change someone else made meanwhile, to any part, is refused with 428
// rather than overwritten. It returns the resource as the server last
// returned it, and what was written before a failure.
func (ch *changes) save(ctx context.Context, c *client.Client, p client.Path) (after *api.ResourceInstance, wrote []string, err error) {
	version := ch.doc.Metadata.ResourceVersion
	next := func(r *api.ResourceInstance) {
		if after = r; version != "" {
			version = r.Metadata.ResourceVersion
		}
	}
	if ch.main {
		body := *ch.doc
		body.SubResources = nil
		r, err := c.Update(ctx, p, &body)
		if err != nil {
			return nil, nil, err
		}
		next(r)
		wrote = append(wrote, "the resource")
	}
	for _, k := range ch.subs {
		r, err := c.SubResourcePut(ctx, p, k, ch.doc.SubResources[k], version)
		if err != nil {
			return nil, wrote, &subResourceError{k, err}
		}
		next(r)
		wrote = append(wrote, fmt.Sprintf("sub-resource %q", k))
	}
	return after, wrote, nil
}

// subResourceError is the server's refusal of a subresource's write.
type subResourceError struct {
	name string
	err  error
}

func (e *subResourceError) Error() string {
	return fmt.Sprintf("sub-resource %q %s", e.name, resource.Describe(e.err))
}
func (e *subResourceError) Unwrap() error { return e.err }

// mainPart is r without its subresources, as PUT replaces it.
func mainPart(r *api.ResourceInstance) json.RawMessage {
	body := *r
	body.SubResources = nil
	b, _ := json.Marshal(&body)
	return b
}

// unableToRetrieve is the Amplify CLI's message for a resource edit could
// not read; err stays inside, for the error document of -o json|yaml.
func unableToRetrieve(set *discovery.Set, typ, name string, err error) error {
	kind := typ
	if defs := set.Find(typ); len(defs) > 0 {
		kind = defs[0].Kind
	}
	return fmt.Errorf("Unable to retrieve %s %q: %w", kind, name, err)
}
