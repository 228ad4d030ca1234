package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/apiserver"
	"github.com/centralhq/central/pkg/registry"
	"github.com/centralhq/central/pkg/store"
)

// canaryName is the one Environment the matching scenario's hooks match:
// its delivery proves the index holds the hooks written to the store.
const canaryName = "canary-probe"

// matchingScenario compares the create rate (each create is an event the
// hook index is asked about) without hooks and with many that cannot match
// it, on one server: first without, then after adding them.
//
// Creating 10,000 hooks through the API one by one takes longer than the
// measurement (each copies the index), so one is created through the API
// and the rest are written to the store in one transaction, as an import
// would; a restart makes the server load them all, and the canary's
// delivery shows that it did.
func matchingScenario(ctx context.Context, r *runner) []Row {
	fig := fmt.Sprintf("creates/s with %s non-matching ResourceHooks", groupThousands(int64(r.cfg.Hooks)))
	fail := func(err error) []Row { return []Row{skipped("matching", fig, "/s", err.Error(), ratioAtLeast(0.9))} }
	in, err := r.start(ctx)
	if err != nil {
		return fail(err)
	}
	defer func() {
		if in != nil {
			in.stop()
		}
	}()
	recv, err := newReceiver()
	if err != nil {
		return fail(err)
	}
	defer recv.close()
	s := &sink{}
	other := api.Trigger{Group: "management", Kind: "APIService", Name: "*", Type: []string{"created"}}
	if err := in.integration(ctx, "matching", other, hookTarget{name: "wh", url: recv.add("/matching", s)}); err != nil {
		return fail(err)
	}
	in.serve()
	half := r.share(0.5, 100*time.Millisecond)
	none := creates(ctx, in, apiConcurrency, half)

	start := time.Now()
	canary := api.Trigger{Group: "management", Kind: "Environment", Name: canaryName, Type: []string{"created"}}
	if _, err := in.must(ctx, http.StatusCreated, "POST", mgmt+"/integrations/matching/resourcehooks",
		map[string]any{"name": "canary", "spec": api.ResourceHookSpec{Triggers: []api.Trigger{canary}, Webhooks: []string{"wh"}}}); err != nil {
		return fail(err)
	}
	if err := writeHooks(ctx, in, r.cfg.Hooks-1); err != nil {
		return fail(err)
	}
	next, err := r.restart(ctx, in)
	if err != nil {
		in = nil // restart stopped it
		return fail(err)
	}
	in = next
	in.serve()
	if _, err := in.must(ctx, http.StatusCreated, "POST", mgmt+"/environments", map[string]any{"name": canaryName}); err != nil {
		return fail(err)
	}
	if s.waitCount(ctx, 1, time.Now().Add(10*time.Second)) == 0 {
		return fail(fmt.Errorf("the canary hook delivered nothing: the index did not load the hooks"))
	}
	took := time.Since(start)
	var with created
	r.profiled("matching", func() { with = creates(ctx, in, apiConcurrency, half) })
	row := Row{Scenario: "matching", Figure: fig + " (" + r.storeName() + ")", Value: with.rate, Unit: "/s", Target: ratioAtLeast(0.9),
		Note: fmt.Sprintf("%d and %d creates at concurrency 16 on one server, before and after adding the hooks (%s)",
			len(none.names), len(with.names), took.Round(time.Millisecond))}
	return []Row{row.compare("no hooks", none.rate)}
}

// writeHooks stores n ResourceHooks in the Integration "matching", shaped
// as the API stores them.
func writeHooks(ctx context.Context, in *instance, n int) error {
	kind, _ := registry.ByKind("ResourceHook")
	return in.store().Update(ctx, func(tx store.Tx) error {
		for i := range n {
			seq, err := tx.SequenceNext(ctx, in.org())
			if err != nil {
				return err
			}
			name := fmt.Sprintf("h%d", i)
			now := api.NewTime(time.Now())
			h := &api.ResourceInstance{Group: "management", APIVersion: "v1", Kind: "ResourceHook", Name: name,
				Metadata: api.Metadata{ID: apiserver.RandomID(), ResourceVersion: fmt.Sprint(seq), References: []api.Reference{},
					Scope:    &api.Scope{Kind: "Integration", Name: "matching"},
					SelfLink: registry.SelfLink("v1", kind, "Integration", "matching", name),
					Audit:    api.Audit{CreateTimestamp: now, CreateUserID: "admin", ModifyTimestamp: now, ModifyUserID: "admin"}},
				Spec: mustJSON(api.ResourceHookSpec{Triggers: []api.Trigger{nonMatching(int64(i))}, Webhooks: []string{"wh"}}),
			}
			if err := tx.ResourceCreate(ctx, in.org(), h, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// nonMatching is a trigger an Environment created by the benchmark never
// matches: half name other Environments (same kind bucket), half another
// kind in an Environment's scope.
func nonMatching(i int64) api.Trigger {
	if i%2 == 0 {
		return api.Trigger{Group: "management", Kind: "Environment", Name: fmt.Sprintf("other-%d", i), Type: []string{"created", "updated", "deleted"}}
	}
	return api.Trigger{Group: "management", Kind: "APIService", Name: "*", Type: []string{"created", "updated"},
		Scope: &api.TriggerScope{Kind: "Environment", Name: fmt.Sprintf("env-%d", i)}}
}
