package delete

import (
	"context"
	"errors"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/resource"
	"github.com/centralhq/central/pkg/discovery"
	"github.com/centralhq/central/pkg/loader"
)

// errNoName is an entry of a delete file without a name.
var errNoName = errors.New(`The "name" field is missing: only a named resource can be deleted.`)

// deleteFile deletes the resources of o.File in reverse file order, so that
// the resources in a scope go before the scope when the file lists the scope
// first (as files that create them do). A file with a bad entry deletes
// nothing; a deletion that fails does not stop the others. A file without
// resources is a no-op.
func deleteFile(ctx context.Context, o *DeleteOptions) error {
	entries, bad, err := resource.LoadFile(o.IO, o.File, "delete")
	if err != nil || len(entries) == 0 {
		return err
	}
	if err := resource.PlaceInScope(entries, o.Scope); err != nil {
		return err
	}
	set, err := o.Definitions(ctx)
	if err != nil {
		return err
	}
	var targets []resource.Target
	for _, e := range entries {
		t, err := fileTarget(set, e)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		targets = append(targets, t)
	}
	if err := resource.ReportBadEntries(o.IO, bad); err != nil {
		return err
	}
	failed := false
	if err := o.confirm(set, targets); err != nil {
		return err
	}
	c, err := o.Client()
	if err != nil {
		return err
	}
	for i := len(targets) - 1; i >= 0; i-- {
		t := targets[i]
		if err := o.remove(ctx, c, t); err != nil {
			if resource.Fatal(err) {
				return err
			}
			o.IO.Failure("%s %s", resource.NameLabel(t.Ref), resource.Describe(err))
			failed = true
		}
	}
	if failed {
		return clierr.ErrSilent
	}
	return nil
}

// fileTarget is the resource an entry names, or why it names none.
func fileTarget(set *discovery.Set, e loader.Entry) (resource.Target, error) {
	if e.Err != nil {
		_, _, err := resource.Locate(set, e) // the loader's error, in full
		return resource.Target{}, err
	}
	doc := e.Resource
	if doc.Name == "" {
		return resource.Target{}, &loader.EntryError{Source: e.Source, Index: e.Index, Kind: doc.Kind, Err: errNoName}
	}
	_, p, err := resource.Locate(set, e)
	if err != nil {
		return resource.Target{}, err
	}
	return resource.Target{Path: p, Ref: doc}, nil
}
