// Command barecobra is the smallest cobra program: a root command with one
// subcommand and no other imports. The benchmark's startup scenario times
// `barecobra --help` beside `central --help` to tell what central's own
// initialisation adds to what any cobra program pays.
package main

import (
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{Use: "barecobra", Short: "A bare cobra program"}
	root.AddCommand(&cobra.Command{Use: "version", Short: "Print the version", Run: func(*cobra.Command, []string) {}})
	if err := root.Execute(); err != nil {
		os.Exit(1)
	}
}
