// Package build holds the version stamped into the binary at release
// (-ldflags "-X github.com/centralhq/central/pkg/build.Version=...").
package build

// Stamped at link time; "dev" in a plain go build.
var (
	Version = "dev"
	Commit  = ""
	Date    = ""
)
