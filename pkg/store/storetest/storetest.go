// Package storetest is the behaviour every store driver must show. A driver's
// test calls Exercise with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// Exercise runs the conformance suite against stores made by open.
func Exercise(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	t.Run("ExportImport", func(t *testing.T) { testExportImport(t, open(t), open) })
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"ResourceCRUD", testResourceCRUD},
		{"ResourceConflictPerScope", testResourceConflictPerScope},
		{"ResourceList", testResourceList},
		{"RollbackLeavesNothing", testRollback},
		{"SequenceGapless", testSequenceGapless},
		{"SequenceConcurrent", testSequenceConcurrent},
		{"Events", testEvents},
		{"OrganizationsApart", testOrganizationsApart},
		{"Settings", testSettings},
		{"DeliveryClaimLease", testDeliveryClaimLease},
		{"DeliveryClaimRolledBack", testDeliveryClaimRolledBack},
		{"DeliveryAccept", testDeliveryAccept},
		{"DeliveryExclude", testDeliveryExclude},
		{"DeliveryOnly", testDeliveryOnly},
		{"DeliveryLeasedCounts", testDeliveryLeasedCounts},
		{"DeliveryOrdered", testDeliveryOrdered},
		{"DeliveryMissingEvent", testDeliveryMissingEvent},
		{"DeliveryFinishAndRead", testDeliveryFinishAndRead},
		{"DeliverySuperseded", testDeliverySuperseded},
		{"DeliveryHealthInOneBatch", testDeliveryHealthInOneBatch},
		{"WebhookHealthRestart", testWebhookHealthRestart},
		{"DeliveryListRetryPurge", testDeliveryListRetryPurge},
		{"DeliveryFilterWebhooks", testDeliveryFilterWebhooks},
		{"DeliveryPendingByWebhook", testDeliveryPendingByWebhook},
		{"DeliveryPendingHeldByOrder", testDeliveryPendingHeldByOrder},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

const org = "org1"

func resource(kind, scopeKind, scopeName, name string) *api.ResourceInstance {
	r := &api.ResourceInstance{Group: "management", APIVersion: "v1", Kind: kind, Name: name,
		Title: "Title of " + name, Spec: json.RawMessage(`{"a":1}`)}
	r.Metadata.ID = fmt.Sprintf("id-%s-%s-%s", kind, scopeName, name)
	if scopeKind != "" {
		r.Metadata.Scope = &api.Scope{Kind: scopeKind, Name: scopeName}
	}
	return r
}

