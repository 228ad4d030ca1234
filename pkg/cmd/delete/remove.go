package delete

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
)

// errNotDeleted is --wait running out of time, in the Amplify CLI's words.
var errNotDeleted = errors.New("resource has not been deleted yet.")

// confirm asks before deleting a scope, which deletes everything in it, and
// before --forceDelete, which ignores finalizers.
func (o *DeleteOptions) confirm(set *discovery.Set, targets []resource.Target) error {
	if i := slices.IndexFunc(targets, func(t resource.Target) bool { return isScope(set, t.Ref.Kind) }); i >= 0 {
		err := o.ask("Deleting this will delete all resources under its scope. Are you sure you want to do this?",
			fmt.Sprintf("deleting %s also deletes everything in its scope: add -y to confirm (there is no terminal to ask on)", resource.Label(targets[i].Ref)))
		if err != nil {
			return err
		}
	}
	if o.Force && len(targets) > 0 {
		return o.ask("Are you sure you want to force delete this resource?",
			fmt.Sprintf("--forceDelete ignores the finalizers of %s and of everything in its scope: add -y to confirm (there is no terminal to ask on)", resource.Label(targets[0].Ref)))
	}
	return nil
}

// isScope reports whether other kinds live in kind, so that deleting one of
// its resources deletes theirs too.
func isScope(set *discovery.Set, kind string) bool {
	return slices.ContainsFunc(set.Definitions, func(d discovery.Definition) bool { return d.ScopeKind == kind })
}

// ask asks question (default no) unless -y was given. Without a terminal it
// cannot ask, and fails with noTerminal rather than go ahead unasked.
func (o *DeleteOptions) ask(question, noTerminal string) error {
	if o.Yes {
		return nil
	}
	if !o.IO.CanPrompt() {
		return errors.New(noTerminal)
	}
	ok, err := o.IO.Confirm(question, false)
	if err != nil || !ok {
		return clierr.ErrCancelled
	}
	return nil
}

// remove deletes one resource and reports it. A 2xx is success, as the
// Amplify CLI has it, so scripts matching its line find it; a resource held
// by finalizers gets a warning after that line saying it still exists.
// With --wait success is reported only once the resource is gone.
func (o *DeleteOptions) remove(ctx context.Context, c *client.Client, t resource.Target) error {
	held, err := c.Delete(ctx, t.Path, o.Force)
	if err != nil {
		return o.notFound(err, resource.Label(t.Ref))
	}
	if !o.Wait {
		o.IO.Success("%s has successfully been deleted.", resource.Label(t.Ref))
	}
	if held != nil {
		o.IO.Warning("%s is only marked for deletion (DELETING): finalizers hold it until they are removed (--forceDelete ignores them).", resource.Label(t.Ref))
	}
	if !o.Wait {
		return nil
	}
	if err := o.waitGone(ctx, c, t.Path); err != nil {
		return err
	}
	o.IO.Success("%s has successfully been deleted.", resource.Label(t.Ref))
	return nil
}

// notFound passes err on, but with --ignore-not-found turns a 404 into a
// warning about what, which was already gone.
func (o *DeleteOptions) notFound(err error, what string) error {
	if !o.IgnoreNotFound || !client.HasStatus(err, http.StatusNotFound) {
		return err
	}
	o.IO.Warning("%s was not found: nothing to delete.", what)
	return nil
}

// waitGone reads the resource until the server says it is not found, or
// until WaitTimeout has passed.
func (o *DeleteOptions) waitGone(ctx context.Context, c *client.Client, p client.Path) error {
	timeout, interval := o.WaitTimeout, o.PollInterval
	if timeout <= 0 {
		timeout = DefaultWaitTimeout
	}
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		_, err := c.Get(wctx, p)
		if client.HasStatus(err, http.StatusNotFound) {
			return nil
		}
		if err != nil && wctx.Err() == nil {
			return err
		}
		select {
		case <-wctx.Done():
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return errNotDeleted
		case <-tick.C:
		}
	}
}
