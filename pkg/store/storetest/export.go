package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// testExportImport copies deliveries, settings and the sequence from one
// store into a fresh one and checks nothing changed on the way.
func testExportImport(t *testing.T, s store.Store, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	queue(t, s, "e1", "Environment/e1", hookA, hookB)
	c := claim(t, s, "r", t0, 1, nil)[0]
	finish(t, s, c, api.DeliveryPending, 503, t0.Add(time.Hour))
	update(t, s, func(tx store.Tx) error {
		_, err := tx.DeliveryRetry(ctx, store.DeliveryFilter{Org: org}, []string{c.ID}, t0, false)
		if err != nil {
			return err
		}
		return tx.SettingPut(ctx, "org-id", org)
	})
	var ds []*store.Delivery
	var settings map[string]string
	var evs []*api.Event
	_ = s.View(ctx, func(tx store.Tx) error {
		var err error
		if ds, err = tx.DeliveryExport(ctx, org); err != nil {
			t.Fatal(err)
		}
		if evs, err = tx.EventList(ctx, store.EventFilter{Org: org}); err != nil {
			t.Fatal(err)
		}
		settings, err = tx.SettingList(ctx)
		return err
	})
	if len(ds) != 2 || settings["org-id"] != org {
		t.Fatalf("export: %d deliveries, settings %v", len(ds), settings)
	}
	var exported *store.Delivery
	for _, d := range ds {
		if d.ID == c.ID {
			exported = d
		}
	}
	if exported == nil || len(exported.History) != 1 || !exported.Manual || exported.OrderKey != "Environment/e1" {
		t.Fatalf("exported delivery: %+v", exported)
	}

	dst := open(t)
	update(t, dst, func(tx store.Tx) error {
		for k, v := range settings {
			if err := tx.SettingPut(ctx, k, v); err != nil {
				return err
			}
		}
		if err := tx.SequenceSet(ctx, org, 41); err != nil {
			return err
		}
		if err := tx.SequenceSet(ctx, org, 7); err != nil { // never back
			return err
		}
		for _, ev := range evs {
			if err := tx.EventAppend(ctx, org, ev); err != nil {
				return err
			}
		}
		return tx.DeliveryImport(ctx, ds)
	})
	update(t, dst, func(tx store.Tx) error {
		if v, err := tx.SequenceNext(ctx, org); v != 42 || err != nil {
			t.Fatalf("after SequenceSet(41): next is %d %v", v, err)
		}
		got, err := tx.DeliveryGet(ctx, org, c.ID)
		if err != nil || got.Status != api.DeliveryPending || got.Attempts != 1 || len(got.History) != 1 ||
			got.History[0].StatusCode != 503 || got.LastStatusCode != 503 {
			t.Fatalf("imported delivery: %+v %v", got, err)
		}
		return nil
	})
	// the queue behaves the same in the copy
	got := claim(t, dst, "r", t0, 10, nil)
	manual := 0
	for _, g := range got {
		if g.Manual {
			manual++
		}
	}
	if len(got) != 2 || manual != 1 || len(got[0].Envelope) == 0 {
		t.Fatalf("claims in the copy: %+v", got)
	}
}
