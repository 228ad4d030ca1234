package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// errLocked: another process (or Store) holds the lock.
var errLocked = errors.New("locked")

// OpenExclusive opens the store for a server: it holds a lock on PATH.lock
// until Close, so that a second server on the same file fails at start
// instead of sending every delivery twice (the leases it would need to see
// are in the first one's memory, lease.go). Tools that only read, such as
// `central store copy`, use Open.
func OpenExclusive(ctx context.Context, path string) (*Store, error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("%s is in use by another central server: stop it, or give this one another data dir (--data-dir, or --store sqlite://PATH)", path)
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
