package apiserver

import (
	"net/http"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/registry"
	"github.com/centralhq/central/pkg/store"
)

// handleDelete removes a resource and, for a scope, everything in it.
// Finalizers hold a resource in the DELETING state (202) until they are
// removed; ?forceDelete=true ignores them here and in the scope.
func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) (any, error) {
	t, err := resolve(r)
	if err != nil {
		return nil, err
	}
	force := r.URL.Query().Get("forceDelete") == "true"
	var held *api.ResourceInstance
	err = s.update(r, func(c *change) error {
		if _, err := c.scope(t); err != nil {
			return err
		}
		res, err := c.get(t.kind, t.scopeKindName(), t.scopeName, t.name)
		if err != nil {
			return err
		}
		children, err := c.tx.ResourceList(c.ctx, store.ResourceFilter{Org: s.Org, ScopeKind: res.Kind, ScopeName: res.Name})
		if err != nil {
			return err
		}
		remaining := 0
		for _, child := range children {
			if done, err := c.deleteOne(child, force); err != nil {
				return err
			} else if !done {
				remaining++
			}
		}
		if remaining > 0 && !force {
			held = res
			return c.markDeleting(res)
		}
		done, err := c.deleteOne(res, force)
		if !done {
			held = res
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if held != nil {
		atVersion(held, t.version)
		return accepted(held), nil
	}
	return response{status: http.StatusNoContent}, nil
}

// deleteOne deletes r now, or marks it DELETING when finalizers hold it.
func (c *change) deleteOne(r *api.ResourceInstance, force bool) (deleted bool, err error) {
	if len(r.Finalizers) > 0 && !force {
		return false, c.markDeleting(r)
	}
	return true, c.write(api.ResourceDeleted, r, "")
}

func (c *change) markDeleting(r *api.ResourceInstance) error {
	if r.Metadata.State == api.StateDeleting {
		return nil
	}
	r.Metadata.State = api.StateDeleting
	return c.write(api.ResourceUpdated, r, "")
}

// finishDelete deletes a DELETING resource whose last finalizer is gone and,
// when that empties a DELETING scope without finalizers, the scope too.
func (c *change) finishDelete(r *api.ResourceInstance) error {
	inside, err := c.tx.ResourceList(c.ctx, store.ResourceFilter{Org: c.s.Org, ScopeKind: r.Kind, ScopeName: r.Name})
	if err != nil {
		return err
	}
	if len(inside) > 0 { // a scope waits for what it holds
		return c.write(api.ResourceUpdated, r, "")
	}
	if err := c.write(api.ResourceDeleted, r, ""); err != nil {
		return err
	}
	if r.Metadata.Scope == nil {
		return nil
	}
	sk, ok := registry.ByKind(r.ScopeKind())
	if !ok {
		return nil
	}
	scope, err := c.get(sk, "", "", r.ScopeName())
	if err != nil || scope.Metadata.State != api.StateDeleting || len(scope.Finalizers) > 0 {
		return nil
	}
	left, err := c.tx.ResourceList(c.ctx, store.ResourceFilter{Org: c.s.Org, ScopeKind: scope.Kind, ScopeName: scope.Name})
	if err != nil || len(left) > 0 {
		return err
	}
	return c.write(api.ResourceDeleted, scope, "")
}
