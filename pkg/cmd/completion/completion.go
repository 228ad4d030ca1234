// Package completion implements "central completion SHELL".
package completion

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
)

// NewCmdCompletion builds "central completion".
func NewCmdCompletion(f *factory.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "completion {bash|zsh|fish|powershell}",
		Short: "Output shell completion code",
		Long: `Print the completion script for a shell. Load it in the current shell, or
save it where the shell looks for completions.

The bash script needs the bash-completion package (it calls
_get_comp_words_by_ref, which that package defines): install it with the
system's package manager ("bash-completion"; on macOS "brew install
bash-completion@2") and make sure ~/.bashrc loads it, or completing prints
"_get_comp_words_by_ref: command not found".`,
		Example: `  # bash, for this shell
  source <(central completion bash)
  # zsh, for every new shell
  central completion zsh > "${fpath[1]}/_central"
  # fish
  central completion fish > ~/.config/fish/completions/central.fish`,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, root := f.IOStreams.Out, cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return clierr.Flagf(fmt.Sprintf("unsupported shell %q: use bash, zsh, fish or powershell", args[0]))
		},
	}
}
