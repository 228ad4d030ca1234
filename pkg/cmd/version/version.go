// Package version implements "central version".
package version

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/build"
	"github.com/centralhq/central/pkg/cmd/factory"
)

// NewCmdVersion builds "central version".
func NewCmdVersion(f *factory.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of central",
		Example: "  central version",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			line := "central version " + build.Version
			if build.Commit != "" {
				line += fmt.Sprintf(" (commit %s, built %s)", build.Commit, build.Date)
			}
			_, err := fmt.Fprintln(f.IOStreams.Out, line)
			return err
		},
	}
}
