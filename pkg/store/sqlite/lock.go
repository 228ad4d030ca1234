package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// errLocked: another process (or Store) holds the lock.
var errLocked = errors.New("locked")

// ErrInUse is the cause of OpenExclusive's error when a server holds the
// store.
var ErrInUse = errors.New("in use by another central server")

// OpenExclusive opens the store for a server: it holds a lock on PATH.lock
// until Close, so that a second server on the same file fails at start
// instead of sending every delivery twice (the leases it would need to see
// are in the first one's memory, lease.go). `central store copy` takes it
// too: a copy of a store a server still writes to would miss what comes
// after it.
func OpenExclusive(ctx context.Context, path string) (*Store, error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("%s is %w: stop it, or give this one another data dir (--data-dir, or --store sqlite://PATH)", path, ErrInUse)
		}
		return nil, fmt.Errorf("locking %s.lock: %w", path, err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.lock = f
	return s, nil
}
