package storetest

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// MigrationFiles lists the names of a driver's migrations (the files
// migrations/*.sql of the package under test) in order, and the highest
// version among them.
func MigrationFiles(t *testing.T) ([]string, int) {
	t.Helper()
	paths, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(paths) == 0 {
		t.Fatalf("migration files: %v %v", paths, err)
	}
	var names []string
	known := 0
	for _, p := range paths {
		name := filepath.Base(p)
		n, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			t.Fatal(err)
		}
		names, known = append(names, name), max(known, n)
	}
	slices.Sort(names)
	return names, known
}

// SecretEvents are event bodies as a central before api.RedactSecret
// stored them, for the migration that redacts them: a Secret's with its
// values, and an APIService's whose spec happens to hold a data map too,
// which stays as it is. Their sequence ids are 1 and 2, in org1.
var SecretEvents = []string{
	`{"id":"ev-1","type":"ResourceCreated","payload":{"group":"management","kind":"Secret","name":"gh","spec":{"data":{"token":"ghp_old","user":"bot"}}},"metadata":{"sequenceID":1}}`,
	`{"id":"ev-2","type":"ResourceCreated","payload":{"group":"management","kind":"APIService","name":"a","spec":{"data":{"token":"kept"}}},"metadata":{"sequenceID":2}}`,
}

// CheckSecretEventsRedacted reads SecretEvents back from s after the
// migration: the Secret's values REDACTED, its keys and the rest kept.
func CheckSecretEventsRedacted(t *testing.T, s store.Store) {
	t.Helper()
	var evs []*api.Event
	err := s.View(context.Background(), func(tx store.Tx) error {
		var err error
		evs, err = tx.EventList(context.Background(), store.EventFilter{Org: "org1"})
		return err
	})
	if err != nil || len(evs) != 2 {
		t.Fatalf("events after the migration: %v %v", evs, err)
	}
	var secret, other struct {
		Kind string `json:"kind"`
		Spec struct {
			Data map[string]string `json:"data"`
		} `json:"spec"`
	}
	if json.Unmarshal(evs[0].Payload, &secret) != nil || json.Unmarshal(evs[1].Payload, &other) != nil {
		t.Fatalf("payloads after the migration: %s, %s", evs[0].Payload, evs[1].Payload)
	}
	if want := map[string]string{"token": api.Redacted, "user": api.Redacted}; secret.Kind != "Secret" || !maps.Equal(secret.Spec.Data, want) {
		t.Errorf("the Secret's event after the migration: %s", evs[0].Payload)
	}
	if other.Spec.Data["token"] != "kept" || evs[1].ID != "ev-2" {
		t.Errorf("another kind's event was changed: %s", evs[1].Payload)
	}
}
