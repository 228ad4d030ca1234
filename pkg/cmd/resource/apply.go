package resource

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/client"
)

// createOrUpdate is apply's write of a named resource: it reads the
// resource and replaces it when it exists, creating it when it does not.
// Another client may create or delete the resource between the read and
// the write, as parallel jobs applying one file do: a create refused as a
// conflict (409) is retried once as a read and an update, an update refused
// as not found (404) once as a create, and no more, so two clients racing
// cannot loop. stored is the resource as read before an update, nil when
// it was created.
func (w *Writer) createOrUpdate(ctx context.Context, p client.Path, body *api.ResourceInstance) (r, stored *api.ResourceInstance, err error) {
	stored, err = w.Client.Get(ctx, p)
	switch {
	case err == nil:
		r, err = w.Client.Update(ctx, p, body)
		if !client.HasStatus(err, http.StatusNotFound) {
			return r, stored, err
		}
		// Deleted since the read: create it.
		r, err = w.Client.Create(ctx, p, body)
		return r, nil, err
	case client.HasStatus(err, http.StatusNotFound):
		r, err = w.Client.Create(ctx, p, body)
		if !client.HasStatus(err, http.StatusConflict) {
			return r, nil, err
		}
		// Created since the read: update it. When it is not there either,
		// the conflict was about something else (a scope being deleted)
		// and is the error to report.
		conflict := err
		stored, err = w.Client.Get(ctx, p)
		if client.HasStatus(err, http.StatusNotFound) {
			return nil, nil, conflict
		}
		if err != nil {
			return nil, nil, err
		}
		r, err = w.Client.Update(ctx, p, body)
		return r, stored, err
	}
	return nil, nil, err
}

// changedSubResources are the subresources of doc to write, by name: all
// of them for a resource just created (stored is nil), else those whose
// value differs from the stored one. Writing the stored value again would
// make a new version and a SubResourceUpdated event, which webhooks
// deliver, for nothing; the server itself skips a PUT that changes nothing.
func changedSubResources(doc, stored *api.ResourceInstance) []string {
	var keys []string
	for k, v := range doc.SubResources {
		if stored == nil || !SameJSON(v, stored.SubResources[k]) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// SameJSON reports whether a and b hold the same JSON value, however
// spaced or ordered. Numbers are compared as written, never rounded, so
// that two values that differ are never taken as the same.
func SameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	canon := func(raw json.RawMessage) ([]byte, error) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		return json.Marshal(v)
	}
	ca, errA := canon(a)
	cb, errB := canon(b)
	return errA == nil && errB == nil && bytes.Equal(ca, cb)
}
