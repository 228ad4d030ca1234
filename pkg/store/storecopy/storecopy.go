// Package storecopy copies everything one store holds into another, empty
// one: the way from the embedded SQLite store to PostgreSQL.
package storecopy

import (
	"context"
	"errors"
	"fmt"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// Summary counts what was copied.
type Summary struct {
	Org          string
	Resources    int
	Events       int
	Deliveries   int
	Pending      int
	Settings     int
	LastSequence int64
}

// Copy reads the source in one snapshot and writes the destination in one
// transaction, so the copy is all or nothing: resources (in creation
// order), events under their own sequence ids, the sequence counter,
// deliveries with their attempts (pending ones stay due; leases are
// dropped) and settings. The destination must be empty, so nothing is ever
// duplicated; no server may write to the source meanwhile. Everything is
// held in memory between the two transactions.
func Copy(ctx context.Context, from, to store.Store) (Summary, error) {
	var sum Summary
	var settings map[string]string
	var resources []*api.ResourceInstance
	var events []*api.Event
	var deliveries []*store.Delivery
	err := from.View(ctx, func(tx store.Tx) error {
		var err error
		if settings, err = tx.SettingList(ctx); err != nil {
			return err
		}
		sum.Org = settings["org-id"]
		if sum.Org == "" {
			return errors.New("the source holds no organization id: is it a central store that a server has started on?")
		}
		if resources, err = tx.ResourceList(ctx, store.ResourceFilter{Org: sum.Org}); err != nil {
			return err
		}
		if events, err = tx.EventList(ctx, store.EventFilter{Org: sum.Org}); err != nil {
			return err
		}
		deliveries, err = tx.DeliveryExport(ctx, sum.Org)
		return err
	})
	if err != nil {
		return sum, fmt.Errorf("reading the source: %w", err)
	}
	for _, ev := range events {
		if ev.Metadata != nil {
			sum.LastSequence = max(sum.LastSequence, ev.Metadata.SequenceID)
		}
	}
	err = to.Update(ctx, func(tx store.Tx) error {
		if err := checkEmpty(ctx, tx, sum.Org); err != nil {
			return err
		}
		for k, v := range settings {
			if err := tx.SettingPut(ctx, k, v); err != nil {
				return err
			}
		}
		for _, r := range resources {
			if err := tx.ResourceCreate(ctx, sum.Org, r, nil); err != nil {
				return fmt.Errorf("resource %s/%s: %w", r.Kind, r.Name, err)
			}
		}
		for _, ev := range events {
			if err := tx.EventAppend(ctx, sum.Org, ev); err != nil {
				return fmt.Errorf("event %s: %w", ev.ID, err)
			}
		}
		if err := tx.SequenceSet(ctx, sum.Org, sum.LastSequence); err != nil {
			return err
		}
		for i := 0; i < len(deliveries); i += 500 {
			if err := tx.DeliveryImport(ctx, deliveries[i:min(i+500, len(deliveries))]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("writing the destination (nothing was written): %w", err)
	}
	sum.Resources, sum.Events, sum.Deliveries, sum.Settings = len(resources), len(events), len(deliveries), len(settings)
	for _, d := range deliveries {
		if d.Status == api.DeliveryPending {
			sum.Pending++
		}
	}
	return sum, nil
}

// checkEmpty refuses a destination that already holds this organization's
// data or another organization.
func checkEmpty(ctx context.Context, tx store.Tx, org string) error {
	settings, err := tx.SettingList(ctx)
	if err != nil {
		return err
	}
	if other := settings["org-id"]; other != "" {
		return fmt.Errorf("the destination already belongs to organization %s; copy into an empty database (or schema)", other)
	}
	rs, err := tx.ResourceList(ctx, store.ResourceFilter{Org: org})
	if err != nil {
		return err
	}
	evs, err := tx.EventList(ctx, store.EventFilter{Org: org, Limit: 1})
	if err != nil {
		return err
	}
	if len(rs) > 0 || len(evs) > 0 {
		return errors.New("the destination already holds resources or events; copy into an empty database (or schema)")
	}
	return nil
}
