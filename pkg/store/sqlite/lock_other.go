//go:build !unix

package sqlite

import "os"

// lockFile does nothing where flock is missing: there, keep to one server
// per data dir yourself.
func lockFile(*os.File) error { return nil }
