// Package outputflag reads -o/--output the same way in every command: yaml,
// json, or table, which is what no -o gives. "table" exists so that one
// command can ask for the table after "central config set output json".
package outputflag

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
)

// Table is the -o value that asks for a command's default output: a table,
// or for the commands that write resources, their status lines alone.
const Table = "table"

// Formats are the values -o takes, in the order messages list them.
var Formats = []string{"yaml", "json", Table}

// ErrUnknown is the cause of the FlagError for any other -o value.
var ErrUnknown = errors.New(`invalid "output" (-o,--output) value provided, allowed: yaml | json | table`)

// Add registers -o/--output on cmd, stored in p, with its completion.
func Add(cmd *cobra.Command, p *string, usage string) {
	cmd.Flags().StringVarP(p, "output", "o", "", usage)
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(Formats, cobra.ShellCompDirectiveNoFileComp))
}

// Normalize returns an -o value as printers.ForFormat takes it: "" for the
// table ("" or "table"), else "yaml" or "json". Any other value is a
// *clierr.FlagError.
func Normalize(value string) (string, error) {
	switch value {
	case "", Table:
		return "", nil
	case "yaml", "json":
		return value, nil
	}
	return "", &clierr.FlagError{Err: ErrUnknown}
}

// Resolve is Normalize of the -o flag when it was given on cmd's command
// line, else of the configured default output ("central config set output",
// CENTRAL_OUTPUT).
func Resolve(cmd *cobra.Command, f *factory.Factory, flag string) (string, error) {
	out, err := fromFlagOrConfig(cmd, f, flag)
	if err == nil {
		if cmd.Annotations == nil {
			cmd.Annotations = map[string]string{}
		}
		cmd.Annotations[resolved] = out
	}
	return out, err
}

// resolved is the annotation where Resolve records what it chose, for Of.
const resolved = "central/output"

// Of returns the format cmd's output is in: what Resolve chose, when cmd
// called it, else its -o as given ("" for the table, and when cmd has no
// -o). The commands that write resources read only their -o, not the
// configured output.
func Of(cmd *cobra.Command) string {
	if out, ok := cmd.Annotations[resolved]; ok {
		return out
	}
	fl := cmd.Flags().Lookup("output")
	if fl == nil {
		return ""
	}
	out, _ := Normalize(fl.Value.String())
	return out
}

func fromFlagOrConfig(cmd *cobra.Command, f *factory.Factory, flag string) (string, error) {
	if cmd.Flags().Changed("output") || f.Config == nil {
		return Normalize(flag)
	}
	cfg, err := f.Config()
	if err != nil {
		return Normalize(flag) // the command reports the config's error when it needs the config
	}
	configured := cfg.Get("output")
	out, err := Normalize(configured)
	if err != nil {
		return "", clierr.Flagf(fmt.Sprintf(`the configured output %q (CENTRAL_OUTPUT, or "central config set output") is not one of yaml | json | table; -o overrides it`, configured))
	}
	return out, nil
}
