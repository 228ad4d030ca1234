// Package get implements "central get": list or read resources of one or
// more types, as a table, YAML or JSON.
package get

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/iostreams"
	"github.com/centralhq/central/pkg/printers"
)

// GetOptions are the dependencies and flags of one get.
type GetOptions struct {
	IO          *iostreams.IOStreams
	Client      func() (*client.Client, error)
	Definitions func(ctx context.Context) (*discovery.Set, error)
	Now         func() time.Time

	Types      []string
	Name       string
	Scope      string
	Query      string
	Title      string
	Tag        string
	Attributes []string
	Team       string
	NoOwner    bool
	Output     string
}

// NewCmdGet builds "central get"; runF replaces the run in tests.
func NewCmdGet(f *factory.Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{IO: f.IOStreams, Client: f.Client, Definitions: f.Definitions, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "get [TYPE[,TYPE...]] [NAME]",
		Short: "List one or more resources",
		Long: `List resources of one or more types, or read one by name.

TYPE is any plural, singular or short name the server knows (run "central get"
alone for the list). A scoped type needs -s/--scope to read one by name; the
scope is NAME or KIND/NAME. An unscoped type read by name takes no scope.

Without -o (or with -o table) a table is printed for each type or scope that
has resources, or "No resources found." -o yaml|json prints the objects: a
list for a type, the object for a type and a name, and one flattened list for
several types, or for a name found in two scopes called alike (-s prod
matching Environment/prod and Integration/prod): a script that reads one
object gives -s as KIND/NAME, which matches one scope. As YAML a list is one
document per resource, each after a "---" line, which "central apply -f -"
reads back; an empty list prints nothing.

Exit codes: 0 on success, 1 on any error. With several types, a type all
of whose requests failed (an unknown scope, a name not found) gets a "✖"
line on stderr and makes the exit code 1, while the others are still
printed on stdout, without an error document. A type found in one scope
kind is not failed by the others: with -s prod, webhooks are read in
Environment/prod and Integration/prod, and a 404 of the one that does not
exist is expected. When every request failed, the first error is printed
as for any command.`,
		Example: `  # every environment, as a table
  central get envs
  # the APIServices of one environment, as YAML
  central get apis -s prod -o yaml
  # one webhook in an Integration, and its URL in a script
  central get webhook jira -s Integration/monitor
  central get webhook jira -s Integration/monitor -o json | jq -r .spec.url
  # several types at once, filtered
  central get apis,webhooks -s prod -q 'name==pet*'
  central get apis --title pet --tag public --attribute team=blue
  # save the environments as YAML, to apply them again later
  central get envs -o yaml > envs.yaml
  central apply -f envs.yaml`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				for _, t := range strings.Split(args[0], ",") {
					if t = strings.TrimSpace(t); t != "" {
						opts.Types = append(opts.Types, t)
					}
				}
			}
			var err error
			if opts.Output, err = outputflag.Resolve(cmd, f, opts.Output); err != nil {
				return err
			}
			if len(args) > 1 {
				// Checked here, before any request: a name such as ".."
				// would otherwise become a path the server redirects.
				if err := resource.CheckName(args[1]); err != nil {
					return err
				}
				opts.Name = args[1]
			}
			if runF != nil {
				return runF(opts)
			}
			return getRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.Scope, "scope", "s", "", "scope of the resources: NAME or KIND/NAME")
	fl.StringVarP(&opts.Query, "query", "q", "", "RSQL query, e.g. 'name==pet*;tags==public' (overrides --title, --tag, --attribute, --team, --no-owner)")
	fl.StringVar(&opts.Title, "title", "", "only resources whose title contains this text")
	fl.StringVar(&opts.Tag, "tag", "", "only resources with this tag")
	fl.StringArrayVar(&opts.Attributes, "attribute", nil, "only resources with this attribute, as KEY=VALUE (repeatable)")
	fl.StringVar(&opts.Team, "team", "", "only resources the team with this id owns, or that are in a scope it owns (central keeps no team directory: give the id)")
	fl.BoolVar(&opts.NoOwner, "no-owner", false, "only resources without an owner")
	cmd.MarkFlagsMutuallyExclusive("team", "no-owner")
	outputflag.Add(cmd, &opts.Output, "output format: yaml, json or table (the default)")
	cmd.ValidArgsFunction = resource.CompleteTypeThenName(f)
	_ = cmd.RegisterFlagCompletionFunc("scope", resource.CompleteScope(f))
	return cmd
}

