package resource

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/discovery"
)

// Completion asks the server (through the cached definitions) for what can
// follow on the command line. A server that does not answer quickly gives
// no suggestions rather than a stuck shell.

const completionTimeout = 3 * time.Second

func completionContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), completionTimeout)
}

// CompleteTypeThenName completes the first argument with the resource types
// (plurals and short names) and the second with the names of that type,
// within the --scope when one is given.
func CompleteTypeThenName(f *factory.Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		ctx, cancel := completionContext()
		defer cancel()
		set, err := f.Definitions(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		switch len(args) {
		case 0:
			return typeWords(set, toComplete), cobra.ShellCompDirectiveNoFileComp
		case 1:
			scope, _ := cmd.Flags().GetString("scope")
			return names(ctx, f, set, args[0], scope, toComplete), cobra.ShellCompDirectiveNoFileComp
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
}

// CompleteScope completes --scope with KIND/NAME of the scopes the typed
// resource type can live in (or of every scope kind when none is typed).
func CompleteScope(f *factory.Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		ctx, cancel := completionContext()
		defer cancel()
		set, err := f.Definitions(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		kinds := set.ScopeKinds()
		if len(args) > 0 {
			kinds = nil
			for _, word := range strings.Split(args[0], ",") {
				for _, d := range set.Find(word) {
					if d.ScopeKind != "" {
						kinds = append(kinds, d.ScopeKind)
					}
				}
			}
		}
		c, err := f.Client()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, k := range dedupe(kinds) {
			d, ok := set.ForKind(k, "")
			if !ok {
				continue
			}
			rs, err := c.List(ctx, set.Path(d, "", ""), client.ListOptions{Fields: []string{"name"}})
			if err != nil {
				continue
			}
			for _, r := range rs {
				if v := k + "/" + r.Name; strings.HasPrefix(v, toComplete) {
					out = append(out, v)
				}
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func typeWords(set *discovery.Set, prefix string) []cobra.Completion {
	var words []string
	for _, d := range set.Definitions {
		words = append(words, d.Plural)
		words = append(words, d.ShortNames...)
	}
	var out []cobra.Completion
	for _, w := range dedupe(words) {
		if strings.HasPrefix(w, prefix) {
			out = append(out, w)
		}
	}
	return out
}

func names(ctx context.Context, f *factory.Factory, set *discovery.Set, word, scope, prefix string) []cobra.Completion {
	defs, err := Resolve(set, word)
	if err != nil {
		return nil
	}
	sc, _ := ParseScope(scope)
	if sc.Name != "" {
		if defs, err = FilterScope(set, defs, sc); err != nil {
			return nil
		}
	}
	c, err := f.Client()
	if err != nil {
		return nil
	}
	var found []string
	for _, d := range defs {
		p := set.Path(d, "", "")
		if d.Scoped() && sc.Name != "" {
			p = set.Path(d, sc.Name, "")
		}
		rs, err := c.List(ctx, p, client.ListOptions{Fields: []string{"name"}})
		if err != nil {
			continue
		}
		for _, r := range rs {
			if strings.HasPrefix(r.Name, prefix) {
				found = append(found, r.Name)
			}
		}
	}
	out := make([]cobra.Completion, 0, len(found))
	for _, n := range dedupe(found) {
		out = append(out, n)
	}
	return out
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
