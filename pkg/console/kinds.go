package console

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/centralhq/central/pkg/client"
	"github.com/centralhq/central/pkg/discovery"
)

// kindsTTL is how long the definitions are reused. A server's kinds do not
// change while it runs, so this only bounds staleness across upgrades of a
// server the console outlives (none today).
const kindsTTL = 5 * time.Minute

// kindCache holds the server's kinds as /apis/definitions describes them:
// the console hard-codes no URL of any kind.
type kindCache struct {
	now     func() time.Time
	mu      sync.Mutex
	set     *discovery.Set
	fetched time.Time
}

// get returns the kinds, reading the definitions with api when the cached
// copy is missing or old.
func (k *kindCache) get(ctx context.Context, api *client.Client) (*discovery.Set, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.set != nil && k.now().Sub(k.fetched) < kindsTTL {
		return k.set, nil
	}
	set, err := discovery.Load(ctx, api, "", true)
	if err != nil {
		return nil, err
	}
	k.set, k.fetched = set, k.now()
	return set, nil
}

// paths addresses resources by kind, from the definitions.
type paths struct{ set *discovery.Set }

func (c *console) paths(ctx context.Context, s *session) (paths, error) {
	set, err := c.kinds.get(ctx, s.api)
	return paths{set}, err
}

// of returns the path of a resource of kind in the scope scopeKind/scopeName;
// with no scopeName it addresses the kind in every scope (or unscoped). An
// empty name addresses the collection.
func (p paths) of(kind, scopeKind, scopeName, name string) (client.Path, error) {
	for _, d := range p.set.Definitions {
		if d.Kind == kind && (scopeName == "" || d.ScopeKind == scopeKind) {
			return p.set.Path(d, scopeName, name), nil
		}
	}
	if scopeName != "" {
		return client.Path{}, notFound(fmt.Sprintf("The server has no kind %s in %s scopes.", kind, scopeKind))
	}
	return client.Path{}, notFound(fmt.Sprintf("The server has no kind %s.", kind))
}