// query joins the simple filters into RSQL, unless -q was given.
func (o *GetOptions) query() (string, error) {
	var parts []string
	if o.Title != "" {
		parts = append(parts, fmt.Sprintf("title=='*%s*'", strings.ReplaceAll(o.Title, "'", "\\'")))
	}
	for _, a := range o.Attributes {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return "", clierr.Flagf(fmt.Sprintf("--attribute takes KEY=VALUE; got %q", a))
		}
		parts = append(parts, fmt.Sprintf("attributes.%s==%q", k, v))
	}
	if o.Tag != "" {
		parts = append(parts, fmt.Sprintf("tags==%q", o.Tag))
	}
	if o.Team != "" {
		id := strconv.Quote(o.Team)
		// In parentheses: ";" binds tighter than ",", and the other
		// filters must hold either way.
		parts = append(parts, fmt.Sprintf("(owner.id==%s,(owner.id==null;metadata.scope.owner.id==%s))", id, id))
	}
	if o.NoOwner {
		parts = append(parts, "owner.id==null")
	}
	if o.Query != "" {
		if len(parts) > 0 {
			o.IO.Warning("Both simple queries and advanced query parameters have been provided. Only the advanced query parameter will be applied.")
		}
		return o.Query, nil
	}
	return strings.Join(parts, ";"), nil
}

// call is one request get makes: one definition, in one scope or across all.
type call struct {
	def   discovery.Definition
	scope string
	// word is the TYPE it came from, as typed: a word may make several
	// calls, one per scope kind.
	word string
}

// errNoType is get's error without a TYPE; the command prints it with the
// kinds the server supports.
var errNoType = errors.New("You must specify the type of resource to get.")

func getRun(ctx context.Context, o *GetOptions) error {
	scope, err := resource.ParseScope(o.Scope)
	if err != nil {
		return clierr.Flagf(err.Error())
	}
	set, err := o.Definitions(ctx)
	if err != nil {
		return err
	}
	if len(o.Types) == 0 {
		o.IO.Failure("Error: %v", errNoType)
		fmt.Fprintln(o.IO.ErrOut, "\nThe server supports the following resources:")
		fmt.Fprintln(o.IO.ErrOut)
		_ = resource.PrintKinds(o.IO.ErrOut, set)
		// Reported, not silent: under -o json|yaml the root still prints
		// the error document a script reads on stdout.
		return &clierr.Reported{Err: errNoType}
	}
	query, err := o.query()
	if err != nil {
		return err
	}
	calls, err := plan(set, o.Types, o.Name, scope)
	if err != nil {
		return err
	}
	c, err := o.Client()
	if err != nil {
		return err
	}
	results := make([][]*api.ResourceInstance, len(calls))
	errs := make([]error, len(calls))
	for i, cl := range calls {
		path := set.Path(cl.def, cl.scope, o.Name)
		if o.Name != "" {
			var r *api.ResourceInstance
			if r, errs[i] = c.Get(ctx, path); errs[i] == nil {
				results[i] = []*api.ResourceInstance{r}
			}
			continue
		}
		results[i], errs[i] = c.List(ctx, path, client.ListOptions{Query: query})
	}
	if len(errs) > 0 && !slices.Contains(errs, nil) {
		return errs[0] // nothing answered: say why
	}
	if err := o.print(calls, results); err != nil {
		return err
	}
	failed := failedWords(calls, errs)
	if len(failed) == 0 {
		return nil
	}
	// The data of the other types is the output on stdout, so the root
	// must print no error document after it: the failures are told here.
	for _, f := range failed {
		o.IO.Failure("Error: %s: %s", f.word, resource.ErrorDetail(f.err))
	}
	return clierr.ErrSilent
}

