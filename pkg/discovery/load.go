package discovery

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

// definitionsVersion is the version of the definitions group itself; the
// CLI needs it before it knows anything else, so it cannot be discovered.
const definitionsVersion = "v1alpha1"

// fallbackVersion is used when a kind lists no served, non-deprecated
// version, as the Amplify CLI does.
const fallbackVersion = "v1alpha1"

var groupsPath = client.Path{Group: api.DefinitionsGroup, Version: definitionsVersion, Plural: "groups"}

// Load returns the kinds the server at c serves. The groups list is always
// fetched (it is small); the rest comes from the cache in cacheDir when that
// is younger than 12 hours and every group still has the resourceVersion it
// had then. refresh (the CLI's --no-cache) skips reading the cache; an empty
// cacheDir disables it. Failing to write the cache is not an error: the CLI
// must work with a read-only home.
func Load(ctx context.Context, c *client.Client, cacheDir string, refresh bool) (*Set, error) {
	return load(ctx, c, cacheDir, refresh, time.Now)
}

func load(ctx context.Context, c *client.Client, cacheDir string, refresh bool, now func() time.Time) (*Set, error) {
	groups, err := c.List(ctx, groupsPath, client.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading the server's resource groups: %w", err)
	}
	versions := map[string]string{}
	for _, g := range groups {
		if g.Name != api.DefinitionsGroup {
			versions[g.Name] = g.Metadata.ResourceVersion
		}
	}
	file := cachePath(cacheDir, c.BaseURL())
	if !refresh {
		if s, ok := readCache(file, c.BaseURL(), versions, now()); ok {
			return s, nil
		}
	}
	defs, err := fetchAll(ctx, c, versions)
	if err != nil {
		return nil, err
	}
	s := newSet(defs)
	writeCache(file, cacheEntry{BaseURL: c.BaseURL(), FetchedAt: now(), Groups: versions, Set: s})
	return s, nil
}

// fetchAll fetches and joins the definitions of every group, the groups in
// parallel, and resolves each scope kind's plural across all of them.
func fetchAll(ctx context.Context, c *client.Client, groups map[string]string) ([]Definition, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		defs     []Definition
		firstErr error
	)
	for g := range groups {
		wg.Go(func() {
			d, err := fetchGroup(ctx, c, g)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				return
			}
			defs = append(defs, d...)
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	resolveScopePlurals(defs)
	return defs, nil
}

// fetchGroup lists a group's ResourceDefinitions and CommandLineInterfaces
// and joins them.
func fetchGroup(ctx context.Context, c *client.Client, group string) ([]Definition, error) {
	list := func(plural string) ([]*api.ResourceInstance, error) {
		p := client.Path{Group: api.DefinitionsGroup, Version: definitionsVersion,
			ScopePlural: "groups", ScopeName: group, Plural: plural}
		items, err := c.List(ctx, p, client.ListOptions{})
		if err != nil {
			return nil, fmt.Errorf("reading the %s of resource group %q: %w", plural, group, err)
		}
		return items, nil
	}
	resources, err := list("resources")
	if err != nil {
		return nil, err
	}
	commandLines, err := list("commandlines")
	if err != nil {
		return nil, err
	}
	return join(group, resources, commandLines)
}
