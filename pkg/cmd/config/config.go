// Package config implements "central config set|get|list|unset".
package config

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/centralhq/central/pkg/cmd/clierr"
	"github.com/centralhq/central/pkg/cmd/factory"
	"github.com/centralhq/central/pkg/cmd/outputflag"
	cfgpkg "github.com/centralhq/central/pkg/config"
)

// NewCmdConfig builds "central config" and its subcommands.
func NewCmdConfig(f *factory.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Configure the CLI: server URL, token, organization, output",
		Long: fmt.Sprintf(`Read and write the CLI's settings file ($CENTRAL_CONFIG, or config.yaml in
the user's config dir). Each setting resolves as flag > environment (CENTRAL_*)
> file > default. Keys: %s.`, joinKeys()),
		Example: `  central config set base-url http://central.example.com:8080
  central config set token "$TOKEN"
  central config get base-url
  central config list
  central config unset token`,
	}
	keyArg := func(n int) cobra.PositionalArgs {
		return func(cmd *cobra.Command, args []string) error {
			if len(args) != n {
				return clierr.Flagf(fmt.Sprintf("%s takes %d argument(s): %s", cmd.Name(), n, cmd.Use))
			}
			// The Amplify CLI's spelling (baseUrl) becomes ours for RunE,
			// which gets this same slice.
			args[0] = cfgpkg.CanonicalKey(args[0])
			if err := cfgpkg.CheckKey(args[0]); err != nil {
				return &clierr.FlagError{Err: err}
			}
			return nil
		}
	}
	edit := func(fn func(values map[string]string)) error {
		cfg, err := f.Config()
		if err != nil {
			return err
		}
		values, err := cfg.FileValues()
		if err != nil {
			return err
		}
		fn(values)
		return cfg.Write(values)
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Set a key in the config file",
		Long: `Set a key in the config file. The flags that name a key (--base-url, or the
Amplify CLI's --baseUrl, --token, --org and --timeout) may stand for KEY
VALUE: given without arguments, each one given is saved.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				if len(flagValues(cmd)) > 0 {
					return nil
				}
				return clierr.Flagf("set takes KEY VALUE, or the flags of the keys to set, as in: central config set --base-url URL")
			}
			return keyArg(2)(cmd, args)
		},
		Example: `  central config set base-url http://127.0.0.1:8080
  central config set --baseUrl=http://127.0.0.1:8080`,
		RunE: func(cmd *cobra.Command, args []string) error {
			set := flagValues(cmd)
			if len(args) == 2 {
				set = map[string]string{args[0]: args[1]}
			}
			for k, v := range set {
				if err := checkValue(k, v); err != nil {
					return err
				}
			}
			return edit(func(v map[string]string) { maps.Copy(v, set) })
		},
	}, &cobra.Command{
		Use: "unset KEY", Short: "Remove a key from the config file", Args: keyArg(1),
		Example: "  central config unset token",
		RunE: func(cmd *cobra.Command, args []string) error {
			return edit(func(v map[string]string) { delete(v, args[0]) })
		},
	}, &cobra.Command{
		Use: "get KEY", Short: "Print a key's resolved value", Args: keyArg(1),
		Example: "  central config get base-url",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(f.IOStreams.Out, cfg.Get(args[0]))
			return err
		},
	}, &cobra.Command{
		Use: "list", Short: "Print the config file's keys and values", Args: cobra.NoArgs,
		Example: "  central config list",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := f.Config()
			if err != nil {
				return err
			}
			values, err := cfg.FileValues()
			if err != nil {
				return err
			}
			keys := make([]string, 0, len(values))
			for k := range values {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				v := values[k]
				if k == "token" && len(v) > 4 {
					v = v[:4] + "…" // a list is often pasted into tickets
				}
				fmt.Fprintf(f.IOStreams.Out, "%s=%s\n", k, v)
			}
			return nil
		},
	})
	return cmd
}

// flagValues returns the keys given as flags (--base-url URL, --baseUrl
// URL), for "config set" without arguments. (The root refuses --base-url
// and --baseUrl that differ.)
func flagValues(cmd *cobra.Command) map[string]string {
	out := map[string]string{}
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if k := cfgpkg.CanonicalKey(fl.Name); cfgpkg.CheckKey(k) == nil {
			out[k] = fl.Value.String()
		}
	})
	return out
}

// checkValue refuses a value its key can't use.
func checkValue(key, value string) error {
	switch key {
	case "output":
		if !slices.Contains(outputflag.Formats, value) {
			return clierr.Flagf(`invalid "output" value provided, allowed: yaml | json | table`)
		}
	case "timeout":
		if _, err := cfgpkg.ParseTimeout(value); err != nil {
			return clierr.Flagf(err.Error())
		}
	case "base-url":
		if u, err := url.Parse(value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return clierr.Flagf(fmt.Sprintf("base-url must be a URL like http://127.0.0.1:8080; got %q", value))
		}
	}
	return nil
}

func joinKeys() string {
	s := ""
	for i, k := range cfgpkg.KeyNames() {
		if i > 0 {
			s += ", "
		}
		s += k + " (" + cfgpkg.Keys[k] + ")"
	}
	return s
}