// wordError is the first error of a TYPE none of whose calls succeeded.
type wordError struct {
	word string
	err  error
}

// failedWords returns, in the order typed, the TYPEs all of whose calls
// failed. A TYPE with one call that succeeded is fine: with -s prod,
// webhooks are asked for in Environment/prod and Integration/prod, and the
// 404 of the scope that does not exist is expected.
func failedWords(calls []call, errs []error) []wordError {
	var failed []wordError
	ok := map[string]bool{}
	for i, cl := range calls {
		if errs[i] == nil {
			ok[cl.word] = true
		}
	}
	seen := map[string]bool{}
	for i, cl := range calls {
		if !ok[cl.word] && !seen[cl.word] {
			seen[cl.word] = true
			failed = append(failed, wordError{cl.word, errs[i]})
		}
	}
	return failed
}

// plan turns the typed words into requests, following the Amplify CLI: with
// a scope one request per matching definition in it; without, one request
// per kind across all scopes.
func plan(set *discovery.Set, types []string, name string, scope resource.Scope) ([]call, error) {
	var calls []call
	for _, word := range types {
		defs, err := resource.Resolve(set, word)
		if err != nil {
			return nil, err
		}
		if scope.Name == "" {
			if name != "" && resource.AllScoped(defs) {
				return nil, fmt.Errorf("scope name param (-s/--scope) is required for the scoped %q resource.", defs[0].Kind)
			}
			seen := map[string]bool{}
			for _, d := range defs {
				if !seen[d.Group+"/"+d.Plural] {
					seen[d.Group+"/"+d.Plural] = true
					calls = append(calls, call{def: d, word: word})
				}
			}
			continue
		}
		defs, err = resource.FilterScope(set, defs, scope)
		if err != nil {
			return nil, err
		}
		// A list of an unscoped kind ignores the scope, so that
		// "get envs,apis -s prod" works as in the Amplify CLI; a name
		// with a scope its kind cannot have is a mistake, as in delete.
		if name != "" && !anyScoped(defs) {
			return nil, resource.NoScope(defs[0].Kind)
		}
		for _, d := range defs {
			sc := scope.Name
			if !d.Scoped() {
				sc = ""
			}
			calls = append(calls, call{def: d, scope: sc, word: word})
		}
	}
	return calls, nil
}

// anyScoped reports whether one of defs is scoped.
func anyScoped(defs []discovery.Definition) bool {
	for _, d := range defs {
		if d.Scoped() {
			return true
		}
	}
	return false
}

// print writes the results as the Amplify CLI does: in table mode the
// success line on stderr, then on stdout a blank line and a table for each
// request that found something, or a blank line and "No resources found."
// once; otherwise the objects as YAML/JSON.
func (o *GetOptions) print(calls []call, results [][]*api.ResourceInstance) error {
	if o.Output != "" {
		p, _ := printers.ForFormat(o.Output, printers.Table{})
		var all []*api.ResourceInstance
		for _, rs := range results {
			all = append(all, rs...)
		}
		if all == nil {
			all = []*api.ResourceInstance{}
		}
		// One type and a name print the object, unless the name is taken
		// in several scopes called alike (Environment/prod and
		// Integration/prod): then, as for several types, the list of all.
		if len(o.Types) == 1 && o.Name != "" && len(all) == 1 {
			return p.Print(o.IO.Out, all[0])
		}
		return p.Print(o.IO.Out, all)
	}
	o.IO.Success("Resource(s) successfully retrieved")
	printed := false
	for i, rs := range results {
		if len(rs) == 0 {
			continue
		}
		fmt.Fprintln(o.IO.Out)
		t := printers.Table{Columns: calls[i].def.Columns, Now: o.Now, Color: o.IO.ColorEnabled()}
		if err := t.Print(o.IO.Out, rs); err != nil {
			return err
		}
		printed = true
	}
	if !printed {
		fmt.Fprintln(o.IO.Out, "\nNo resources found.")
	}
	return nil
}
