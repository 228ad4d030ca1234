// Package release holds no code: its tests check .goreleaser.yaml (targets,
// CGO, the -X flags against pkg/build, what the archives carry) so a broken
// release configuration fails "go test ./..." instead of the release itself,
// without GoReleaser installed.
package release
