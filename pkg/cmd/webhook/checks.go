package webhook

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/hooks/webhookref"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
)

// target is a resource the command is about to create, with what to tell
// the user if it exists already.
type target struct {
	def  discovery.Definition
	ref  webhookref.Ref // the scope it is made in
	name string
	path client.Path
	// why adds to "already exists" what the command would do to it.
	why string
	// instead is the way on that keeps it, offered before deleting it.
	instead string
}

// exists says that t is there and how to go on.
func (t target) exists() string {
	label := resource.Label(&api.ResourceInstance{Kind: t.def.Kind, Name: t.name,
		Metadata: api.Metadata{Scope: &api.Scope{Kind: t.ref.ScopeKind, Name: t.ref.ScopeName}}})
	return fmt.Sprintf("%s already exists%s: %s, or delete it first (central delete %s %s -s %s).",
		label, t.why, t.instead, cmp.Or(t.def.Singular, t.def.Plural), t.name, t.ref.Scope())
}

// checkFree makes sure that nothing the command would create is there
// already, before it creates anything: otherwise a clash with the last
// resource would leave the first ones made, and running the command again
// would clash with those. It is only a check (a resource made meanwhile
// still fails its step), but it turns the common case, a leftover of an
// earlier run or a name taken by hand, into a clean refusal.
func checkFree(ctx context.Context, c *client.Client, targets []target) error {
	var taken []string
	for _, t := range targets {
		_, err := c.Get(ctx, t.path)
		switch {
		case client.HasStatus(err, http.StatusNotFound):
		case err != nil:
			return err
		default:
			taken = append(taken, t.exists())
		}
	}
	if len(taken) == 0 {
		return nil
	}
	return errors.New(strings.Join(taken, "\n") + "\nNothing was created.")
}

// warnMissingSecret warns when the Secret --secret names is not there, or
// lacks the key: the webhook is made all the same (the Secret may come
// next), but until then its requests go out without Authorization, which
// the receiver is likely to refuse.
func (r *creation) warnMissingSecret(ctx context.Context, set *discovery.Set, ref webhookref.Ref, secret *api.SecretRef) {
	def, ok := set.ForKind("Secret", ref.ScopeKind)
	if !ok {
		return
	}
	res, err := r.c.Get(ctx, set.Path(def, ref.ScopeName, secret.Name))
	where := fmt.Sprintf("%s/%s", ref.ScopeKind, ref.ScopeName)
	switch {
	case client.HasStatus(err, http.StatusNotFound):
		r.o.IO.Warning("There is no Secret %q in %s: requests go out without Authorization until it is created with the key %q.", secret.Name, where, secret.Key)
	case err != nil:
		return // the webhook is made; reading the Secret is only a check
	default:
		var spec api.SecretSpec
		if res.DecodeSpec(&spec) == nil {
			if _, ok := spec.Data[secret.Key]; !ok {
				r.o.IO.Warning("The Secret %q in %s has no key %q: requests go out without Authorization until it has.", secret.Name, where, secret.Key)
			}
		}
	}
}

// warnMissingTriggerScopes warns of each trigger scoped to a resource that
// is not there (a typo, or one still to come): the hook is made all the
// same, as with --secret, but the trigger matches nothing until that
// resource exists. flags are the --trigger values, one per trigger.
func (r *creation) warnMissingTriggerScopes(ctx context.Context, set *discovery.Set, triggers []api.Trigger, flags []string) {
	missing := map[api.TriggerScope]bool{} // looked up once per scope
	for i, t := range triggers {
		if t.Scope == nil {
			continue
		}
		gone, seen := missing[*t.Scope]
		if !seen {
			def, ok := set.ForKind(t.Scope.Kind, "")
			if !ok {
				continue // a scope kind that is itself scoped: not checked
			}
			_, err := r.c.Get(ctx, set.Path(def, "", t.Scope.Name))
			gone = client.HasStatus(err, http.StatusNotFound)
			missing[*t.Scope] = gone
		}
		if gone {
			r.o.IO.Warning("There is no %s %q: --trigger %s matches nothing until it is created.", t.Scope.Kind, t.Scope.Name, flags[i])
		}
	}
}