func update(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func create(t *testing.T, s store.Store, rs ...*api.ResourceInstance) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, r := range rs {
			seq, err := tx.SequenceNext(context.Background(), org)
			if err != nil {
				return err
			}
			r.Metadata.ResourceVersion = strconv.FormatInt(seq, 10)
			if err := tx.ResourceCreate(context.Background(), org, r, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// view returns what fn reads in a read transaction; an error fails the test.
func view[T any](t *testing.T, s store.Store, fn func(tx store.Tx) (T, error)) T {
	t.Helper()
	var v T
	if err := s.View(context.Background(), func(tx store.Tx) error {
		var err error
		v, err = fn(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

func get(t *testing.T, s store.Store, k store.Key) (*api.ResourceInstance, error) {
	t.Helper()
	var r *api.ResourceInstance
	err := s.View(context.Background(), func(tx store.Tx) error {
		var err error
		r, err = tx.ResourceGet(context.Background(), k)
		return err
	})
	return r, err
}

func testResourceCRUD(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := resource("APIService", "Environment", "prod", "svc")
	r.SubResources = map[string]json.RawMessage{"x-compliance": json.RawMessage(`{"ok":true}`)}
	create(t, s, r)
	k := store.KeyOf(org, r)
	got, err := get(t, s, k)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != r.Title || string(got.SubResources["x-compliance"]) != `{"ok":true}` || got.ScopeName() != "prod" {
		t.Fatalf("read back %+v", got)
	}
	got.Title = "changed"
	update(t, s, func(tx store.Tx) error { return tx.ResourceUpdate(ctx, org, got, nil) })
	again, _ := get(t, s, k)
	if again.Title != "changed" {
		t.Fatalf("update not stored: %q", again.Title)
	}
	// ResourceBody is the stored JSON: exactly what encoding the resource gives.
	want, _ := json.Marshal(again)
	if body, err := s.ResourceBody(ctx, k); err != nil || string(body) != string(want) {
		t.Fatalf("ResourceBody: %v\n got %s\nwant %s", err, body, want)
	}
	update(t, s, func(tx store.Tx) error { return tx.ResourceDelete(ctx, k) })
	if _, err := get(t, s, k); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	if _, err := s.ResourceBody(ctx, k); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ResourceBody after delete: %v", err)
	}
	err = s.Update(ctx, func(tx store.Tx) error { return tx.ResourceDelete(ctx, k) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
	err = s.Update(ctx, func(tx store.Tx) error { return tx.ResourceUpdate(ctx, org, got, nil) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update missing: %v", err)
	}
}

func testResourceConflictPerScope(t *testing.T, s store.Store) {
	ctx := context.Background()
	create(t, s, resource("APIService", "Environment", "a", "svc"), resource("APIService", "Environment", "b", "svc"),
		resource("Webhook", "Environment", "a", "svc"))
	err := s.Update(ctx, func(tx store.Tx) error {
		return tx.ResourceCreate(ctx, org, resource("APIService", "Environment", "a", "svc"), nil)
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second create in one scope: got %v, want ErrConflict", err)
	}
}

func testResourceList(t *testing.T, s store.Store) {
	ctx := context.Background()
	create(t, s, resource("Environment", "", "", "prod"), resource("APIService", "Environment", "prod", "b"),
		resource("APIService", "Environment", "prod", "a"), resource("APIService", "Environment", "dev", "c"),
		resource("Secret", "Environment", "prod", "s"))
	list := func(f store.ResourceFilter) []string {
		t.Helper()
		f.Org = org
		var names []string
		err := s.View(ctx, func(tx store.Tx) error {
			rs, err := tx.ResourceList(ctx, f)
			for _, r := range rs {
				names = append(names, r.Name)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	for _, tc := range []struct {
		name string
		f    store.ResourceFilter
		want string
	}{
		{"kind in every scope, oldest first", store.ResourceFilter{Group: "management", Kind: "APIService"}, "[b a c]"},
		{"kind in one scope", store.ResourceFilter{Kind: "APIService", ScopeKind: "Environment", ScopeName: "prod"}, "[b a]"},
		{"everything in a scope", store.ResourceFilter{ScopeKind: "Environment", ScopeName: "prod"}, "[b a s]"},
		{"match", store.ResourceFilter{Kind: "APIService", Match: func(r *api.ResourceInstance) bool { return r.Name != "a" }}, "[b c]"},
		{"none", store.ResourceFilter{Kind: "Webhook"}, "[]"},
	} {
		if got := fmt.Sprint(list(tc.f)); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func testRollback(t *testing.T, s store.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	r := resource("Environment", "", "", "gone")
	err := s.Update(ctx, func(tx store.Tx) error {
		seq, _ := tx.SequenceNext(ctx, org)
		if err := tx.ResourceCreate(ctx, org, r, nil); err != nil {
			return err
		}
		if err := tx.EventAppend(ctx, org, &api.Event{ID: "e", Metadata: &api.EventMetadata{SequenceID: seq}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if _, err := get(t, s, store.KeyOf(org, r)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rolled-back resource is visible: %v", err)
	}
	_ = s.View(ctx, func(tx store.Tx) error {
		evs, err := tx.EventList(ctx, store.EventFilter{Org: org})
		if err != nil || len(evs) != 0 {
			t.Fatalf("rolled-back events visible: %v %v", evs, err)
		}
		return nil
	})
}

func testSequenceGapless(t *testing.T, s store.Store) {
	ctx := context.Background()
	next := func(fail bool) int64 {
		var v int64
		_ = s.Update(ctx, func(tx store.Tx) error {
			var err error
			v, err = tx.SequenceNext(ctx, org)
			if err != nil {
				t.Fatal(err)
			}
			if fail {
				return errors.New("roll back")
			}
			return nil
		})
		return v
	}
	if a := next(false); a != 1 {
		t.Fatalf("first sequence id %d, want 1", a)
	}
	next(true)
	if b := next(false); b != 2 {
		t.Fatalf("after a rollback got %d, want 2 (no gap)", b)
	}
}

func testSequenceConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	const workers, each = 4, 25
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				err := s.Update(ctx, func(tx store.Tx) error {
					v, err := tx.SequenceNext(ctx, org)
					if err != nil {
						return err
					}
					mu.Lock()
					defer mu.Unlock()
					if seen[v] {
						return fmt.Errorf("sequence id %d handed out twice", v)
					}
					seen[v] = true
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Fatalf("got %d ids, want %d", len(seen), workers*each)
	}
}

func testEvents(t *testing.T, s store.Store) {
	ctx := context.Background()
	update(t, s, func(tx store.Tx) error {
		for i := range 5 {
			seq, err := tx.SequenceNext(ctx, org)
			if err != nil {
				return err
			}
			ev := &api.Event{ID: fmt.Sprint("ev", i), Type: api.ResourceCreated, Payload: json.RawMessage(`{"name":"x"}`),
				Metadata: &api.EventMetadata{SequenceID: seq}}
			if err := tx.EventAppend(ctx, org, ev); err != nil {
				return err
			}
		}
		return nil
	})
	_ = s.View(ctx, func(tx store.Tx) error {
		evs, err := tx.EventList(ctx, store.EventFilter{Org: org, AfterSequence: 2, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || evs[0].Metadata.SequenceID != 3 || evs[1].ID != "ev3" || string(evs[0].Payload) != `{"name":"x"}` {
			t.Fatalf("events after 2: %+v", evs)
		}
		head, err := tx.EventList(ctx, store.EventFilter{Org: org, Newest: true, Limit: 1})
		if err != nil || len(head) != 1 || head[0].Metadata.SequenceID != 5 {
			t.Fatalf("newest event: %+v %v", head, err)
		}
		return nil
	})
}

func testOrganizationsApart(t *testing.T, s store.Store) {
	ctx := context.Background()
	create(t, s, resource("Environment", "", "", "prod"))
	_, err := get(t, s, store.Key{Org: "other", Group: "management", Kind: "Environment", Name: "prod"})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another organization sees the resource: %v", err)
	}
	update(t, s, func(tx store.Tx) error {
		v, err := tx.SequenceNext(ctx, "other")
		if v != 1 {
			t.Errorf("the other organization's first sequence id is %d, want 1", v)
		}
		return err
	})
}

func testSettings(t *testing.T, s store.Store) {
	ctx := context.Background()
	_ = s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.SettingGet(ctx, "org-id"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing setting: %v", err)
		}
		return nil
	})
	update(t, s, func(tx store.Tx) error { return tx.SettingPut(ctx, "org-id", "1") })
	update(t, s, func(tx store.Tx) error { return tx.SettingPut(ctx, "org-id", "2") })
	_ = s.View(ctx, func(tx store.Tx) error {
		if v, err := tx.SettingGet(ctx, "org-id"); v != "2" || err != nil {
			t.Fatalf("setting = %q, %v", v, err)
		}
		return nil
	})
}
