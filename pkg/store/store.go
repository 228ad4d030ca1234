// Package store defines how the server keeps resources, events and settings.
// Each driver (store/sqlite, store/postgres) owns its SQL; everything else
// works through the Store and Tx interfaces, and store/storetest holds the
// behaviour every driver must show.
package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/centralhq/central/pkg/api"
)

// Typed errors every driver returns, checked with errors.Is.
var (
	// ErrNotFound: no row with that key.
	ErrNotFound = errors.New("not found")
	// ErrConflict: a resource with that name already exists in that scope.
	ErrConflict = errors.New("already exists")
)

// Store opens transactions. A Tx must not be used after its function returns,
// and no function passed to Update may block on the network: write
// transactions are short so that one writer never stalls the others.
type Store interface {
	// Update runs fn in a read-write transaction, committed when fn returns
	// nil and rolled back otherwise.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// ResourceBody reads one resource as stored (its JSON), in a single
	// statement outside any transaction: the API's GET of one resource.
	// A missing resource is ErrNotFound.
	ResourceBody(ctx context.Context, k Key) ([]byte, error)
	// Close releases the store's connections.
	Close() error
}

// Bulk marks the context of an Update that may change many rows (a purge,
// a bulk retry): a store that runs several Updates in one transaction runs
// this one alone, since what it holds for a shared transaction (the pages
// it changed, for a rollback of it alone) grows with what it changes.
func Bulk(ctx context.Context) context.Context { return context.WithValue(ctx, bulkKey{}, true) }

// IsBulk reports whether ctx is marked by Bulk.
func IsBulk(ctx context.Context) bool { return ctx.Value(bulkKey{}) != nil }

type bulkKey struct{}

// Key names one resource. Unscoped resources have empty scope fields.
type Key struct {
	Org       string
	Group     string
	Kind      string
	ScopeKind string
	ScopeName string
	Name      string
}

// KeyOf returns the key of r within org.
func KeyOf(org string, r *api.ResourceInstance) Key {
	return Key{Org: org, Group: r.Group, Kind: r.Kind, ScopeKind: r.ScopeKind(), ScopeName: r.ScopeName(), Name: r.Name}
}

// ResourceFilter selects resources for ResourceList. Empty fields match
// anything, so {Org, ScopeKind, ScopeName} lists everything in one scope.
type ResourceFilter struct {
	Org       string
	Group     string
	Kind      string
	ScopeKind string
	ScopeName string
	// Match, when set, keeps only the resources it accepts. Drivers call it
	// while reading, so a list never holds rows it will throw away.
	Match func(*api.ResourceInstance) bool
}

// EventFilter selects events for EventList.
type EventFilter struct {
	Org string
	// AfterSequence returns events with a greater sequence id.
	AfterSequence int64
	// Limit caps the result; 0 means no cap.
	Limit int
	// Newest returns the events newest first, to find the head of the log.
	Newest bool
}

// Tx is one transaction. Method names are noun first, then verb.
type Tx interface {
	// ResourceGet returns the resource with that key or ErrNotFound.
	ResourceGet(ctx context.Context, key Key) (*api.ResourceInstance, error)
	// ResourceList returns the resources the filter selects, oldest first.
	ResourceList(ctx context.Context, f ResourceFilter) ([]*api.ResourceInstance, error)
	// ResourceCreate stores a new resource, or returns ErrConflict when its
	// name is taken in its scope. body is r's JSON encoding when the caller
	// has it already (it is stored as it is), or nil.
	ResourceCreate(ctx context.Context, org string, r *api.ResourceInstance, body []byte) error
	// ResourceUpdate replaces a stored resource, or returns ErrNotFound;
	// body as for ResourceCreate.
	ResourceUpdate(ctx context.Context, org string, r *api.ResourceInstance, body []byte) error
	// ResourceDelete removes a resource, or returns ErrNotFound.
	ResourceDelete(ctx context.Context, key Key) error

	// SequenceNext returns the organization's next sequence id. Sequence ids
	// order events and serve as resourceVersion; a rolled-back transaction
	// gives its ids back, so readers never see a gap.
	SequenceNext(ctx context.Context, org string) (int64, error)
	// EventAppend stores an event under ev.Metadata.SequenceID.
	EventAppend(ctx context.Context, org string, ev *api.Event) error
	// EventList returns events in sequence order.
	EventList(ctx context.Context, f EventFilter) ([]*api.Event, error)

	// SettingGet returns a server setting or ErrNotFound.
	SettingGet(ctx context.Context, key string) (string, error)
	// SettingPut stores a server setting.
	SettingPut(ctx context.Context, key, value string) error
	// SettingList returns every setting (for copying a store).
	SettingList(ctx context.Context) (map[string]string, error)
	// SequenceSet moves the organization's counter to value, so the next id
	// is value+1 (for copying a store; it never moves the counter back).
	SequenceSet(ctx context.Context, org string, value int64) error

	DeliveryStore
}

// Encoded returns body, or r's JSON encoding when body is nil: what
// drivers store for ResourceCreate and ResourceUpdate.
func Encoded(r *api.ResourceInstance, body []byte) ([]byte, error) {
	if body != nil {
		return body, nil
	}
	return json.Marshal(r)
}
